import { create } from 'zustand';
import type { ChatMessage } from '../../../../shared/schemas';
import type { UnreadCounts } from '../../../../shared/unread-api';
import { AppendOnlyList } from '../../../lib/append-only-list';
import { lowerBound } from '../../../lib/lower-bound';
import type { DeliveryRefusal, PublishRefusal } from '../../../lib/mqtt/publish-refusal';
import { compareMessages } from '../lib/merge-messages';

/**
 * pending: in the outbox; acked: the broker sent its PUBACK; sent: the broker routed it
 * (it came back on our subscription, or it is in the history); refused: acknowledged but
 * not in the history, refused by an MQTT 5 broker's PUBACK, or impossible to send at all.
 * MQTT 3.1.1 has no negative PUBACK, so a message the broker refuses (the ACL narrowed
 * since the room was opened, say) is acknowledged and dropped [MQTT-3.3.5-2]
 * (src/client/app/confirm-chat-delivery.ts). A refused message is kept across reloads
 * until discarded, but for one impossible to send: its topic names no room, so the next
 * start cannot show it and drops it (room ids are checked before the app sends, so only
 * a bug would send one).
 */
export type DeliveryStatus = 'pending' | 'acked' | 'sent' | 'refused';

export interface LiveMessage extends ChatMessage {
  status: DeliveryStatus;
  /** Why a refused message was not delivered; unknown for one kept from before this was. */
  refusal?: DeliveryRefusal;
}

export interface ReceivedMessage {
  room: string;
  message: ChatMessage;
}

/**
 * For this long after the server's unread counts arrive, a live message from someone else
 * sent before they were counted (sentAt < asOf) is taken to be in them, as unread or as
 * read elsewhere, and adds nothing: the queue a reloaded tab's persistent session delivers
 * comes within it. After it, such a message is one composed offline and delivered late,
 * which no count had, and counts.
 */
export const COUNTED_QUEUE_WINDOW_MS = 30_000;

/**
 * A live message taken to be in the counts by its date alone (COUNTED_QUEUE_WINDOW_MS) and
 * dated more than this before their asOf may be missing from them: one composed offline
 * (the outbox) or stamped by a slow clock, and recorded after they were counted, looks just
 * like a queued one. It puts the counts in doubt (countsInDoubt), and they are asked for
 * again. Nearer asOf is the boundary docs/decisions.md accepts: the app's senders stamp the
 * server's clock to within about a second.
 */
export const UNSURE_BEFORE_AS_OF_MS = 2_000;

/** Where this tab stood when it asked the server for unread counts (beginUnreadSync). */
export interface UnreadSyncMark {
  /** Rooms opened or left after this (setActiveRoom) keep the count they have. */
  readonly views: number;
  /** The ids of the messages each room had: what arrives after them is not in the answer. */
  readonly known: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Asked with a doubt unsettled (doubtUnsettled): the answer keeps the window the counts
   * in doubt opened, so doubts, and the recounts they ask for, end with it. Were it to open
   * its own, a sender with a slow clock would keep them going for as long as it writes.
   */
  readonly recount: boolean;
}

