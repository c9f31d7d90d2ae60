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

/**
 * Returns what to call on each new client. One function serves every connection: a
 * closure per connection, with its own property store, was ≈ 0.3 KiB of each idle one.
 */
export function packetSizeLimit(maxBytes: number): (client: Client) => void {
  // mqtt-packet's own method, the same for every parser (from their prototype).
  let parseLength: PacketParser['_parseLength'] = () => false;
  function limitedParseLength(this: PacketParser) {
    const complete = parseLength.call(this);
    if (complete && this.packet.length > maxBytes) {
      return this._emitError(new PacketTooLargeError(this.packet.length, maxBytes));
    }
    return complete;
  }
  return (client) => {
    const parser = (client as unknown as { _parser: PacketParser })._parser;
    parseLength = (Object.getPrototypeOf(parser) as PacketParser)._parseLength;
    parser._parseLength = limitedParseLength;
  };
}
