import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Aedes, Client } from 'aedes';
import type { BrokerAdmin, CurrentUser, Recreated } from '../../src/server/broker/broker-admin';
import { setIdentity, type ClientIdentity } from '../../src/server/broker/client-identity';
import {
  closeConnectionsChangedElsewhere,
  EXTERNAL_CHANGES_POLL_MS,
  USER_CHANGES_PER_CHECK,
} from '../../src/server/external-changes';
import { createLogger } from '../../src/server/logger';
import type { Storage } from '../../src/server/storage';
import { eventually } from './support/eventually';
import { openTempStorage, type TempStorage } from './storage/temp-storage';

// The poll itself, on a real database and a stand-in broker, its timer moved by hand: what
// a failed read, a slow catch-up and the server's close do to it.

let t: TempStorage;
let stop: (() => Promise<void>) | undefined;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  t = openTempStorage();
  t.storage.users.addOrg('demo');
  for (const user of ['alice', 'bob', 'carol'])
    t.storage.users.addUser({ org: 'demo', user, role: 'member', passwordHash: 'hash' });
});
afterEach(async () => {
  await stop?.();
  stop = undefined;
  vi.useRealTimers();
  t.cleanup();
});

/**
 * A broker that records what the poll asks of it, and the user under the id each call is
 * told of as it starts; `hold` keeps those calls unanswered, and calls in `failing` fail.
 */
function standInBroker() {
  const calls: string[] = [];
  const users: Record<string, Recreated | undefined> = {};
  const held: (() => void)[] = [];
  const failing = new Set<string>();
  let hold = false;
  const answer = (call: string, current?: CurrentUser) => {
    calls.push(call);
    if (current) users[call] = current();
    if (failing.has(call)) return Promise.reject(new Error('broker closed'));
    if (!hold) return Promise.resolve(0);
    return new Promise<number>((resolve) => held.push(() => resolve(0)));
  };
  const admin: Pick<BrokerAdmin, 'clearLastKnown' | 'forgetUser' | 'markOffline'> = {
    clearLastKnown: (org, user, current) => answer(`clear ${user}@${org}`, current),
    forgetUser: (org, user, current) => answer(`forget ${user}@${org}`, current),
    markOffline: (org, user) => answer(`offline ${user}@${org}`),
  };
  const aedes = new EventEmitter();
  return {
    broker: { aedes: aedes as unknown as Aedes, admin: admin as BrokerAdmin, disconnect: () => 0 },
    /** A connection of `user` accepted now, as aedes reports it. */
    connected(user: string, clientId: string) {
      const client = { id: `demo:${user}:${clientId}`, closed: false } as unknown as Client;
      const identity = { org: 'demo', user, clientId, connectedAt: Date.now() };
      setIdentity(client, identity as ClientIdentity);
      aedes.emit('client', client);
    },
    calls,
    users,
    failing,
    held,
    hold(on: boolean) {
      hold = on;
    },
  };
}

function captureLog() {
  const events: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void events.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, events };
}

const tick = () => vi.advanceTimersByTime(EXTERNAL_CHANGES_POLL_MS);

/** `user@org` of each entry still in the log, oldest first. */
const logged = () => t.storage.userChanges.after(0, 100).map(({ org, user }) => `${user}@${org}`);

/** The storage, but for reads of the change log that fail while `failing.on`. */
function failingLog(failing: { on: boolean }): Storage {
  const log = t.storage.userChanges;
  return {
    ...t.storage,
    userChanges: {
      ...log,
      after: (seq, limit) => {
        if (failing.on) throw new Error('database is locked');
        return log.after(seq, limit);
      },
    },
  };
}

/** Spies on every method of `store`; returns, as it grows, each call as "method args". */
function spyOnEveryMethod<T extends object>(store: T): string[] {
  const calls: string[] = [];
  for (const name of Object.keys(store) as (keyof T & string)[]) {
    const method = store[name];
    if (typeof method !== 'function') continue;
    // Each method has its own signature; the spy only records the call and passes it on.
    vi.spyOn(store, name as never).mockImplementation(((...args: unknown[]) => {
      calls.push(`${name} ${args.join(',')}`);
      return (method as (...a: unknown[]) => unknown).apply(store, args);
    }) as never);
  }
  return calls;
}

