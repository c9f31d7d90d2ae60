import { describe, expect, it } from 'vitest';
import { messageSnippet } from '../../../../src/client/features/chat/lib/message-snippet';
import { notDeliveredReason } from '../../../../src/client/features/chat/lib/not-delivered-reason';
import type { DeliveryRefusal } from '../../../../src/client/lib/mqtt/publish-refusal';

describe('notDeliveredReason', () => {
  // Each says only what is known: "acknowledged" is true of an MQTT 3.1.1 broker only.
  it.each<[string, DeliveryRefusal | undefined, string]>([
    [
      'an MQTT 5 broker gives its reason code',
      { by: 'broker', reasonCode: 0x87 },
      'The server refused this message: not authorized (0x87).',
    ],
    [
      'an unlisted reason code is given as it is',
      { by: 'broker', reasonCode: 0xa0 },
      'The server refused this message: reason code 0xa0.',
    ],
    [
      'a publish refused here never reached the server',
      { by: 'client', reason: 'invalid topic name: empty' },
      'This message could not be sent: invalid topic name: empty.',
    ],
    [
      'an MQTT 3.1.1 broker acknowledged it and dropped it',
      { by: 'unrouted' },
      'The server acknowledged this message but did not deliver it: you may no longer be allowed to post here, or you sent too many messages at once.',
    ],
    ['kept from before the reason was kept', undefined, 'This message was not delivered.'],
  ])('%s', (_case, refusal, reason) => {
    expect(notDeliveredReason(refusal)).toBe(reason);
  });
});

describe('messageSnippet', () => {
  it.each([
    ['short', 'short'],
    ['  spaced \n  out  ', 'spaced out'],
    ['one two three four five six', 'one two three four five six'],
    ['one two three four five six seven', 'one two three four five six…'],
    ['x'.repeat(80), `${'x'.repeat(60)}…`],
  ])('%j → %j', (text, snippet) => {
    expect(messageSnippet(text)).toBe(snippet);
  });
});
