import type { DecodedPayload } from '../../shared/schemas';

// authorizePublish has decoded a contract payload already, and aedes hands the same packet
// object to the `published` hook, which records chat and notifications. Keeping the
// decoded form here spares that hot path a second JSON parse and schema check; entries go
// with their packets.
const decoded = new WeakMap<object, DecodedPayload>();

export function rememberDecoded(packet: object, message: DecodedPayload): void {
  decoded.set(packet, message);
}

/** The payload decoded when this packet was authorized, if it came through that. */
export function decodedAtAuthorization(packet: object): DecodedPayload | undefined {
  return decoded.get(packet);
}
