import type { Client } from 'aedes';

// The MQTT parser learns a packet's size from its fixed header, before the body arrives.
// Refusing there bounds memory per connection whatever the transport and framing (a packet
// may span many TCP segments or WebSocket frames) without another stream layer per byte.
interface PacketParser {
  packet: { length: number };
  _parseLength(): boolean;
  _emitError(error: Error): boolean;
}

export class PacketTooLargeError extends Error {
  readonly code = 'packet_too_large';
  constructor(size: number, limit: number) {
    super(`packet of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

export function limitPacketSize(client: Client, maxBytes: number): void {
  const parser = (client as unknown as { _parser: PacketParser })._parser;
  const parseLength = parser._parseLength;
  parser._parseLength = function limitedParseLength(this: PacketParser) {
    const complete = parseLength.call(this);
    if (complete && this.packet.length > maxBytes) {
      return this._emitError(new PacketTooLargeError(this.packet.length, maxBytes));
    }
    return complete;
  };
}
