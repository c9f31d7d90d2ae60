import { decodePayload, type ChatMessage } from '../../shared/schemas';
import { isRetryable } from '../lib/api/api-error';
import type { Connection } from '../lib/mqtt/connection';
import type { Outbox, OutboxEntry } from '../lib/mqtt/outbox';
import { useChatStore } from '../features/chat/stores/chat-store';

/**
 * How long an acknowledged chat message may take to come back on our own subscription
 * before the server is asked about it. Nearly every message is back within milliseconds,
 * and asking costs one request; a message that is merely slow is not misjudged either way.
 */
export const ECHO_WAIT_MS = 2_000;
/** Messages whose question failed (offline, server restarting), asked again on reconnect. */
export const MAX_UNANSWERED = 100;

/**
 * The message of ours the room's history holds under `id`; null when it holds none (nothing
 * at all, or another sender's message: the broker routes no message under an id it keeps).
 */
export type LookupMessage = (
  room: string,
  id: string,
  signal: AbortSignal,
) => Promise<ChatMessage | null>;

export interface DeliveryCheck {
  /**
   * Checks the chat messages `connection` sends with `confirm`: those its outbox kept
   * unconfirmed when the page last went (a reload within ECHO_WAIT_MS) are shown again and
   * looked up now, those refused outright (an MQTT 5 broker, or unsendable) show as
   * refused at once, and each leaves the outbox's unconfirmed entries once it is settled.
   * One settled as refused stays in the outbox's refused entries, and those kept from
   * before the reload are shown again as refused, until the person discards them or it
   * turns out delivered after all (its echo, or the room's history, has it). Those kept
   * whose topic names no room (unsendable ones) cannot be shown, and are dropped. Call
   * once, before `start()`.
   */
  track(connection: Pick<Connection, 'outbox' | 'onPublishRefused'>): void;
  /** The broker acknowledged our chat message `id` in `room`. */
  acked(room: string, id: string): void;
  /** Connected again: asks once more what could not be asked before. */
  connected(): void;
  /**
   * Signed out, session ended or page going: nothing of this session is marked any more.
   * What is still unconfirmed stays in the outbox for the next start (sign-out clears it).
   */
  cancel(): void;
}

/**
 * Tells a chat message the broker refused from one it routed. MQTT 3.1.1 has no negative
 * PUBACK: a refused publish (the ACL narrowed since the room was opened, a failed payload
 * check) is acknowledged and dropped [MQTT-3.3.5-2], and used to show as sent. A routed
 * message usually comes back on our subscription to every room, which settles it. One
 * that has not after ECHO_WAIT_MS is looked up in the room's history: the broker records
 * an accepted message before acknowledging it, so after the PUBACK its absence means it
 * was refused, and so does another message there under its id (the broker routes no
 * message under an id it keeps: another sender's, or an earlier one of ours with other text
 * or time). The echo alone would not do: a subscription the ACL refused or removed
 * brings nothing back at all. When the server cannot tell, the message stays as sent;
 * when it could not be reached, it is asked again after the next reconnect. Until one of
 * these, the message stays in sessionStorage beside the outbox, so a reload meanwhile
 * does not lose a refused message and its text; one found refused stays there until the
 * person discards it (or it turns out delivered), so a later reload does not lose it
 * either.
 */
export function createDeliveryCheck(
  lookup: LookupMessage,
  echoWaitMs = ECHO_WAIT_MS,
): DeliveryCheck {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const unanswered = new Map<string, string>(); // id → room
  let controller = new AbortController();
  let outbox: Outbox | null = null;
  let unsubscribe = () => {};

  const check = async (room: string, id: string) => {
    if (useChatStore.getState().statusOf(room, id) !== 'acked') {
      outbox?.confirmed(id); // back meanwhile
      return;
    }
    const { signal } = controller;
    let found: ChatMessage | null;
    try {
      found = await lookup(room, id, signal);
    } catch (error) {
      if (signal.aborted) return; // the page is going: asked again at the next start
      if (isRetryable(error) && unanswered.size < MAX_UNANSWERED) unanswered.set(id, room);
      else outbox?.confirmed(id); // the server cannot tell: it stays as sent
      return;
    }
    if (signal.aborted) return;
    const { messageOf, settle } = useChatStore.getState();
    const sent = messageOf(room, id);
    // Under its id the history may hold an earlier message of ours (an id used again): the
    // broker refused this one then, and "sent" would show text nobody received.
    settle(id, found !== null && sent !== undefined && isSameMessage(found, sent));
    // Its echo may have come while the server was asked: what is shown is what is kept.
    if (useChatStore.getState().statusOf(room, id) === 'refused') outbox?.confirmedRefused(id);
    else outbox?.confirmed(id);
  };

  return {
    track(connection) {
      const tracked = (outbox = connection.outbox);
      connection.onPublishRefused((id, refusal) =>
        useChatStore.getState().markRefused(id, refusal),
      );
      const { me, restoreAcked, restoreRefused } = useChatStore.getState();
      for (const entry of tracked.listRefused()) {
        const own = ownChatMessage(entry, me);
        if (own) restoreRefused(own.room, own.message, entry.refusal);
        else tracked.discard(entry.id);
      }
      // Shown as refused, then delivered after all (its echo came, or the room's history
      // has it: use-room-messages.ts): nothing to keep. A discarded one leaves storage in
      // use-discard-message.ts, and a reset of the store changes nothing kept.
      unsubscribe = useChatStore.subscribe((state, previous) => {
        if (state.refused === previous.refused) return;
        for (const [room, messages] of Object.entries(previous.refused)) {
          for (const { id } of messages) {
            if (state.statusOf(room, id) === 'sent') tracked.discard(id);
          }
        }
      });
      for (const entry of tracked.listUnconfirmed()) {
        const own = ownChatMessage(entry, me);
        if (!own) {
          tracked.confirmed(entry.id);
          continue;
        }
        // The broker recorded it before its PUBACK, if it accepted it: no echo to wait for.
        restoreAcked(own.room, own.message);
        void check(own.room, own.message.id);
      }
    },
    acked(room, id) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        void check(room, id);
      }, echoWaitMs);
      timers.add(timer);
    },
    connected() {
      const again = [...unanswered];
      unanswered.clear();
      for (const [id, room] of again) void check(room, id);
    },
    cancel() {
      unsubscribe(); // the stores are reset next: what is kept stays for the next start
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      unanswered.clear();
      controller.abort();
      controller = new AbortController();
    },
  };
}

/** The chat message of ours an outbox entry holds; null for anything else. */
function ownChatMessage(
  entry: OutboxEntry,
  me: string | null,
): { room: string; message: ChatMessage } | null {
  const decoded = decodePayload(entry.topic, entry.payload);
  if (!decoded.ok || decoded.message.kind !== 'chat-message') return null;
  const { room, value } = decoded.message;
  return value.from === me ? { room, message: value } : null;
}

/** Whether the history's message is the one we sent, not another under its id. */
function isSameMessage(found: ChatMessage, sent: ChatMessage): boolean {
  return found.from === sent.from && found.text === sent.text && found.sentAt === sent.sentAt;
}
