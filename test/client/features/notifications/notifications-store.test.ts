import { describe, expect, it, vi } from 'vitest';
import {
  MAX_KEPT_NOTIFICATIONS,
  nextMarks,
  notificationsStorageKey,
  selectUnreadCount,
  useNotificationsStore,
} from '../../../../src/client/features/notifications/stores/notifications-store';
import { MAX_MARK_READ_IDS, type InboxPage } from '../../../../src/shared/notifications-api';

// Which notifications were read is the server's (GET /api/notifications): the store shows
// its answer, but for what arrived, or was marked read here, while the answer was on its
// way, and marks the server has not acknowledged yet.

const T = 1_735_725_600_000;
const note = (id: string, minutes = 0) => ({
  id,
  title: `Title ${id}`,
  body: '',
  createdAt: T + minutes * 60_000,
});
const inbox = () => useNotificationsStore.getState();
const unreadCount = () => selectUnreadCount(inbox());
/**
 * alice@demo's inbox as the server answers it: [id, read] newest first, its unread total
 * and newest cursor, and whether it has more than it listed.
 */
const page = (
  listed: [id: string, read: boolean][],
  unread = listed.filter(([, read]) => !read).length,
  newestCursor: string | null = listed.length > 0 ? '40' : null,
  more = false,
): InboxPage => ({
  account: 'alice@demo',
  notifications: listed.map(([id, read], i) => ({ ...note(id, listed.length - i), read })),
  nextCursor: more ? '1' : null,
  unread,
  newestCursor,
});
const sync = (answer: InboxPage) => inbox().applyInbox(inbox().beginInboxSync(), answer);
const shown = () =>
  inbox().items.map((item) => `${item.id}${inbox().readIds[item.id] ? ' (read)' : ''}`);
/** A page as the server answers it: [id, minutes, read], newest first. */
const pageOf = (
  listed: [id: string, minutes: number, read: boolean][],
  nextCursor: string | null,
  unread: number,
  newestCursor = '90',
): InboxPage => ({
  account: 'alice@demo',
  notifications: listed.map(([id, minutes, read]) => ({ ...note(id, minutes), read })),
  nextCursor,
  unread,
  newestCursor,
});
/**
 * n<newest> down to n<oldest>, unread, for pageOf: n<i> was sent at minute i, and its seq
 * (a cursor) is i + 1.
 */
const run = (newest: number, oldest: number): [string, number, boolean][] =>
  Array.from({ length: newest - oldest + 1 }, (_, i) => [`n${newest - i}`, newest - i, false]);
const ids = (newest: number, oldest: number) => run(newest, oldest).map(([id]) => id);
/** Receives n<from> up to n<to> live, oldest first. */
const receiveRun = (from: number, to: number) => {
  for (let i = from; i <= to; i++) inbox().receive(note(`n${i}`, i));
};
const older = (before: string, answer: InboxPage) =>
  inbox().applyOlder(inbox().beginInboxSync(), before, answer);
const shownOlder = () =>
  inbox().older.map((item) => `${item.id}${inbox().readIds[item.id] ? ' (read)' : ''}`);

