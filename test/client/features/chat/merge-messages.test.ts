import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../src/shared/schemas';
import {
  compareMessages,
  extendHistory,
  mergeLive,
  mergeMessages,
  rowKey,
  type TimelineMessage,
} from '../../../../src/client/features/chat/lib/merge-messages';
import {
  useChatStore,
  type LiveMessage,
} from '../../../../src/client/features/chat/stores/chat-store';
import { AppendOnlyList } from '../../../../src/client/lib/append-only-list';
import { seededRandom } from '../../../support/seeded-random';

const msg = (id: string, sentAt: number, text = id): ChatMessage => ({
  id,
  from: 'bob',
  text,
  sentAt,
});
// The store keeps live messages ordered.
const live = (...messages: LiveMessage[]) => AppendOnlyList.adopt(messages.sort(compareMessages));

describe('mergeMessages', () => {
  it.each([
    {
      name: 'orders by sentAt, then id for equal times',
      history: [[msg('b', 2), msg('c', 1)]],
      live: live({ ...msg('a', 2), status: 'sent' }),
      expected: ['c', 'a', 'b'],
    },
    {
      name: 'deduplicates a message present in history and live',
      history: [[msg('a', 1), msg('b', 2)]],
      live: live({ ...msg('b', 2), status: 'sent' }, { ...msg('c', 3), status: 'sent' }),
      expected: ['a', 'b', 'c'],
    },
    {
      name: 'deduplicates across overlapping history pages (refetch after reconnect)',
      history: [
        [msg('c', 3), msg('d', 4)],
        [msg('b', 2), msg('c', 3)],
      ],
      live: undefined,
      expected: ['b', 'c', 'd'],
    },
    {
      name: 'keeps live messages newer than history with no gap',
      history: [[msg('a', 1)]],
      live: live({ ...msg('z', 9), status: 'pending' }),
      expected: ['a', 'z'],
    },
  ])('$name', ({ history, live: liveMessages, expected }) => {
    expect(
      mergeMessages(history, liveMessages)
        .toArray()
        .map((m) => m.id),
    ).toEqual(expected);
  });

  it('marks a message as sent once the server has it in history', () => {
    const merged = mergeMessages([[msg('a', 1)]], live({ ...msg('a', 1), status: 'pending' }));
    expect(merged.toArray()).toEqual([{ ...msg('a', 1), status: 'sent' }]);
  });
});

describe('a live message and another sender’s history message with its id', () => {
  // Ids are the sender's to choose: mallory's message reuses the id of one of ours.
  const theirs: ChatMessage = { id: 'x', from: 'mallory', text: 'theirs', sentAt: 3 };
  const oursAsSent: ChatMessage = { id: 'x', from: 'alice', text: 'ours', sentAt: 5 };
  const ours: LiveMessage = { ...oursAsSent, status: 'refused' };
  const shown = (merged: { toArray(): TimelineMessage[] }) =>
    merged.toArray().map((m) => `${m.from}: ${m.text} (${m.status})`);
  const keys = (merged: { toArray(): TimelineMessage[] }) => merged.toArray().map(rowKey);

  it('shows both, each in a row of its own, when merged in full', () => {
    const timeline = extendHistory(null, [[msg('a', 1), theirs]]);
    const merged = mergeLive(timeline, live({ ...ours }));
    expect(shown(merged)).toEqual([
      'bob: a (sent)',
      'mallory: theirs (sent)',
      'alice: ours (refused)',
    ]);
    expect(new Set(keys(merged)).size).toBe(3);
  });

  it('shows both when ours arrives after the last merge (the incremental path)', () => {
    const timeline = extendHistory(null, [[msg('a', 1), theirs]]);
    const first = live({ ...msg('b', 4), status: 'sent' });
    const merged = mergeLive(timeline, first);
    const extended = mergeLive(timeline, first.concat([{ ...ours }]));
    expect(extended.continues(merged)).toBe(true);
    expect(shown(extended)).toEqual([
      'bob: a (sent)',
      'mallory: theirs (sent)',
      'bob: b (sent)',
      'alice: ours (refused)',
    ]);
    expect(new Set(keys(extended)).size).toBe(4);
  });

  it('still lets history’s copy win when it is ours', () => {
    const timeline = extendHistory(null, [[oursAsSent]]);
    expect(shown(mergeLive(timeline, live({ ...ours })))).toEqual(['alice: ours (sent)']);
  });
});

/** The previous implementation: everything into one map, history winning, then sorted. */
function reference(
  history: ReadonlyArray<readonly ChatMessage[]>,
  liveMessages: readonly LiveMessage[],
): LiveMessage[] {
  const byId = new Map<string, LiveMessage>();
  for (const message of liveMessages) byId.set(message.id, message);
  for (const page of history) {
    for (const message of page) byId.set(message.id, { ...message, status: 'sent' });
  }
  return [...byId.values()].sort(compareMessages);
}