interface ChatStore {
  me: string | null;
  /**
   * Messages seen live (or sent from here) since sign-in, by room, ordered by (sentAt,
   * id), less those of ours discarded as not delivered. A room's list is replaced, never
   * changed, when its messages change.
   */
  live: Record<string, AppendOnlyList<LiveMessage>>;
  /**
   * Our messages shown as not delivered, by room, in the order they were refused: few,
   * so views can list or check them without going through every message. A room's list
   * is replaced when it changes; a room with none has no entry.
   */
  refused: Readonly<Record<string, readonly LiveMessage[]>>;
  /**
   * Unread messages by room: the server's count (applyUnreadCounts), plus those from others
   * that arrived live while the room was not open.
   */
  unread: Record<string, number>;
  /** The newest message from someone else that arrived live in each room. */
  latestFromOthers: Record<string, LiveMessage>;
  activeRoom: string | null;
  /**
   * Grows each time live messages arrive that the last unread counts may lack
   * (UNSURE_BEFORE_AS_OF_MS): the app asks for them again (a recount), whose answer,
   * applied like any other, settles it (app/use-refetch-changed-elsewhere.ts).
   */
  countsInDoubt: number;
  /**
   * Whether a doubt (countsInDoubt) was raised since the counts were last asked for, or
   * settleDoubts: the next to be asked is a recount (UnreadSyncMark.recount).
   */
  doubtUnsettled(): boolean;
  /**
   * The doubts raised so far ask for no recount: the next counts asked for open a window of
   * their own. For a reconnect, whose queue is coming, to be counted by such a window.
   */
  settleDoubts(): void;
  setMe(user: string): void;
  /**
   * Messages from the broker: each has been accepted, so it counts as sent; but one from
   * another sender with the id of one of ours is not ours, and changes nothing of it.
   */
  receiveBatch(batch: readonly ReceivedMessage[]): void;
  receive(room: string, message: ChatMessage): void;
  /** A message composed here, waiting for its PUBACK. */
  addPending(room: string, message: ChatMessage): void;
  /**
   * A message acknowledged before a reload whose delivery was not confirmed yet: shown
   * again, as acked, until it is settled.
   */
  restoreAcked(room: string, message: ChatMessage): void;
  /** A message of ours refused before a reload and not discarded: shown again as refused. */
  restoreRefused(room: string, message: ChatMessage, refusal?: DeliveryRefusal): void;
  /** PUBACK for an outbox id: its room, or null when it is no chat message pending here. */
  markAcked(id: string): string | null;
  /** A pending message was refused outright (MQTT 5 PUBACK, or unsendable): at once. */
  markRefused(id: string, refusal: PublishRefusal): void;
  /** Whether an acked message was routed (sent) or refused; no-op for any other status. */
  settle(id: string, routed: boolean): void;
  /**
   * Messages of ours in `room`, shown as refused, that its history holds after all (a
   * verdict overtaken, or a refused resend of a copy accepted before): sent.
   */
  foundInHistory(room: string, ids: readonly string[]): void;
  /**
   * The person dealt with a refused message of ours: it goes. True when it was refused;
   * any other message stays (others may have it).
   */
  discard(room: string, id: string): boolean;
  /** The delivery status of a message seen here; undefined for one never seen. */
  statusOf(room: string, id: string): DeliveryStatus | undefined;
  /** The message seen here under `id` in `room` (ours, while not yet sent); undefined if none. */
  messageOf(room: string, id: string): LiveMessage | undefined;
  setActiveRoom(room: string | null): void;
  /**
   * Call as the unread counts are asked for, whoever asks: a recount if a doubt is
   * unsettled (doubtUnsettled), which this settles. Pass the result to applyUnreadCounts.
   */
  beginUnreadSync(): UnreadSyncMark;
  /**
   * The server's unread counts, asked for at `mark`: they replace what was counted here
   * before it, and what arrived since, sent from their asOf on, is added. A room they do
   * not have keeps only that (they list every room the person may read). Messages sent
   * before asOf and delivered live later (a persistent session's queue) are in them
   * already, as unread or as read on another device: for COUNTED_QUEUE_WINDOW_MS they add
   * nothing, and those dated well before asOf put the counts in doubt (countsInDoubt).
   */
  applyUnreadCounts(mark: UnreadSyncMark, counts: UnreadCounts): void;
  reset(): void;
}

const initial = {
  me: null,
  live: {},
  refused: {},
  unread: {},
  latestFromOthers: {},
  activeRoom: null,
  countsInDoubt: 0,
};

/** `refused` with message `id` of `room` put last (`message`), or taken out (null). */
function withRefused(
  refused: Readonly<Record<string, readonly LiveMessage[]>>,
  room: string,
  id: string,
  message: LiveMessage | null,
): Readonly<Record<string, readonly LiveMessage[]>> {
  const before = refused[room] ?? [];
  const others = before.filter((kept) => kept.id !== id);
  if (!message && others.length === before.length) return refused;
  const next = { ...refused };
  if (message) next[room] = [...others, message];
  else if (others.length > 0) next[room] = others;
  else delete next[room];
  return next;
}

