// An MQTT 5 PUBACK carries a reason code; one of 0x80 or more means the broker refused
// the publish (0x87 not authorized, 0x90 topic name invalid, 0x97 quota exceeded, 0x99
// payload format invalid...; MQTT 5.0 section 3.4.2.1). Sending it again gets the same
// answer, so the refusal is final, unlike a connection that closed before any PUBACK
// came. MQTT 3.1.1 has no such code: a 3.1.1 broker acknowledges a refused publish like
// any other [MQTT-3.3.5-2].
export const PUBACK_REFUSAL_MIN = 0x80;
/** A reason code is one byte (MQTT 5.0 section 3.4.2.1). */
export const PUBACK_REASON_MAX = 0xff;

/** What a QoS 1 publish calls back with when the broker's PUBACK refused it. */
export class PublishRefusedError extends Error {
  readonly reasonCode: number;

  constructor(
    reasonCode: number,
    message = `publish refused (reason code 0x${reasonCode.toString(16)})`,
  ) {
    super(message);
    this.name = 'PublishRefusedError';
    this.reasonCode = reasonCode;
  }
}

export function isPublishRefused(error: unknown): error is PublishRefusedError {
  return error instanceof PublishRefusedError;
}

/**
 * Why an outbox entry will never be delivered, and so is not sent again: an MQTT 5
 * broker's PUBACK refused it, or it could not be sent at all from here (unsendable-publish.ts).
 */
export type PublishRefusal =
  { by: 'broker'; reasonCode: number } | { by: 'client'; reason: string };

// The refusals an MQTT 5 broker may give a PUBLISH (MQTT 5.0, table 3-4), in words.
const REASONS: Readonly<Record<number, string>> = {
  0x80: 'unspecified error',
  0x83: 'implementation specific error',
  0x87: 'not authorized',
  0x90: 'topic name invalid',
  0x91: 'packet identifier in use',
  0x97: 'quota exceeded',
  0x99: 'payload format invalid',
};

/** A PUBACK refusal code in words, as people read it ("not authorized (0x87)"). */
export function refusalReason(reasonCode: number): string {
  const hex = `0x${reasonCode.toString(16).padStart(2, '0')}`;
  const words = REASONS[reasonCode];
  return words ? `${words} (${hex})` : `reason code ${hex}`;
}

/**
 * Why a message kept as refused was not delivered: refused outright (above), or
 * acknowledged by a broker that then did not route it, which an MQTT 3.1.1 broker cannot
 * say [MQTT-3.3.5-2] (found by its absence from the room's history).
 */
export type DeliveryRefusal = PublishRefusal | { by: 'unrouted' };

/**
 * Whether a value read back from storage is a DeliveryRefusal this build can show. A
 * reason code must be one a PUBACK can refuse with: anything else (1e400 reads back as
 * Infinity, say) would be shown as a nonsense code.
 */
export function isDeliveryRefusal(value: unknown): value is DeliveryRefusal {
  if (typeof value !== 'object' || value === null) return false;
  const refusal = value as Record<string, unknown>;
  switch (refusal.by) {
    case 'broker': {
      const code = refusal.reasonCode;
      return (
        typeof code === 'number' &&
        Number.isInteger(code) &&
        code >= PUBACK_REFUSAL_MIN &&
        code <= PUBACK_REASON_MAX
      );
    }
    case 'client':
      return typeof refusal.reason === 'string';
    case 'unrouted':
      return true;
    default:
      return false;
  }
}