describe('the poll for changes made outside the server', () => {
  it('reads the change log when the version moves, not the users table', async () => {
    const { broker, calls } = standInBroker();
    const reads = vi.spyOn(t.storage.userChanges, 'after');
    stop = closeConnectionsChangedElsewhere(t.storage, broker, captureLog().logger);
    tick();
    tick();
    expect(reads).toHaveBeenCalledTimes(1); // at the start only: nothing changed since
    t.storage.users.setDisabled('demo', 'alice', true);
    const userReads = spyOnEveryMethod(t.storage.users);
    tick();
    await eventually(() => calls.length === 1);
    expect(calls).toEqual(['offline alice@demo']);
    expect(reads).toHaveBeenCalledTimes(2);
    // Whether alice is still the user disabled: one user, read by primary key.
    expect(userReads).toEqual(['getUser demo,alice']);
  });

  it('survives reads that fail, logs the first and the recovery, and applies the change', async () => {
    const { broker, calls } = standInBroker();
    const { logger, events } = captureLog();
    const failing = { on: false };
    stop = closeConnectionsChangedElsewhere(failingLog(failing), broker, logger);
    failing.on = true;
    t.storage.users.removeUser('demo', 'bob');
    for (let i = 0; i < 3; i++) tick(); // thrown out of the timer, this would end the process
    expect(events.filter((e) => e.event === 'external_change_check_failed')).toEqual([
      expect.objectContaining({ level: 50 }),
    ]);
    expect(calls).toEqual([]);
    failing.on = false;
    tick();
    await eventually(() => calls.length === 2);
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo']);
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'external_change_check_recovered', failedChecks: 3 }),
    );
  });

  it('reads the log again after a read that failed, though the version has not moved', async () => {
    const { broker, calls } = standInBroker();
    const { logger, events } = captureLog();
    t.storage.users.removeUser('demo', 'bob'); // before the start: read only by the first check
    const failing = { on: true };
    stop = closeConnectionsChangedElsewhere(failingLog(failing), broker, logger);
    tick();
    expect(events.filter((e) => e.event === 'external_change_check_failed')).toHaveLength(1);
    failing.on = false;
    tick();
    await eventually(() => calls.length === 2);
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo']);
  });

  it('catches up at its start with what changed before, and deletes it from the log', async () => {
    const { broker, calls } = standInBroker();
    t.storage.users.removeUser('demo', 'bob');
    t.storage.users.setDisabled('demo', 'alice', true);
    stop = closeConnectionsChangedElsewhere(t.storage, broker, captureLog().logger);
    // No tick: at once.
    await eventually(() => calls.length === 3);
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo', 'offline alice@demo']);
    await eventually(() => logged().length === 0);
  });

  it(`reads at most ${USER_CHANGES_PER_CHECK} entries a tick, and the rest at the next`, async () => {
    const { broker, calls } = standInBroker();
    const count = USER_CHANGES_PER_CHECK + 2;
    t.storage.transaction(() => {
      for (let i = 0; i < count; i++) {
        t.storage.users.addUser({ org: 'demo', user: `u${i}`, role: 'member', passwordHash: 'h' });
        t.storage.users.removeUser('demo', `u${i}`);
      }
    });
    const reads = vi.spyOn(t.storage.userChanges, 'after');
    stop = closeConnectionsChangedElsewhere(t.storage, broker, captureLog().logger);
    expect(reads.mock.results[0]?.value).toHaveLength(USER_CHANGES_PER_CHECK);
    tick(); // the version has not moved: read on all the same
    expect(reads.mock.results[1]?.value).toHaveLength(2);
    tick(); // nothing left
    expect(reads).toHaveBeenCalledTimes(2);
    await eventually(() => calls.length === 2 * count, 5_000);
    expect(calls.at(-1)).toBe(`forget u${count - 1}@demo`);
    await eventually(() => logged().length === 0);
  });

  it('catches up one change at a time, and its stop waits for those under way', async () => {
    const { broker, calls, held, hold } = standInBroker();
    stop = closeConnectionsChangedElsewhere(t.storage, broker, captureLog().logger);
    hold(true);
    t.storage.users.removeUser('demo', 'bob');
    tick();
    await eventually(() => held.length === 1);
    t.storage.users.removeUser('demo', 'carol');
    tick();
    // carol's catch-up waits for bob's; both stay in the log until theirs has run.
    expect(calls).toEqual(['clear bob@demo']);
    expect(logged()).toEqual(['bob@demo', 'carol@demo']);

    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    stop = undefined;
    for (const next of ['forget bob@demo', 'clear carol@demo', 'forget carol@demo']) {
      held.shift()!();
      await eventually(() => calls.at(-1) === next);
      expect(stopped).toBe(false);
    }
    held.shift()!();
    await stopping;
    expect(calls).toEqual([
      'clear bob@demo',
      'forget bob@demo',
      'clear carol@demo',
      'forget carol@demo',
    ]);
    expect(logged()).toEqual([]);
  });

  it('goes on with the other steps and users when one fails, and logs it', async () => {
    const { broker, calls, failing } = standInBroker();
    const { logger, events } = captureLog();
    stop = closeConnectionsChangedElsewhere(t.storage, broker, logger);
    failing.add('clear bob@demo');
    t.storage.users.removeUser('demo', 'bob');
    t.storage.users.removeUser('demo', 'carol');
    t.storage.users.setDisabled('demo', 'alice', true);
    tick();
    await eventually(() => calls.length === 5);
    expect(calls).toEqual([
      'clear bob@demo',
      'forget bob@demo',
      'clear carol@demo',
      'forget carol@demo',
      'offline alice@demo',
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'external_change_not_applied',
        what: 'clear_last_known',
        user: 'bob',
        level: 50,
      }),
    );
  });

  it('keeps a change whose catch-up failed in the log, for the next start only', async () => {
    const { broker, calls, failing } = standInBroker();
    const { logger, events } = captureLog();
    stop = closeConnectionsChangedElsewhere(t.storage, broker, logger);
    failing.add('clear bob@demo');
    t.storage.users.removeUser('demo', 'bob');
    t.storage.users.removeUser('demo', 'carol');
    tick();
    await eventually(() => calls.length === 4);
    await eventually(() => logged().length === 1);
    expect(logged()).toEqual(['bob@demo']);
    // Not tried again at the next change: one that fails for good would be, every second.
    t.storage.users.setDisabled('demo', 'alice', true);
    tick();
    await eventually(() => calls.length === 5);
    await eventually(() => logged().length === 1);
    expect(calls.at(-1)).toBe('offline alice@demo');
    expect(events.filter((e) => e.event === 'external_change_not_applied')).toHaveLength(1);

    // The next start tries it again; done, it goes.
    await stop();
    failing.clear();
    calls.length = 0;
    stop = closeConnectionsChangedElsewhere(t.storage, broker, logger);
    await eventually(() => calls.length === 2);
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo']);
    await eventually(() => logged().length === 0);
  });

  it('catches up with a user disabled, then removed or created again, as removed only', async () => {
    const { broker, calls } = standInBroker();
    stop = closeConnectionsChangedElsewhere(t.storage, broker, captureLog().logger);
    const { users } = t.storage;
    users.setDisabled('demo', 'alice', true);
    users.removeUser('demo', 'alice');
    users.setDisabled('demo', 'bob', true);
    users.removeUser('demo', 'bob');
    t.clock.now += 1; // the new bob's creation time
    users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'hash' });
    users.setDisabled('demo', 'carol', true); // and only disabled
    tick();
    await eventually(() => calls.length === 5);
    expect(calls).toEqual([
      'clear alice@demo',
      'forget alice@demo',
      'clear bob@demo',
      'forget bob@demo',
      'offline carol@demo',
    ]);
  });

  it('tells each step of a catch-up what a user created again did until it starts', async () => {
    const { broker, calls, users, held, hold, connected } = standInBroker();
    stop = closeConnectionsChangedElsewhere(t.storage, broker, captureLog().logger);
    hold(true);
    t.storage.users.removeUser('demo', 'carol');
    tick();
    await eventually(() => held.length === 1); // carol's catch-up waits on the broker
    t.clock.now = Date.now(); // bob's new creation time, later than the first
    t.storage.users.removeUser('demo', 'bob');
    t.storage.users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'hash' });
    tick(); // bob's catch-up is chained behind carol's
    // The new bob connects (and may set a state, or leave a session) before it runs.
    connected('bob', 'bob-new');
    hold(false);
    held.shift()!();
    await eventually(() => calls.length === 4);
    expect(users['clear carol@demo']).toBeUndefined();
    const createdAt = t.clock.now;
    for (const call of ['clear bob@demo', 'forget bob@demo'])
      expect(users[call]).toEqual({ createdAt, clientIds: new Set(['bob-new']) });
  });
});