/**
 * The rooms an update changes. While messages only append, a room's list grows in place
 * (O(messages added), whatever the room's size); a message that sorts elsewhere, or
 * replaces one, makes it an array copied once per update and changed from then on.
 */
class LiveDraft {
  private readonly changed = new Map<string, AppendOnlyList<LiveMessage> | LiveMessage[]>();
  constructor(private readonly live: Record<string, AppendOnlyList<LiveMessage>>) {}

  private current(room: string): AppendOnlyList<LiveMessage> | LiveMessage[] {
    return this.changed.get(room) ?? this.live[room] ?? AppendOnlyList.adopt([]);
  }

  private editable(room: string): LiveMessage[] {
    const current = this.current(room);
    if (Array.isArray(current)) return current;
    const copy = current.toArray();
    this.changed.set(room, copy);
    return copy;
  }

  insert(room: string, message: LiveMessage): void {
    const current = this.current(room);
    const last = current.at(-1);
    if (!last || compareMessages(last, message) < 0) {
      if (Array.isArray(current)) current.push(message);
      else this.changed.set(room, current.concat([message]));
      return;
    }
    const messages = this.editable(room);
    messages.splice(lowerBound(messages, message, compareMessages), 0, message);
  }

  replace(room: string, known: LiveMessage, message: LiveMessage): void {
    const messages = this.editable(room);
    const index = this.indexOf(messages, known);
    if (index === -1) {
      this.insert(room, message);
    } else if (compareMessages(known, message) === 0) {
      messages[index] = message;
    } else {
      // Same id, another time: only a misbehaving sender does that; keep the order.
      messages.splice(index, 1);
      this.insert(room, message);
    }
  }

  remove(room: string, known: LiveMessage): void {
    const messages = this.editable(room);
    const index = this.indexOf(messages, known);
    if (index !== -1) messages.splice(index, 1);
  }

  private indexOf(messages: readonly LiveMessage[], known: LiveMessage): number {
    const found = lowerBound(messages, known, compareMessages);
    return messages[found] === known ? found : messages.indexOf(known);
  }

  result(): Record<string, AppendOnlyList<LiveMessage>> | null {
    if (this.changed.size === 0) return null;
    const live = { ...this.live };
    for (const [room, messages] of this.changed) {
      live[room] = Array.isArray(messages) ? AppendOnlyList.adopt(messages) : messages;
    }
    return live;
  }
}

