import type { ChatMessage } from '../../shared/schemas';
import { useChatStore } from '../features/chat/stores/chat-store';

/**
 * How long an acknowledged chat message may take to come back on our own subscription
 * before the server is asked about it. Nearly every message is back within milliseconds,
 * and asking costs one request; a message that is merely slow is not misjudged either way.
 */
export const ECHO_WAIT_MS = 2_000;

export type LookupMessage = (
  room: string,
  id: string,
  signal: AbortSignal,
) => Promise<ChatMessage | null>;

export interface DeliveryCheck {
  /** The broker acknowledged our chat message `id` in `room`. */
  acked(room: string, id: string): void;
  /** Signed out or session ended: nothing of this session is marked any more. */
  cancel(): void;
}

/**
 * Tells a chat message the broker refused from one it routed. MQTT 3.1.1 has no negative
 * PUBACK: a refused publish (the ACL narrowed since the room was opened, a failed payload
 * check) is acknowledged and dropped [MQTT-3.3.5-2], and used to show as sent. A routed
 * message usually comes back on our subscription to every room, which settles it. One
 * that has not after ECHO_WAIT_MS is looked up in the room's history: the broker records
 * an accepted message before acknowledging it, so after the PUBACK its absence means it
 * was refused. The echo alone would not do: a subscription the ACL refused or removed
 * brings nothing back at all. When the server cannot tell, the message stays as sent.
 */
export function createDeliveryCheck(
  lookup: LookupMessage,
  echoWaitMs = ECHO_WAIT_MS,
): DeliveryCheck {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const controller = { current: new AbortController() };
  const check = async (room: string, id: string) => {
    const { signal } = controller.current;
    const { me, settle } = useChatStore.getState();
    const found = await lookup(room, id, signal).catch(() => undefined);
    if (signal.aborted || found === undefined) return;
    settle(id, found !== null && found.from === me);
  };
  return {
    acked(room, id) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (useChatStore.getState().statusOf(room, id) === 'acked') void check(room, id);
      }, echoWaitMs);
      timers.add(timer);
    },
    cancel() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      controller.current.abort();
      controller.current = new AbortController();
    },
  };
}
