import { useChatStore } from '../features/chat/stores/chat-store';
import { useConnectionStore } from '../features/connection/stores/connection-store';

/**
 * How long an acknowledged chat message may take to come back before it shows as not
 * delivered. A routed message comes back within a second even at 10,000 messages/s
 * (docs/benchmarks.md, target 4); this leaves room for a machine far busier than that.
 */
export const ECHO_TIMEOUT_MS = 10_000;

export interface EchoWatch {
  /** The broker acknowledged chat message `id`: expect it back on our subscription. */
  acked(id: string): void;
  /** Signed out or session ended: no message of this session is marked any more. */
  cancel(): void;
}

/**
 * Marks a chat message refused when the broker acknowledged it but never sent it back.
 * MQTT 3.1.1 has no negative PUBACK: a message the broker refuses (its ACL, its payload
 * checks) is acknowledged and dropped. Every member subscribes to every room they can
 * read, so a message the broker routed comes back to its sender; one that does not within
 * ECHO_TIMEOUT_MS of connected time was dropped. While the connection is down, or if it
 * was re-established meanwhile, the wait starts again: the message may still come with
 * the session's queue. One that comes back after all shows as sent again.
 */
export function createEchoWatch(timeoutMs = ECHO_TIMEOUT_MS): EchoWatch {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const connectedSince = () => {
    const { state, connectCount } = useConnectionStore.getState();
    return state.status === 'connected' ? connectCount : null;
  };
  const wait = (id: string, connection: number | null) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const now = connectedSince();
      if (now === null || now !== connection) wait(id, now);
      else useChatStore.getState().markRefused(id);
    }, timeoutMs);
    timers.add(timer);
  };
  return {
    acked: (id) => wait(id, connectedSince()),
    cancel() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
