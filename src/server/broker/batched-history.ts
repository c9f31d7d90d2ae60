import type { AgentCommand, AgentReply, AppNotification, ChatMessage } from '../../shared/schemas';
import type { HistoryEntry, HistoryRecorder } from './record-history';

export interface HistoryWriter {
  /** Writes it unless the room's history holds its id; whether it was written. */
  chatMessage(org: string, room: string, message: ChatMessage): boolean;
  /** Writes it unless the user's notifications hold its id; whether it was written. */
  notification(org: string, user: string, notification: AppNotification): boolean;
  /** Writes it unless the agent's command log holds its id; whether it was written. */
  agentCommand(org: string, agent: string, command: AgentCommand): boolean;
  /** Keeps a reply with the agent's logged command it names; whether it was kept. */
  agentReply(org: string, agent: string, reply: AgentReply): boolean;
  /** The agent went offline: marks the commands it accepted and left unfinished. */
  agentLeft(org: string, agent: string): void;
  /** Whether the room's history holds this very message (a resend), not another one. */
  holdsChatMessage(org: string, room: string, message: ChatMessage): boolean;
  /** Whether the user's notifications hold this very one (a resend), not another one. */
  holdsNotification(org: string, user: string, notification: AppNotification): boolean;
  /** Whether the agent's command log holds this very command (a resend), not another one. */
  holdsAgentCommand(org: string, agent: string, command: AgentCommand): boolean;
  /** Runs `work` in one transaction. */
  transaction(work: () => void): void;
}

/** A chat message written for the first time: its org, room and message. */
type ChatWritten = [org: string, room: string, message: ChatMessage];

/**
 * Told of the chat messages a batch writes for the first time, in its transaction, so that
 * what it writes for them (mention notices) is committed with them or not at all
 * (mention-notifications.ts).
 */
export interface ChatListener {
  /** Written for the first time, in the batch's transaction. Must not throw. */
  written(...message: ChatWritten): void;
  /** The batch's transaction was rolled back: what `written` wrote in it is gone. */
  rolledBack(): void;
  /** What was written is committed (the turn's PUBACKs may leave). */
  committed(): void;
}

const NO_LISTENER: ChatListener = { written() {}, rolledBack() {}, committed() {} };

/**
 * Records the messages routed in one event-loop turn in one transaction: a SQLite commit
 * per chat message cost ≈ 37 µs, most of the broker's cost per routed chat message. If a
 * batch fails, its messages are written one by one so that only a bad one is lost, and
 * reported. `flush()` writes what is waiting: the transports call it before a turn's
 * writes leave, so a PUBACK never precedes the commit of what it acknowledges, and the
 * server before the database closes. Entries whose id was kept already are told so once
 * their batch is committed (`onIdKept`), which is before aedes routes them. Chat messages
 * written for the first time are told to `chat` as they are written, in the transaction.
 */
export function createBatchedHistory(
  writer: HistoryWriter,
  onError: (error: unknown) => void,
  chat: ChatListener = NO_LISTENER,
): HistoryRecorder {
  let pending: HistoryEntry[] = [];
  let scheduled: NodeJS.Immediate | null = null;

  const write = ({ org, message }: HistoryEntry): boolean => {
    switch (message.kind) {
      case 'chat-message':
        return writer.chatMessage(org, message.room, message.value);
      case 'notification':
        return writer.notification(org, message.user, message.value);
      case 'agent-inbox':
        return writer.agentCommand(org, message.agent, message.value);
      case 'agent-replies':
        return writer.agentReply(org, message.agent, message.value);
      case 'agent-state': // an offline one (record-history.ts)
        writer.agentLeft(org, message.agent);
        return true;
    }
  };
  // Read after the commit: a resend of one earlier in the same batch finds it.
  const tellKept = (entry: HistoryEntry) => {
    const { org, message } = entry;
    let resent = true; // if that cannot be read: dropped without a refusal logged
    try {
      // Replies have no onIdKept (record-history.ts): one not kept is routed all the same.
      if (message.kind === 'chat-message')
        resent = writer.holdsChatMessage(org, message.room, message.value);
      else if (message.kind === 'notification')
        resent = writer.holdsNotification(org, message.user, message.value);
      else if (message.kind === 'agent-inbox')
        resent = writer.holdsAgentCommand(org, message.agent, message.value);
    } catch (error) {
      onError(error);
    }
    entry.onIdKept?.(entry, resent);
  };
  const flush = () => {
    if (pending.length === 0) return; // the common case: the transports call it every turn
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const batch = pending;
    pending = [];
    let kept: HistoryEntry[] = [];
    const writeOne = (entry: HistoryEntry) => {
      const { org, message } = entry;
      if (write(entry)) {
        if (message.kind === 'chat-message') chat.written(org, message.room, message.value);
      } else if (entry.onIdKept !== null) kept.push(entry);
    };
    try {
      writer.transaction(() => {
        for (const entry of batch) writeOne(entry);
      });
    } catch {
      kept = []; // rolled back: written again, one by one
      chat.rolledBack();
      for (const entry of batch) {
        try {
          writeOne(entry);
        } catch (error) {
          onError(error); // not written, and routed all the same
        }
      }
    }
    chat.committed();
    for (const entry of kept) tellKept(entry);
  };

  return {
    record(entry) {
      pending.push(entry);
      scheduled ??= setImmediate(flush);
    },
    onError,
    flush,
  };
}
