import { accountOf } from '../../../src/client/features/auth/api/get-session';
import { Outbox, OUTBOX_STORAGE_KEY } from '../../../src/client/lib/mqtt/outbox';
import type { ChatMessage } from '../../../src/shared/schemas';
import { chatMessagesTopic } from '../../../src/shared/topics';
import { ALICE } from './fixtures';

/** Alice's outbox in this tab's storage, as the next start of the app reads it. */
export const aliceOutbox = () =>
  new Outbox(sessionStorage, `${OUTBOX_STORAGE_KEY}:${accountOf(ALICE)}`);

/** Our message `text` to `room`, refused by the broker in the tab's life before this one. */
export function refusedBeforeReload(room: string, text: string, sentAt: number): ChatMessage {
  const message = { id: crypto.randomUUID(), from: ALICE.user, text, sentAt };
  const kept = aliceOutbox();
  kept.add({
    id: message.id,
    topic: chatMessagesTopic(room),
    payload: JSON.stringify(message),
    qos: 1,
    retain: false,
    confirm: true,
  });
  kept.refuse(message.id, { by: 'broker', reasonCode: 0x87 });
  return message;
}

/** The texts of the messages kept as refused in alice's outbox, in the order refused. */
export const keptTexts = () =>
  aliceOutbox()
    .listRefused()
    .map((entry) => (JSON.parse(entry.payload) as ChatMessage).text);
