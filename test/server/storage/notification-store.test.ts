import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStorageError, openStorage } from '../../../src/server/storage';
import { PLANNED_SQL } from '../../../src/server/storage/notification-store';
import { MAX_MARK_READ_IDS, NOTIFICATIONS_UNREAD_CAP } from '../../../src/shared/notifications-api';
import { downgradeSchema } from './older-schema';
import { openTempStorage, type TempStorage } from './temp-storage';

// migrations.ts: the eighth migration added read state.
const SCHEMA_BEFORE_READ_STATE = 7;

const note = (id: string) => ({ id, title: `Title ${id}`, body: '', createdAt: 1_000 });

describe('NotificationStore: which notifications each person has read', () => {
  let t: TempStorage;
  const addUser = (user: string, org = 'demo') =>
    t.storage.users.addUser({ org, user, role: 'member', passwordHash: 'x' });
  const notify = (user: string, id: string, org = 'demo') =>
    t.storage.notifications.record(org, user, note(id));
  /** The ids listed, each with whether it is read, newest first. */
  const listed = (user: string, org = 'demo') =>
    t.storage.notifications
      .page(org, user, { limit: 100 })
      .notifications.map(({ id, read }) => `${id}${read ? ' (read)' : ''}`);
  const unread = (user: string, org = 'demo') => t.storage.notifications.unread(org, user);
  const refusal = (mark: () => unknown) => {
    try {
      mark();
    } catch (err) {
      return isStorageError(err) ? err.code : err;
    }
    return 'marked';
  };

  beforeEach(() => {
    t = openTempStorage();
    t.storage.users.addOrg('demo');
    t.storage.users.addOrg('acme');
    addUser('alice');
    addUser('bob');
  });
  afterEach(() => t.cleanup());

  it('tells the same notification again from another one under its id', () => {
    const { notifications } = t.storage;
    const linked = { ...note('n1'), link: '/x' };
    expect(notifications.record('demo', 'bob', linked)).toBe(true);
    expect(notifications.record('demo', 'bob', { ...linked, title: 'EPHEMERAL' })).toBe(false);
    expect(notifications.holds('demo', 'bob', linked)).toBe(true);
    expect(notifications.holds('demo', 'bob', { ...linked, title: 'EPHEMERAL' })).toBe(false);
    expect(notifications.holds('demo', 'bob', { ...linked, body: 'more' })).toBe(false);
    expect(notifications.holds('demo', 'bob', note('n1'))).toBe(false); // no link
    expect(notifications.holds('demo', 'bob', { ...linked, createdAt: 1 })).toBe(false);
    expect(notifications.holds('demo', 'alice', linked)).toBe(false);
    notify('bob', 'n2');
    expect(notifications.holds('demo', 'bob', note('n2'))).toBe(true); // without a link
  });

  it('lists each notification with whether it was read, and counts the unread', () => {
    for (const id of ['n1', 'n2', 'n3']) notify('alice', id);
    expect(listed('alice')).toEqual(['n3', 'n2', 'n1']);
    expect(unread('alice')).toBe(3);

    expect(t.storage.notifications.markRead('demo', 'alice', ['n2'])).toBe(1);
    expect(listed('alice')).toEqual(['n3', 'n2 (read)', 'n1']);
    expect(unread('alice')).toBe(2);
    // Read already: nothing changes, and that is no error.
    expect(t.storage.notifications.markRead('demo', 'alice', ['n2', 'n2'])).toBe(0);
    // A redelivery is the same notification, still read.
    notify('alice', 'n2');
    expect(listed('alice')).toEqual(['n3', 'n2 (read)', 'n1']);
  });

  it('gives the unread count and the newest cursor with every page, whichever page it is', () => {
    for (const id of ['n1', 'n2', 'n3']) notify('alice', id);
    t.storage.notifications.markRead('demo', 'alice', ['n3']);
    const first = t.storage.notifications.page('demo', 'alice', { limit: 2 });
    expect(first).toMatchObject({ unread: 2, nextCursor: expect.any(String) });
    const second = t.storage.notifications.page('demo', 'alice', {
      limit: 2,
      before: first.nextCursor ?? '',
    });
    expect(second).toMatchObject({
      notifications: [{ id: 'n1', read: false }],
      nextCursor: null,
      unread: 2,
      newestCursor: first.newestCursor,
    });
    expect(t.storage.notifications.page('demo', 'bob', { limit: 2 })).toEqual({
      notifications: [],
      nextCursor: null,
      unread: 0,
      newestCursor: null,
    });
  });

  it('passes over ids that are not the user’s: another’s, another org’s, none at all', () => {
    notify('alice', 'mine');
    notify('bob', 'his');
    addUser('alice', 'acme');
    t.storage.notifications.record('acme', 'alice', note('elsewhere'));
    expect(
      t.storage.notifications.markRead('demo', 'alice', ['his', 'elsewhere', 'nope', 'mine']),
    ).toBe(1);
    expect(listed('bob')).toEqual(['his']);
    expect(listed('alice', 'acme')).toEqual(['elsewhere']);
    expect(listed('alice')).toEqual(['mine (read)']);
    // Bob's own marks are his, whatever he names.
    t.storage.notifications.markReadUpTo(
      'demo',
      'bob',
      t.storage.notifications.page('demo', 'bob', { limit: 1 }).newestCursor ?? '',
    );
    expect(listed('bob')).toEqual(['his (read)']);
    expect(listed('alice', 'acme')).toEqual(['elsewhere']);
  });

  it(`marks at most ${MAX_MARK_READ_IDS} ids at a time, and none is nothing`, () => {
    notify('alice', 'n1');
    const ids = Array.from({ length: MAX_MARK_READ_IDS }, (_, i) => `x${i}`);
    expect(refusal(() => t.storage.notifications.markRead('demo', 'alice', [...ids, 'n1']))).toBe(
      'invalid_argument',
    );
    expect(t.storage.notifications.markRead('demo', 'alice', [])).toBe(0);
    expect(t.storage.notifications.markRead('demo', 'alice', [...ids.slice(1), 'n1'])).toBe(1);
    expect(refusal(() => t.storage.notifications.markRead('demo', 'Alice!', ['n1']))).toBe(
      'invalid_id',
    );
  });

  it('marks all read up to a cursor, that one included: one arriving after it stays unread', () => {
    for (const id of ['n1', 'n2']) notify('alice', id);
    const { newestCursor } = t.storage.notifications.page('demo', 'alice', { limit: 1 });
    // Arrives between the listing and "mark all read".
    notify('alice', 'late');
    notify('bob', 'his');
    expect(t.storage.notifications.markReadUpTo('demo', 'alice', newestCursor ?? '')).toBe(2);
    expect(listed('alice')).toEqual(['late', 'n2 (read)', 'n1 (read)']);
    expect(unread('alice')).toBe(1);
    expect(listed('bob')).toEqual(['his']);
    expect(t.storage.notifications.markReadUpTo('demo', 'alice', newestCursor ?? '')).toBe(0);

    for (const cursor of ['', '0', '-1', '1.5', 'x1', '99999999999999999']) {
      expect(refusal(() => t.storage.notifications.markReadUpTo('demo', 'alice', cursor))).toBe(
        'invalid_cursor',
      );
    }
  });

  it(`counts at most ${NOTIFICATIONS_UNREAD_CAP} unread`, () => {
    t.storage.transaction(() => {
      for (let n = 0; n < NOTIFICATIONS_UNREAD_CAP + 5; n++) notify('alice', `n${n}`);
    });
    expect(unread('alice')).toBe(NOTIFICATIONS_UNREAD_CAP);
    t.storage.notifications.markRead('demo', 'alice', ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
    expect(unread('alice')).toBe(NOTIFICATIONS_UNREAD_CAP - 1);
  });

  it('counts and marks from the unread alone, or by id (EXPLAIN QUERY PLAN)', () => {
    // A person with a long unread backlog, marking all of it read.
    t.storage.transaction(() => {
      for (let n = 0; n < 2_000; n++) notify(n % 2 ? 'alice' : 'bob', `n${n}`);
    });
    const newest = t.storage.notifications.page('demo', 'alice', { limit: 1 }).newestCursor;
    const db = new Database(t.storage.file);
    try {
      const plan = (sql: string, ...args: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map(
          (row) => row.detail,
        );
      const unreadOnly =
        'SEARCH notifications USING COVERING INDEX notifications_unread (org_id=? AND user_id=? AND received_at>?)';
      const user = ['demo', 'alice'];
      // As the server runs (it never ANALYZEs), and with the statistics a DBA might gather.
      for (const analyze of [false, true]) {
        if (analyze) db.exec('ANALYZE');
        expect(plan(PLANNED_SQL.countUnread, ...user, ...user, 10)).toContain(unreadOnly);
        expect(plan(PLANNED_SQL.markReadUpTo, 1, ...user, Number(newest), ...user)).toContain(
          unreadOnly,
        );
        // By their ids: through the unique index, not a walk of everything unread.
        expect(plan(PLANNED_SQL.markIdsRead, 1, ...user, '["n1"]', ...user)).toContain(
          'SEARCH notifications USING INDEX sqlite_autoindex_notifications_1 (org_id=? AND user_id=? AND id=?)',
        );
      }
    } finally {
      db.close();
    }
  });

  it('neither counts nor marks what a user created again under the id was never sent', () => {
    notify('dave', 'before'); // to an id nobody has yet
    t.clock.now += 1;
    addUser('dave');
    notify('dave', 'after');
    expect(unread('dave')).toBe(1);
    expect(t.storage.notifications.markRead('demo', 'dave', ['before', 'after'])).toBe(1);

    t.storage.users.removeUser('demo', 'dave');
    t.storage.notifications.forgetUser('demo', 'dave');
    notify('dave', 'while-gone');
    t.clock.now += 1;
    addUser('dave');
    notify('dave', 'new');
    expect(listed('dave')).toEqual(['new']);
    expect(unread('dave')).toBe(1);
    const { newestCursor } = t.storage.notifications.page('demo', 'dave', { limit: 1 });
    expect(t.storage.notifications.markReadUpTo('demo', 'dave', newestCursor ?? '')).toBe(1);
    expect(unread('dave')).toBe(0);
  });

  it('forgets a user’s notifications, read or not, and prunes old ones whatever their state', () => {
    notify('alice', 'old');
    t.storage.notifications.markRead('demo', 'alice', ['old']);
    t.clock.now += 10_000;
    notify('alice', 'new');
    notify('bob', 'his');
    expect(t.storage.notifications.prune(t.clock.now - 5_000)).toBe(1);
    expect(listed('alice')).toEqual(['new']);
    expect(unread('alice')).toBe(1);
    t.storage.notifications.markRead('demo', 'bob', ['his']);
    expect(t.storage.notifications.forgetUser('demo', 'bob')).toBe(1);
    expect(listed('bob')).toEqual([]);
  });

  it('keeps the notifications of a database from before read state, all unread', () => {
    notify('alice', 'n1');
    t.storage.close();
    downgradeSchema(t.dir, SCHEMA_BEFORE_READ_STATE);
    t.storage = openStorage(t.dir, { now: () => t.clock.now });
    expect(listed('alice')).toEqual(['n1']);
    expect(unread('alice')).toBe(1);
    t.storage.notifications.markRead('demo', 'alice', ['n1']);
    expect(listed('alice')).toEqual(['n1 (read)']);
  });
});
