import type { AppNotification, ChatMessage } from '../../shared/schemas';
import type { HistoryRecorder } from './record-history';

type Entry =
  | { kind: 'chat'; org: string; room: string; message: ChatMessage }
  | { kind: 'notification'; org: string; user: string; notification: AppNotification };

export interface HistoryWriter {
  chatMessage(org: string, room: string, message: ChatMessage): void;
  notification(org: string, user: string, notification: AppNotification): void;
  /** Runs `work` in one transaction. */
  transaction(work: () => void): void;
}

/**
 * Records the messages routed in one event-loop turn in one transaction: a SQLite commit
 * per chat message cost ≈ 37 µs, most of the broker's cost per routed chat message. If a
 * batch fails, its messages are written one by one so that only a bad one is lost, and
 * reported. `flush()` writes what is waiting: the transports call it before a turn's
 * writes leave, so a PUBACK never precedes the commit of what it acknowledges, and the
 * server before the database closes.
 */
export function createBatchedHistory(
  writer: HistoryWriter,
  onError: (error: unknown) => void,
): HistoryRecorder & { flush(): void } {
  let pending: Entry[] = [];
  let scheduled: NodeJS.Immediate | null = null;

  const write = (entry: Entry) => {
    if (entry.kind === 'chat') writer.chatMessage(entry.org, entry.room, entry.message);
    else writer.notification(entry.org, entry.user, entry.notification);
  };
  const flush = () => {
    if (pending.length === 0) return; // the common case: the transports call it every turn
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const batch = pending;
    pending = [];
    try {
      writer.transaction(() => batch.forEach(write));
    } catch {
      for (const entry of batch) {
        try {
          write(entry);
        } catch (error) {
          onError(error);
        }
      }
    }
  };
  const add = (entry: Entry) => {
    pending.push(entry);
    scheduled ??= setImmediate(flush);
  };

  return {
    chatMessage: (org, room, message) => add({ kind: 'chat', org, room, message }),
    notification: (org, user, notification) =>
      add({ kind: 'notification', org, user, notification }),
    onError,
    flush,
  };
}