export const useChatStore = create<ChatStore>()((set, get) => {
  // room → id → live message, to deduplicate and to find a message on its PUBACK
  // without searching. Grows like `live` (a discarded message leaves both); cleared with it.
  let known = new Map<string, Map<string, LiveMessage>>();
  const knownIn = (room: string) => {
    let ids = known.get(room);
    if (!ids) known.set(room, (ids = new Map()));
    return ids;
  };
  // The server's last unread counts: live messages from others sent before countedAsOf
  // are in them, until countedUntil (this tab's clock). The app's senders stamp sentAt
  // with the server's clock, to within about a second, so a message sent that close to
  // asOf may be counted twice or not at all: the accepted cost of a boundary that needs no
  // ids. One dated further back (a slow clock, an offline outbox) may have been recorded
  // after the count: that is not left to chance but put in doubt, and asked again
  // (UNSURE_BEFORE_AS_OF_MS). A clock running ahead, which the broker allows up to 60 s,
  // can still have one counted twice.
  let countedAsOf = 0;
  let countedUntil = 0;
  // countsInDoubt as the counts were last asked for (or settleDoubts): any more are unsettled.
  let settledDoubts = 0;
  // setActiveRoom calls, and the last one that opened or left each room.
  let views = 0;
  let viewedAt = new Map<string, number>();

  /**
   * Moves message `id` of `room` from status `from` to `to` (why, when refused): whether
   * it was at `from`.
   */
  const moveIn = (
    room: string,
    id: string,
    from: DeliveryStatus,
    to: DeliveryStatus,
    refusal?: DeliveryRefusal,
  ): boolean => {
    const ids = known.get(room);
    const seen = ids?.get(id);
    if (!ids || seen?.status !== from) return false;
    const moved: LiveMessage = { ...seen, status: to, refusal };
    ids.set(id, moved);
    set((state) => {
      const draft = new LiveDraft(state.live);
      draft.replace(room, seen, moved);
      const refused =
        from === 'refused' || to === 'refused'
          ? withRefused(state.refused, room, id, to === 'refused' ? moved : null)
          : state.refused;
      return { live: draft.result() ?? state.live, refused };
    });
    return true;
  };

  /**
   * Moves outbox message `id`, in the first room that has it, from status `from` to `to`
   * (a PUBACK names no room): its room, or null if not at `from` there.
   */
  const moveStatus = (
    id: string,
    from: DeliveryStatus,
    to: DeliveryStatus,
    refusal?: DeliveryRefusal,
  ): string | null => {
    for (const [room, ids] of known) {
      if (!ids.has(id)) continue;
      return moveIn(room, id, from, to, refusal) ? room : null;
    }
    return null;
  };

  /** One of our own messages, not routed yet as far as we know. */
  const add = (
    room: string,
    message: ChatMessage,
    status: DeliveryStatus,
    refusal?: DeliveryRefusal,
  ) =>
    set((state) => {
      const ids = knownIn(room);
      if (ids.has(message.id)) return state;
      const own: LiveMessage = refusal ? { ...message, status, refusal } : { ...message, status };
      ids.set(message.id, own);
      const draft = new LiveDraft(state.live);
      draft.insert(room, own);
      const refused =
        status === 'refused' ? withRefused(state.refused, room, own.id, own) : state.refused;
      return { live: draft.result() ?? state.live, refused };
    });

  return {
    ...initial,
    setMe: (me) => set({ me }),
    receiveBatch: (batch) =>
      set((state) => {
        const draft = new LiveDraft(state.live);
        // Once per batch, so each message costs one comparison.
        const countedBefore = Date.now() < countedUntil ? countedAsOf : -Infinity;
        const unsureBefore = countedBefore - UNSURE_BEFORE_AS_OF_MS;
        let inDoubt = false;
        let unread: Record<string, number> | null = null;
        let latest: Record<string, LiveMessage> | null = null;
        let refused = state.refused;
        for (const { room, message } of batch) {
          const ids = knownIn(room);
          const seen = ids.get(message.id);
          // Sent already: a QoS 1 redelivery. From another sender: not our message back
          // (ids are the sender's to choose), so ours stays as it is, refused included, and
          // its text with it. The live list keeps the first seen of an id (one lookup per
          // message); another sender's shows beside it once in the room's history
          // (merge-messages.ts).
          if (seen && (seen.status === 'sent' || seen.from !== message.from)) continue;
          const sent: LiveMessage = { ...message, status: 'sent' };
          ids.set(message.id, sent);
          if (seen) {
            draft.replace(room, seen, sent);
            // Refused, then back after all: delivered (a wrong verdict, or a resend refused
            // after a lost PUBACK while the first copy went through).
            if (seen.status === 'refused') refused = withRefused(refused, room, seen.id, null);
            continue;
          }
          draft.insert(room, sent);
          if (message.from === state.me) continue;
          latest ??= { ...state.latestFromOthers };
          latest[room] = sent;
          if (room === state.activeRoom) continue;
          if (message.sentAt < countedBefore) {
            // In the server's counts already; or, recorded after them, not at all.
            if (message.sentAt < unsureBefore) inDoubt = true;
            continue;
          }
          unread ??= { ...state.unread };
          unread[room] = (unread[room] ?? 0) + 1;
        }
        const live = draft.result();
        if (!live) return state;
        return {
          live,
          refused,
          unread: unread ?? state.unread,
          latestFromOthers: latest ?? state.latestFromOthers,
          countsInDoubt: inDoubt ? state.countsInDoubt + 1 : state.countsInDoubt,
        };
      }),
    receive: (room, message) => get().receiveBatch([{ room, message }]),
    addPending: (room, message) => add(room, message, 'pending'),
    restoreAcked: (room, message) => add(room, message, 'acked'),
    restoreRefused: (room, message, refusal) => add(room, message, 'refused', refusal),
    markAcked: (id) => moveStatus(id, 'pending', 'acked'),
    markRefused: (id, refusal) => {
      moveStatus(id, 'pending', 'refused', refusal);
    },
    settle: (id, routed) => {
      if (routed) moveStatus(id, 'acked', 'sent');
      else moveStatus(id, 'acked', 'refused', { by: 'unrouted' });
    },
    foundInHistory: (room, ids) => {
      // That room's only: the same id may be another room's message too.
      for (const id of ids) moveIn(room, id, 'refused', 'sent');
    },
    discard: (room, id) => {
      const ids = known.get(room);
      const seen = ids?.get(id);
      if (!ids || seen?.status !== 'refused') return false;
      ids.delete(id);
      set((state) => {
        const draft = new LiveDraft(state.live);
        draft.remove(room, seen);
        return {
          live: draft.result() ?? state.live,
          refused: withRefused(state.refused, room, id, null),
        };
      });
      return true;
    },
    statusOf: (room, id) => known.get(room)?.get(id)?.status,
    messageOf: (room, id) => known.get(room)?.get(id),
    setActiveRoom: (activeRoom) =>
      set((state) => {
        views += 1;
        if (state.activeRoom) viewedAt.set(state.activeRoom, views);
        if (activeRoom) viewedAt.set(activeRoom, views);
        return {
          activeRoom,
          unread:
            activeRoom && state.unread[activeRoom]
              ? { ...state.unread, [activeRoom]: 0 }
              : state.unread,
        };
      }),
    doubtUnsettled: () => get().countsInDoubt > settledDoubts,
    settleDoubts: () => {
      settledDoubts = get().countsInDoubt;
    },
    beginUnreadSync: () => {
      const recount = get().doubtUnsettled();
      get().settleDoubts();
      return {
        views,
        known: new Map([...known].map(([room, ids]) => [room, new Set(ids.keys())])),
        recount,
      };
    },
    applyUnreadCounts: (mark, { asOf, rooms }) =>
      set((state) => {
        countedAsOf = asOf;
        if (!mark.recount) countedUntil = Date.now() + COUNTED_QUEUE_WINDOW_MS;
        // What arrived on the answer's way is judged as what arrives after it: in doubt
        // only while the window is open.
        const unsureBefore = Date.now() < countedUntil ? asOf - UNSURE_BEFORE_AS_OF_MS : -Infinity;
        let inDoubt = false;
        const unread = { ...state.unread };
        const counted = new Map(rooms.map(({ room, unread: count }) => [room, count]));
        // The answer has every room the person may read: one counted here that it lacks
        // (read access taken away, or never there) has nothing unread, but what came since.
        for (const room of new Set([...counted.keys(), ...Object.keys(unread)])) {
          // Open, or read since the question (the answer may predate its read mark).
          if (room === state.activeRoom || (viewedAt.get(room) ?? 0) > mark.views) continue;
          const before = mark.known.get(room);
          let since = 0;
          for (const [id, message] of known.get(room) ?? []) {
            if (message.from === state.me || before?.has(id)) continue;
            if (message.sentAt >= asOf) since += 1;
            else if (message.sentAt < unsureBefore) inDoubt = true;
          }
          const count = counted.get(room);
          if (count === undefined && since === 0) delete unread[room];
          else unread[room] = (count ?? 0) + since;
        }
        return {
          unread,
          countsInDoubt: inDoubt ? state.countsInDoubt + 1 : state.countsInDoubt,
        };
      }),
    reset: () => {
      known = new Map();
      countedAsOf = 0;
      countedUntil = 0;
      settledDoubts = 0;
      views = 0;
      viewedAt = new Map();
      set(initial);
    },
  };
});