describe('extendHistory and mergeLive', () => {
  it('adds an older page to the previous timeline without rebuilding it', () => {
    const newest = [msg('c', 3), msg('d', 4)];
    const older = [msg('a', 1), msg('b', 2)];
    const first = extendHistory(null, [newest]);
    const second = extendHistory(first, [newest, older]);
    expect(second.messages.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(extendHistory(second, [newest, older])).toBe(second); // same pages: same timeline
    // The shorter timeline still answers for its own pages only.
    expect(first.has('a')).toBe(false);
    expect(second.has('a')).toBe(true);
    expect(first.get('a')).toBeUndefined();
    expect(second.get('a')).toEqual({ ...msg('a', 1), status: 'sent' }); // its sender too
    expect(
      mergeLive(first, live({ ...msg('a', 1), status: 'sent' }))
        .toArray()
        .map((m) => m.id),
    ).toEqual(['a', 'c', 'd']);
  });

  it('rebuilds when pages are replaced (refetch) or a timeline is extended twice', () => {
    const page = [msg('c', 3)];
    const base = extendHistory(null, [page]);
    const one = extendHistory(base, [page, [msg('a', 1)]]);
    const other = extendHistory(base, [page, [msg('b', 2)]]); // a sibling of `one`
    expect(one.messages.map((m) => m.id)).toEqual(['a', 'c']);
    expect(other.messages.map((m) => m.id)).toEqual(['b', 'c']);
    expect(other.has('a')).toBe(false);
    const refetched = extendHistory(other, [[msg('c', 3), msg('e', 5)]]);
    expect(refetched.messages.map((m) => m.id)).toEqual(['c', 'e']);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'matches a full merge and sort, page by page, with clocks out of step (seed %i)',
    (seed) => {
      const next = seededRandom(seed);
      const ids = Array.from({ length: 60 }, (_, i) => `m${i}`);
      // Pages come in server order (arrival), not in sentAt order: senders' clocks differ.
      const all = ids.map((id, i) => msg(id, i * 10 + Math.floor(next() * 40)));
      const pages: ChatMessage[][] = [];
      for (let end = all.length; end > 0; end -= 7)
        pages.push(all.slice(Math.max(0, end - 7), end));
      // Live: a few that overlap history, some duplicates of each other, pending ones.
      const liveMessages = [
        ...all.filter(() => next() < 0.15),
        ...Array.from({ length: 10 }, (_, i) => msg(`l${i}`, Math.floor(next() * 700))),
      ].map((m): LiveMessage => ({ ...m, status: next() < 0.5 ? 'pending' : 'sent' }));
      const sortedLive = [...new Map(liveMessages.map((m) => [m.id, m])).values()].sort(
        compareMessages,
      );
      let timeline = extendHistory(null, []);
      // One page at a time, or two at once (two fetches between renders).
      for (let count = 1; count <= pages.length; count += next() < 0.5 ? 1 : 2) {
        timeline = extendHistory(timeline, pages.slice(0, count));
        expect(mergeLive(timeline, AppendOnlyList.adopt(sortedLive)).toArray()).toEqual(
          reference(pages.slice(0, count), sortedLive),
        );
      }
    },
  );

  it.each([1, 2, 3, 4, 5, 6])(
    'matches a full merge as live messages arrive frame by frame, in and out of order (seed %i)',
    (seed) => {
      const next = seededRandom(seed);
      const history = [
        Array.from({ length: 20 }, (_, i) => msg(`h${i}`, i * 10 + Math.floor(next() * 15))),
      ];
      const timeline = extendHistory(null, history);
      const chat = useChatStore.getState();
      const arrived: LiveMessage[] = [];
      let merged = mergeLive(timeline, chat.live.general);
      let extended = 0;
      for (let frame = 0; frame < 40; frame++) {
        // Mostly new messages in order; some late (another sender's clock), some already
        // in history (the overlap around the fetch), some delivered twice.
        const batch = Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
          const roll = next();
          if (roll < 0.1) return history[0]?.[Math.floor(next() * 20)] as ChatMessage;
          if (roll < 0.15 && arrived.length > 0)
            return arrived[Math.floor(next() * arrived.length)] as ChatMessage;
          const sentAt = roll < 0.3 ? Math.floor(next() * 200) : 200 + frame * 10 + next();
          return msg(`l${frame}-${Math.floor(next() * 1e9)}`, sentAt);
        });
        chat.receiveBatch(batch.map((message) => ({ room: 'general', message })));
        for (const message of batch) arrived.push({ ...message, status: 'sent' });
        const live = useChatStore.getState().live.general;
        const previous = merged;
        merged = mergeLive(timeline, live);
        if (merged.continues(previous)) extended++;
        expect(merged.toArray()).toEqual(reference(history, live?.toArray() ?? []));
      }
      expect(extended).toBeGreaterThan(0); // the incremental path was taken, not only full merges
    },
  );

  it('extends the previous merge for messages newer than it, and returns it again unchanged', () => {
    const timeline = extendHistory(null, [[msg('a', 1), msg('b', 2)]]);
    const first = live({ ...msg('b', 2), status: 'sent' }, { ...msg('c', 3), status: 'sent' });
    const merged = mergeLive(timeline, first);
    expect(mergeLive(timeline, first)).toBe(merged);
    const second = first.concat([{ ...msg('d', 4), status: 'sent' }]);
    const extended = mergeLive(timeline, second);
    expect(extended.continues(merged)).toBe(true);
    expect(extended.toArray().map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('merges in full a live message that sorts before the end of history', () => {
    const timeline = extendHistory(null, [[msg('a', 1), msg('e', 5)]]);
    const first = live({ ...msg('c', 3), status: 'sent' });
    const merged = mergeLive(timeline, first);
    const second = first.concat([{ ...msg('d', 4), status: 'sent' }]); // in order for live
    const remerged = mergeLive(timeline, second);
    expect(remerged.continues(merged)).toBe(false);
    expect(remerged.toArray().map((m) => m.id)).toEqual(['a', 'c', 'd', 'e']);
  });
});