describe('the notifications store and the server’s read state', () => {
  it('takes read state from the server, over what this browser kept, and counts the unread beyond the page', () => {
    localStorage.setItem(
      notificationsStorageKey('alice@demo'),
      JSON.stringify({
        items: [note('n2', 2), note('n1', 1), note('gone', 0)],
        readIds: ['n2'],
        unreadOlder: 0,
        newestCursor: '30',
        unsent: { ids: [], upTo: null },
      }),
    );
    inbox().load('alice@demo');
    expect(shown()).toEqual(['n2 (read)', 'n1', 'gone']); // the first paint: this browser's copy
    expect(unreadCount()).toBe(2);

    // Elsewhere n1 was read and n2 was not; 7 unread are older than the page.
    sync(
      page(
        [
          ['n2', false],
          ['n1', true],
          ['n0', false],
        ],
        9,
      ),
    );
    expect(shown()).toEqual(['n2', 'n1 (read)', 'n0']);
    expect(inbox().unreadOlder).toBe(7);
    expect(unreadCount()).toBe(9);
    expect(inbox().newestCursor).toBe('40');
  });

  it('keeps what arrived live while the answer was on its way, and counts it', () => {
    inbox().load('alice@demo');
    inbox().receive(note('before', 1));
    const mark = inbox().beginInboxSync();
    inbox().receive(note('during', 3));
    inbox().applyInbox(mark, page([['n2', true]], 4));
    // "before" was there when it was asked for, and the server has not listed it: not kept.
    expect(shown()).toEqual(['during', 'n2 (read)']);
    expect(unreadCount()).toBe(5); // the server's 4, none of them listed, and "during"
    inbox().receive(note('after', 4));
    expect(unreadCount()).toBe(6);
  });

  it('keeps marks the server has not acknowledged through answers that do not know them', () => {
    inbox().load('alice@demo');
    sync(
      page([
        ['n3', false],
        ['n2', false],
        ['n1', false],
      ]),
    );
    const mark = inbox().beginInboxSync();
    inbox().markRead('n2');
    expect(unreadCount()).toBe(2);
    expect(inbox().unsent).toEqual({ ids: ['n2'], upTo: null });

    // Asked before the mark: n2 unread still, by its answer.
    inbox().applyInbox(
      mark,
      page([
        ['n3', false],
        ['n2', false],
        ['n1', false],
      ]),
    );
    expect(shown()).toEqual(['n3', 'n2 (read)', 'n1']);
    // Acknowledged, and an answer asked for before the mark only comes now.
    const late = inbox().beginInboxSync();
    inbox().markRead('n3');
    inbox().acknowledgeMarks({ ids: ['n2', 'n3'] });
    expect(inbox().unsent).toEqual({ ids: [], upTo: null });
    inbox().applyInbox(
      late,
      page([
        ['n3', false],
        ['n2', true],
        ['n1', false],
      ]),
    );
    expect(shown()).toEqual(['n3 (read)', 'n2 (read)', 'n1']);
    // From then on the server is the truth, also when something is unread again there.
    sync(
      page([
        ['n3', true],
        ['n2', false],
        ['n1', false],
      ]),
    );
    expect(shown()).toEqual(['n3 (read)', 'n2', 'n1']);
  });

  it('marks all read: every one here, and on the server up to the newest it listed', () => {
    inbox().load('alice@demo');
    sync(
      page(
        [
          ['n2', false],
          ['n1', true],
        ],
        12,
        '77',
      ),
    );
    inbox().receive(note('live', 9)); // past the listing: only its id covers it
    expect(unreadCount()).toBe(13);
    const mark = inbox().beginInboxSync();
    inbox().markAllRead();
    expect(unreadCount()).toBe(0);
    // n2 was listed: upTo covers it, and only the one past the listing goes by id.
    expect(inbox().unsent).toEqual({ ids: ['live'], upTo: '77' });
    expect(nextMarks(inbox().unsent)).toEqual({ ids: ['live'], upTo: '77' });
    // An answer from before the mark changes nothing of it.
    inbox().applyInbox(
      mark,
      page(
        [
          ['live', false],
          ['n2', false],
          ['n1', true],
        ],
        13,
        '78',
      ),
    );
    expect(unreadCount()).toBe(0);

    inbox().acknowledgeMarks({ ids: ['live'], upTo: '77' });
    expect(nextMarks(inbox().unsent)).toBeNull();
    // One that arrives after "all read" reaches the server unread, and is counted.
    sync(
      page(
        [
          ['new', false],
          ['live', true],
          ['n2', true],
          ['n1', true],
        ],
        1,
        '79',
      ),
    );
    expect(unreadCount()).toBe(1);
  });

  it(`sends at most ${MAX_MARK_READ_IDS} ids at a time, and leaves a newer upTo unsent`, () => {
    const ids = Array.from({ length: MAX_MARK_READ_IDS + 5 }, (_, i) => `n${i}`);
    const first = nextMarks({ ids, upTo: '5' });
    expect(first).toEqual({ ids: ids.slice(0, MAX_MARK_READ_IDS), upTo: '5' });
    expect(nextMarks({ ids: [], upTo: null })).toBeNull();
    expect(nextMarks({ ids: [], upTo: '9' })).toEqual({ upTo: '9' });

    inbox().load('alice@demo');
    for (const id of ids) inbox().receive(note(id));
    for (const id of ids) inbox().markRead(id);
    useNotificationsStore.setState({ unsent: { ids, upTo: '6' } }); // marked all again since
    inbox().acknowledgeMarks(first ?? {});
    expect(inbox().unsent).toEqual({ ids: ids.slice(MAX_MARK_READ_IDS), upTo: '6' });
  });

  it('rolls back marks the server refused for good', () => {
    inbox().load('alice@demo');
    sync(
      page([
        ['n2', false],
        ['n1', false],
      ]),
    );
    inbox().markRead('n1');
    inbox().markRead('n2');
    inbox().rollBackMarks({ ids: ['n1'] });
    expect(shown()).toEqual(['n2 (read)', 'n1']);
    expect(inbox().unsent).toEqual({ ids: ['n2'], upTo: null });
    // Nor does a later answer keep it read for the mark.
    sync(
      page([
        ['n2', false],
        ['n1', false],
      ]),
    );
    expect(shown()).toEqual(['n2 (read)', 'n1']);
  });

  it('rolls back "all read" refused for good: also those its upTo alone covered', () => {
    inbox().load('alice@demo');
    sync(
      page(
        [
          ['n2', false],
          ['n1', false],
        ],
        2,
        '77',
      ),
    );
    inbox().receive(note('live', 9));
    inbox().markAllRead();
    const sent = nextMarks(inbox().unsent);
    expect(sent).toEqual({ ids: ['live'], upTo: '77' });
    inbox().rollBackMarks(sent ?? {});
    expect(shown()).toEqual(['live', 'n2', 'n1']);
    expect(inbox().unsent).toEqual({ ids: [], upTo: null });
  });

  it('keeps "all read" that its upTo alone covers across a reload, until the server has it; a refusal undoes only those', () => {
    inbox().load('alice@demo');
    sync(
      page(
        [
          ['n4', false],
          ['n3', true],
          ['n2', false],
          ['n1', false],
        ],
        3,
        '77',
      ),
    );
    inbox().markRead('n2');
    inbox().acknowledgeMarks({ ids: ['n2'] }); // read on the server, by id
    inbox().markAllRead();
    expect(inbox().unsent).toEqual({ ids: [], upTo: '77' });

    // A reload: the inbox is asked for as the marks are sent, and answered before the server
    // has taken the upTo.
    inbox().reset();
    inbox().load('alice@demo');
    expect(shown()).toEqual(['n4 (read)', 'n3 (read)', 'n2 (read)', 'n1 (read)']);
    const mark = inbox().beginInboxSync();
    inbox().applyInbox(
      mark,
      page(
        [
          ['n4', false],
          ['n3', true],
          ['n2', true],
          ['n1', false],
        ],
        2,
        '77',
      ),
    );
    expect(shown()).toEqual(['n4 (read)', 'n3 (read)', 'n2 (read)', 'n1 (read)']);
    expect(unreadCount()).toBe(0);

    // Refused for good: what the upTo covered is undone, not what was read before it.
    inbox().rollBackMarks({ upTo: '77' });
    expect(shown()).toEqual(['n4', 'n3 (read)', 'n2 (read)', 'n1']);
    expect(inbox().unsent).toEqual({ ids: [], upTo: null });
  });

  it('keeps "all read" that its upTo alone covers in a tab opened since, though a tab that knew nothing of it saved after', async () => {
    const listed = page(
      [
        ['n3', false],
        ['n2', false],
        ['n1', false],
      ],
      3,
      '77',
    );
    inbox().load('alice@demo');
    sync(listed);
    vi.resetModules();
    const other =
      await import('../../../../src/client/features/notifications/stores/notifications-store');
    const tabB = () => other.useNotificationsStore.getState();
    tabB().load('alice@demo');
    tabB().applyInbox(tabB().beginInboxSync(), listed);

    inbox().markAllRead();
    tabB().receive(note('live', 9)); // B saves its inbox, none of it read
    tabB().reset();

    // A tab opened now, whose listing the server answers before it has taken the upTo.
    inbox().reset();
    inbox().load('alice@demo');
    expect(shown()).toEqual(['live', 'n3 (read)', 'n2 (read)', 'n1 (read)']);
    sync(
      page(
        [
          ['live', false],
          ['n3', false],
          ['n2', false],
          ['n1', false],
        ],
        4,
        '78',
      ),
    );
    expect(shown()).toEqual(['live', 'n3 (read)', 'n2 (read)', 'n1 (read)']);
    // Once it has, nothing is left of them to keep.
    inbox().acknowledgeMarks({ upTo: '77' });
    expect(
      JSON.parse(localStorage.getItem(notificationsStorageKey('alice@demo')) ?? '{}').covered,
    ).toEqual([]);
  });

  it('keeps unsent marks across a reload, and sends what a browser from before kept as read', () => {
    inbox().load('alice@demo');
    sync(
      page([
        ['n2', false],
        ['n1', false],
      ]),
    );
    inbox().markRead('n1');
    inbox().reset();
    inbox().load('alice@demo');
    expect(inbox().unsent).toEqual({ ids: ['n1'], upTo: null });
    expect(shown()).toEqual(['n2', 'n1 (read)']);

    // The copy an older version of the app kept: read state was this browser's alone.
    localStorage.setItem(
      notificationsStorageKey('bob@demo'),
      JSON.stringify({
        items: [note('b2', 2), note('b1', 1)],
        readIds: ['b1', 'x'.repeat(65), 7],
      }),
    );
    inbox().load('bob@demo');
    expect(shown()).toEqual(['b2', 'b1 (read)']);
    expect(inbox().unsent).toEqual({ ids: ['b1'], upTo: null });
  });

  it('keeps a mark acknowledged while the answer was on its way: the answer may be from before it', () => {
    inbox().load('alice@demo');
    const before: [string, boolean][] = [
      ['n2', false],
      ['n1', false],
    ];
    sync(page(before));
    inbox().markRead('n1');
    // A reconnect: the mark is sent as the inbox is asked for, and taken first.
    const mark = inbox().beginInboxSync();
    inbox().acknowledgeMarks({ ids: ['n1'] });
    inbox().applyInbox(mark, page(before));
    expect(shown()).toEqual(['n2', 'n1 (read)']);
    expect(unreadCount()).toBe(1);
    // The next answer is asked for after the server took it: it is the truth.
    sync(
      page([
        ['n2', false],
        ['n1', true],
      ]),
    );
    expect(unreadCount()).toBe(1);

    // The same for "all read", with the older ones it counted.
    sync(page(before, 30, '77'));
    inbox().markAllRead();
    const allMark = inbox().beginInboxSync();
    inbox().acknowledgeMarks({ ids: ['n2'], upTo: '77' });
    inbox().applyInbox(allMark, page(before, 30, '77'));
    expect(unreadCount()).toBe(0);
  });

  it('neither shows nor keeps another account’s inbox (the session changed in another tab)', () => {
    inbox().load('alice@demo');
    sync(page([['a1', false]]));
    const saved = localStorage.getItem(notificationsStorageKey('alice@demo'));
    const mark = inbox().beginInboxSync();
    const bobs: InboxPage = { ...page([['b1', false]], 5, '90'), account: 'bob@demo' };
    expect(inbox().applyInbox(mark, bobs)).toBe(false);
    expect(shown()).toEqual(['a1']);
    expect(inbox().newestCursor).toBe('40');
    expect(localStorage.getItem(notificationsStorageKey('alice@demo'))).toBe(saved);
    // Nor one that lands after the store was reset (a sign-out), in nobody's.
    inbox().reset();
    expect(inbox().applyInbox(inbox().beginInboxSync(), page([['a1', false]]))).toBe(false);
    expect(inbox().items).toEqual([]);
  });

  it('keeps the unsent marks of another tab of the account when this one saves', async () => {
    const tabA = inbox;
    inbox().load('alice@demo');
    sync(
      page([
        ['n3', false],
        ['n2', false],
        ['n1', false],
      ]),
    );
    // A second tab: the same localStorage, its own store.
    vi.resetModules();
    const other =
      await import('../../../../src/client/features/notifications/stores/notifications-store');
    const tabB = () => other.useNotificationsStore.getState();
    tabB().load('alice@demo');

    tabA().markRead('n1'); // offline: unsent
    tabB().markRead('n3'); // offline too
    tabA().receive(note('live', 9)); // A saves after B
    tabB().receive(note('live', 9)); // and B after A
    const savedUnsent = () =>
      JSON.parse(localStorage.getItem(notificationsStorageKey('alice@demo')) ?? '{}').unsent;
    expect(savedUnsent()).toEqual({ ids: ['n3', 'n1'], upTo: null });

    // B's mark is taken, and B saves: A's is still kept.
    tabB().acknowledgeMarks({ ids: ['n3'] });
    expect(savedUnsent()).toEqual({ ids: ['n1'], upTo: null });
    tabA().reset();
    tabA().load('alice@demo'); // a reload of A
    expect(tabA().unsent).toEqual({ ids: ['n1'], upTo: null });
    expect(shown()).toEqual(['live', 'n3 (read)', 'n2', 'n1 (read)']);

    // "All read" in A, then B saves; A's is taken, then B saves again: none is left.
    tabA().markAllRead();
    tabB().receive(note('later', 10));
    expect(savedUnsent()).toEqual({ ids: ['n1', 'live', 'n2'], upTo: '40' });
    tabA().acknowledgeMarks({ ids: ['n1', 'live', 'n2'], upTo: '40' });
    tabB().receive(note('latest', 11));
    expect(savedUnsent()).toEqual({ ids: [], upTo: null });
    tabB().reset();
  });

  it('counts a queued one delivered while the inbox was asked for once, when the server counted it beyond the page', () => {
    inbox().load('alice@demo');
    const mark = inbox().beginInboxSync();
    inbox().receive(note('old', -60)); // sent while away, long before the newest page
    inbox().receive(note('new3', 10)); // sent after the server answered
    inbox().applyInbox(
      mark,
      page(
        [
          ['new2', false],
          ['new1', false],
        ],
        3,
        '40',
        true,
      ),
    );
    expect(unreadCount()).toBe(4); // new2, new1, "old" beyond the page, and new3
    expect(shown()).toEqual(['new3', 'new2', 'new1']); // as the server lists it
    // The rest of the queue, after the answer: counted already.
    expect(inbox().receive(note('older', -90))).toBe(false);
    expect(unreadCount()).toBe(4);
    expect(inbox().receive(note('new4', 11))).toBe(true);
    expect(unreadCount()).toBe(5);
  });

  it(`still counts the unread that fall off the ${MAX_KEPT_NOTIFICATIONS} kept`, () => {
    inbox().load('alice@demo');
    const listed = Array.from({ length: 100 }, (_, i): [string, boolean] => [`s${i}`, false]);
    sync(page(listed, 100));
    for (let i = 0; i < MAX_KEPT_NOTIFICATIONS; i++) inbox().receive(note(`live${i}`, 200 + i));
    expect(inbox().items).toHaveLength(MAX_KEPT_NOTIFICATIONS);
    expect(unreadCount()).toBe(300);
    // A listing that, with what arrived meanwhile, is more than is kept.
    const mark = inbox().beginInboxSync();
    for (let i = 0; i < 150; i++) inbox().receive(note(`during${i}`, 1_000 + i));
    inbox().applyInbox(mark, page(listed, 300));
    expect(unreadCount()).toBe(450);
  });

  it('holds older pages below the listing, counted once, and keeps them joined to it as it moves on', () => {
    inbox().load('alice@demo');
    // n4 and n3 listed; n2, n1 (read elsewhere) and n0 beyond: two of them unread.
    sync(
      pageOf(
        [
          ['n4', 4, false],
          ['n3', 3, false],
        ],
        '30',
        4,
      ),
    );
    expect(inbox().olderCursor).toBe('30');
    expect(unreadCount()).toBe(4);

    expect(
      older(
        '30',
        pageOf(
          [
            ['n2', 2, false],
            ['n1', 1, true],
          ],
          '10',
          4,
        ),
      ),
    ).toBe('n2'); // the first of them shown, to go on to
    expect(shown()).toEqual(['n4', 'n3']);
    expect(shownOlder()).toEqual(['n2', 'n1 (read)']);
    expect(inbox().olderCursor).toBe('10');
    expect(unreadCount()).toBe(4); // n2 is no longer counted beyond, but shown
    // Asked for where the inbox no longer ends (twice, say): nothing changes.
    expect(older('30', pageOf([['x', 0, false]], '5', 4))).toBeNull();
    expect(shownOlder()).toEqual(['n2', 'n1 (read)']);

    inbox().markRead('n2');
    expect(unreadCount()).toBe(3);
    expect(inbox().unsent.ids).toEqual(['n2']);
    inbox().receive(note('n5', 5));
    expect(unreadCount()).toBe(4);

    // Listed again, before the server took the mark: n3 is past the listing now, and goes
    // on above the older page (no gap between them); n2 stays read, counted once.
    sync(
      pageOf(
        [
          ['n5', 5, false],
          ['n4', 4, false],
        ],
        '40',
        5,
      ),
    );
    expect(shown()).toEqual(['n5', 'n4']);
    expect(shownOlder()).toEqual(['n3', 'n2 (read)', 'n1 (read)']);
    expect(inbox().olderCursor).toBe('10'); // the older pages go on where they ended
    expect(unreadCount()).toBe(4);

    expect(older('10', pageOf([['n0', 0, false]], null, 5))).toBe('n0');
    expect(shownOlder()).toEqual(['n3', 'n2 (read)', 'n1 (read)', 'n0']);
    expect(inbox().olderCursor).toBeNull(); // nothing older
    expect(unreadCount()).toBe(4);

    // A reload forgets the older pages, not their unread.
    inbox().reset();
    inbox().load('alice@demo');
    expect(inbox().older).toEqual([]);
    expect(unreadCount()).toBe(4);
  });

  it('puts what falls off the kept ones below them once older pages are held, and marks those read with the rest', () => {
    inbox().load('alice@demo');
    const listed = Array.from({ length: 100 }, (_, i): [string, number, boolean] => [
      `s${i}`,
      100 - i,
      false,
    ]);
    sync(pageOf(listed, '30', 102));
    older('30', pageOf([['old', 0, false]], '20', 102));
    expect(unreadCount()).toBe(102);
    for (let i = 0; i < MAX_KEPT_NOTIFICATIONS; i++) inbox().receive(note(`live${i}`, 200 + i));
    expect(inbox().items).toHaveLength(MAX_KEPT_NOTIFICATIONS);
    expect(inbox().older).toHaveLength(101); // the listed ones pushed out, then "old"
    expect(inbox().older.at(0)?.id).toBe('s0');
    expect(unreadCount()).toBe(302);

    // The next older page, asked for before "all read" and answered after the server took
    // it: read, though the answer says not.
    const mark = inbox().beginInboxSync();
    inbox().markAllRead();
    expect(unreadCount()).toBe(0);
    expect(inbox().older.every((item) => inbox().readIds[item.id])).toBe(true);
    expect(inbox().unsent.upTo).toBe('90');
    inbox().acknowledgeMarks(nextMarks(inbox().unsent) ?? {});
    expect(inbox().applyOlder(mark, '20', pageOf([['older', -1, false]], null, 1))).toBe('older');
    expect(inbox().readIds.older).toBe(true);
    expect(unreadCount()).toBe(0);
  });

  it('starts the older pages again below a listing that does not reach what is held: a page or more was sent unheard', () => {
    inbox().load('alice@demo');
    sync(pageOf(run(299, 200), '201', 300, '300'));
    expect(older('201', pageOf(run(199, 100), '101', 300, '300'))).toBe('n199');
    // 150 more sent while this tab heard none of them (offline, say) but the newest, which
    // came live before the listing: n349 to n300 are neither listed nor held.
    inbox().receive(note('n449', 449));
    sync(pageOf(run(449, 350), '351', 450, '450'));
    expect(shown()).toEqual(ids(449, 350));
    expect(inbox().older).toEqual([]); // no longer joined to the listing
    expect(inbox().olderCursor).toBe('351');
    expect(unreadCount()).toBe(450); // the server's count: 100 listed, 350 beyond

    expect(older('351', pageOf(run(349, 250), '251', 450, '450'))).toBe('n349');
    expect(shownOlder()).toEqual(ids(349, 250));
    expect(unreadCount()).toBe(450);
  });

  it('puts what arrivals push off the kept ones below them before any older page is asked for, where Load older goes on', () => {
    inbox().load('alice@demo');
    sync(pageOf(run(149, 50), '51', 150, '150'));
    receiveRun(150, 269);
    expect(shown()).toEqual(ids(269, 70));
    expect(shownOlder()).toEqual(ids(69, 50));
    expect(unreadCount()).toBe(270);

    expect(older('51', pageOf(run(49, 0), null, 270, '150'))).toBe('n49');
    expect(shownOlder()).toEqual(ids(69, 0)); // none skipped
    expect(unreadCount()).toBe(270);
  });

  it.each([
    {
      when: 'with nothing older than the listing',
      before: () => sync(pageOf(run(49, 0), null, 50, '50')),
      live: [50, 269],
      upTo: '50',
    },
    {
      when: 'with an older page held',
      before: () => {
        sync(pageOf(run(149, 50), '51', 150, '150'));
        older('51', pageOf(run(49, 0), null, 150, '150'));
      },
      live: [150, 369],
      upTo: '150',
    },
  ])(
    'marks all read by id those that arrived past the listing and fell off the kept ones, and only those, $when',
    ({ before, live: [from = 0, to = 0], upTo }) => {
      inbox().load('alice@demo');
      before();
      receiveRun(from, to); // 220: the oldest 20 of them fall off past the listing's newest
      expect(inbox().older.at(0)?.id).toBe(`n${from + 19}`);
      inbox().markAllRead();
      expect(unreadCount()).toBe(0);

      // Sent MAX_MARK_READ_IDS at a time, upTo with the first.
      const sent: string[] = [];
      const upTos: string[] = [];
      for (let marks = nextMarks(inbox().unsent); marks; marks = nextMarks(inbox().unsent)) {
        expect(marks.ids?.length ?? 0).toBeLessThanOrEqual(MAX_MARK_READ_IDS);
        sent.push(...(marks.ids ?? []));
        if (marks.upTo) upTos.push(marks.upTo);
        inbox().acknowledgeMarks(marks);
      }
      expect(upTos).toEqual([upTo]);
      // Not the listed ones, nor an older page's: upTo covers them.
      expect(sent).toEqual(ids(to, from));
    },
  );

  it('marks all read before the first listing only what it shows: the listing tells of the rest', () => {
    inbox().load('alice@demo'); // a new device: nothing saved
    const mark = inbox().beginInboxSync();
    inbox().receive(note('live', 9));
    inbox().markAllRead();
    expect(inbox().unsent).toEqual({ ids: ['live'], upTo: null });
    inbox().applyInbox(
      mark,
      page(
        [
          ['n2', false],
          ['n1', false],
        ],
        30,
        '77',
        true,
      ),
    );
    expect(unreadCount()).toBe(30); // still unread on the server: none of them was marked
    expect(inbox().readIds.live).toBe(true);
  });
});
