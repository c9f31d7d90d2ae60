import { refusalReason, type DeliveryRefusal } from '../../../lib/mqtt/publish-refusal';

/**
 * Why a message of ours shows as not delivered, in words for its sender. Each case says
 * only what is known: an MQTT 5 broker gives a reason code, a publish refused here its
 * reason, and an MQTT 3.1.1 broker nothing at all (the message is missing from history).
 */
export function notDeliveredReason(refusal: DeliveryRefusal | undefined): string {
  switch (refusal?.by) {
    case 'broker':
      return `The server refused this message: ${refusalReason(refusal.reasonCode)}.`;
    case 'client':
      return `This message could not be sent: ${refusal.reason}.`;
    case 'unrouted':
      return 'The server acknowledged this message but did not deliver it: you may no longer be allowed to post here, or you sent too many messages at once.';
    case undefined:
      // Kept across a reload from before the reason was kept with it.
      return 'This message was not delivered.';
  }
}
