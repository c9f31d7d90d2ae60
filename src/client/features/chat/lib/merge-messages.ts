import { MAX_PAYLOAD_ID_LENGTH, type ChatMessage } from '../../../../shared/schemas';
import type { DeliveryStatus, LiveMessage } from '../stores/chat-store';
import { AppendOnlyList } from '../../../lib/append-only-list';
import { lowerBound } from '../../../lib/lower-bound';
import type { DeliveryRefusal } from '../../../lib/mqtt/publish-refusal';

export interface TimelineMessage extends ChatMessage {
  status: DeliveryStatus;
  /** Why a refused message of ours was not delivered, when known. */
  refusal?: DeliveryRefusal;
  /**
   * Its row's key, where not its id: set only on a live message whose id another sender's
   * message in history has too (ids are the sender's to choose), so that both have a row.
   */
  key?: string;
}

// Longer than any message id may be (every message shown was checked against the
// schema), so a key made with it equals no message's id.
const SHARED_ID_KEY_SUFFIX = '#'.repeat(MAX_PAYLOAD_ID_LENGTH);

/** The key of a message's row in a timeline: its id, or `key` where the id is shared. */
export function rowKey(message: TimelineMessage): string {
  return message.key ?? message.id;
}

/** sentAt, then id: every client orders the same messages the same way. */
export function compareMessages(a: ChatMessage, b: ChatMessage): number {
  if (a.sentAt !== b.sentAt) return a.sentAt - b.sentAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Two ordered lists as one. Pages and live messages mostly follow each other, so only
 * the stretch where they overlap is compared message by message; the rest is copied.
 */
export function mergeSorted<T extends ChatMessage>(a: readonly T[], b: readonly T[]): T[] {
  const firstA = a[0];
  const firstB = b[0];
  if (firstA === undefined) return b.slice();
  if (firstB === undefined) return a.slice();
  if (compareMessages(a[a.length - 1] as T, firstB) < 0) return a.concat(b);
  if (compareMessages(b[b.length - 1] as T, firstA) < 0) return b.concat(a);
  const [early, late] = compareMessages(firstA, firstB) <= 0 ? [a, b] : [b, a];
  let i = lowerBound<ChatMessage>(early, late[0] as T, compareMessages);
  const merged = early.slice(0, i);
  let j = 0;
  while (i < early.length && j < late.length) {
    const x = early[i] as T;
    const y = late[j] as T;
    if (compareMessages(x, y) <= 0) {
      merged.push(x);
      i++;
    } else {
      merged.push(y);
      j++;
    }
  }
  for (; i < early.length; i++) merged.push(early[i] as T);
  for (; j < late.length; j++) merged.push(late[j] as T);
  return merged;
}

function isOrdered(list: readonly ChatMessage[]): boolean {
  for (let i = 1; i < list.length; i++) {
    if (compareMessages(list[i - 1] as ChatMessage, list[i] as ChatMessage) > 0) return false;
  }
  return true;
}

/** A message the server has in history has certainly been sent. Computed once per page. */
const sentPages = new WeakMap<readonly ChatMessage[], TimelineMessage[]>();
function sentPage(page: readonly ChatMessage[]): TimelineMessage[] {
  let sent = sentPages.get(page);
  if (!sent) {
    sent = page.map((message) => ({ ...message, status: 'sent' as const }));
    if (!isOrdered(sent)) sent.sort(compareMessages);
    sentPages.set(page, sent);
  }
  return sent;
}

/**
 * The loaded history pages as one ordered, duplicate-free list. Built page by page: a
 * new older page is merged into the previous timeline instead of re-sorting all pages.
 */
export interface HistoryTimeline {
  readonly pages: ReadonlyArray<readonly ChatMessage[]>;
  readonly messages: readonly TimelineMessage[];
  /** Whether a message id is in one of this timeline's pages. */
  has(id: string): boolean;
  /** The message with that id in one of this timeline's pages (whoever sent it). */
  get(id: string): TimelineMessage | undefined;
}

/**
 * Ids seen along one chain of timelines, each with the number of pages of the first
 * timeline that had it: a timeline of n pages has an id iff that number is ≤ n. Shared
 * by a timeline and its extensions, never by two branches (see `extendHistory`).
 */
interface Lineage {
  firstSeen: Map<string, number>;
  /** The copy kept of each id (the first seen): who sent it matters to our own messages. */
  copies: Map<string, TimelineMessage>;
  latest: HistoryTimeline | null;
}
const lineages = new WeakMap<HistoryTimeline, Lineage>();

function timeline(
  lineage: Lineage,
  pages: ReadonlyArray<readonly ChatMessage[]>,
  messages: readonly TimelineMessage[],
): HistoryTimeline {
  const pageCount = pages.length;
  const has = (id: string) => (lineage.firstSeen.get(id) ?? Infinity) <= pageCount;
  const made: HistoryTimeline = {
    pages,
    messages,
    has,
    // Most live messages are in no page: one lookup tells, as `has` alone would.
    get: (id) => {
      const copy = lineage.copies.get(id);
      return copy && has(id) ? copy : undefined;
    },
  };
  lineage.latest = made;
  lineages.set(made, lineage);
  return made;
}

/** The pages not yet in `timeline`, deduplicated against it and each other. */
function addPages(
  lineage: Lineage,
  pages: ReadonlyArray<readonly ChatMessage[]>,
  from: number,
): TimelineMessage[] {
  const added: TimelineMessage[] = [];
  for (let index = from; index < pages.length; index++) {
    const page = sentPage(pages[index] as readonly ChatMessage[]);
    for (const message of page) {
      if (lineage.firstSeen.has(message.id)) continue; // overlapping pages (refetch)
      lineage.firstSeen.set(message.id, index + 1);
      lineage.copies.set(message.id, message);
      added.push(message);
    }
  }
  return added;
}

/**
 * `pages` as a timeline, reusing `previous` when `pages` only adds older pages to it
 * (scrolling back). Anything else, such as a refetch after a reconnect, rebuilds.
 */
export function extendHistory(
  previous: HistoryTimeline | null,
  pages: ReadonlyArray<readonly ChatMessage[]>,
): HistoryTimeline {
  const lineage = previous ? lineages.get(previous) : undefined;
  const extends_ =
    previous !== null &&
    lineage?.latest === previous && // a sibling would have added its own ids
    pages.length >= previous.pages.length &&
    previous.pages.every((page, index) => pages[index] === page);
  if (extends_ && previous.pages.length === pages.length) return previous;
  if (extends_) {
    const added = addPages(lineage, pages, previous.pages.length);
    if (!isOrdered(added)) added.sort(compareMessages);
    return timeline(lineage, pages, mergeSorted(added, previous.messages));
  }
  const fresh: Lineage = { firstSeen: new Map(), copies: new Map(), latest: null };
  const all = addPages(fresh, pages, 0);
  if (!isOrdered(all)) all.sort(compareMessages);
  return timeline(fresh, pages, all);
}

/** The last merge with each history timeline, for `mergeLive` to carry on from. */
const lastMerges = new WeakMap<
  HistoryTimeline,
  { live: AppendOnlyList<LiveMessage>; merged: AppendOnlyList<TimelineMessage> }
>();

/**
 * A live message as merged with `history`: null when history has it from the same sender
 * (history's copy wins), else the message, given a row key of its own when history has
 * another sender's message with its id. That one is another message, not a copy: ids are
 * the sender's to choose, so a hostile or buggy client can reuse one, and hiding ours
 * behind it would hide a message of ours kept as not delivered, never to be discarded.
 * O(1), and allocates only in that rare case.
 */
function unlessInHistory(history: HistoryTimeline, message: LiveMessage): TimelineMessage | null {
  const copy = history.get(message.id);
  if (copy === undefined) return message;
  if (copy.from === message.from) return null;
  return { ...message, key: `${message.id}${SHARED_ID_KEY_SUFFIX}` };
}

/**
 * One timeline from history (HTTP) and live messages (MQTT, already ordered). They
 * overlap by design, around the moment history was fetched, so the union is
 * deduplicated by id and sender, history's copy winning.
 *
 * When `live` only appends to the live list of the last merge with `history`, and what
 * it adds sorts after that merge's end (new messages, as they arrive), the result extends
 * that merge: the work is the new messages', not the room's.
 */
export function mergeLive(
  history: HistoryTimeline,
  live: AppendOnlyList<LiveMessage> | undefined,
): AppendOnlyList<TimelineMessage> {
  if (!live) return AppendOnlyList.adopt(history.messages.slice());
  const last = lastMerges.get(history);
  let merged: AppendOnlyList<TimelineMessage> | undefined;
  if (last && live.continues(last.live)) {
    const added: TimelineMessage[] = [];
    let end = last.merged.at(-1);
    let inOrder = true;
    for (let index = last.live.length; index < live.length && inOrder; index++) {
      const message = unlessInHistory(history, live.at(index) as LiveMessage);
      if (!message) continue;
      inOrder = !end || compareMessages(end, message) < 0;
      added.push((end = message));
    }
    if (inOrder) merged = last.merged.concat(added);
  }
  if (!merged) {
    const added: TimelineMessage[] = [];
    for (let index = 0; index < live.length; index++) {
      const kept = unlessInHistory(history, live.at(index) as LiveMessage);
      if (kept) added.push(kept);
    }
    merged = AppendOnlyList.adopt(mergeSorted<TimelineMessage>(history.messages, added));
  }
  lastMerges.set(history, { live, merged });
  return merged;
}

/** History pages (newest page first, as fetched) and live messages as one timeline. */
export function mergeMessages(
  historyPages: ReadonlyArray<readonly ChatMessage[]>,
  live: AppendOnlyList<LiveMessage> | undefined,
): AppendOnlyList<TimelineMessage> {
  return mergeLive(extendHistory(null, historyPages), live);
}
