import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Aedes, Client } from 'aedes';
import type { BrokerAdmin, CurrentUser, Recreated } from '../../src/server/broker/broker-admin';
import { setIdentity, type ClientIdentity } from '../../src/server/broker/client-identity';
import {
  followExternalChanges,
  CONNECTION_NOTES_KEPT_MS,
  EXTERNAL_CHANGES_POLL_MS,
  USER_CHANGE_RETRY_MAX_MS,
  USER_CHANGE_RETRY_MS,
  USER_CHANGES_PER_CHECK,
  type ExternalChanges,
} from '../../src/server/external-changes';
import { roleRules, type AclRule } from '../../src/shared/acl';
import { captureLog } from './support/captured-log';
import type { Storage } from '../../src/server/storage';
import { eventually } from './support/eventually';
import { openTempStorage, type TempStorage } from './storage/temp-storage';

// The poll itself, on a real database and a stand-in broker, its timer moved by hand: what
// a failed read, a slow catch-up and the server's close do to it.

let t: TempStorage;
let running: ExternalChanges | undefined;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  t = openTempStorage();
  t.storage.users.addOrg('demo');
  for (const user of ['alice', 'bob', 'carol'])
    t.storage.users.addUser({ org: 'demo', user, role: 'member', passwordHash: 'hash' });
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  vi.useRealTimers();
  vi.restoreAllMocks();
  t.cleanup();
});

/**
 * A broker that records what the poll asks of it, and the user under the id each call is
 * told of as it starts; `hold` keeps those calls unanswered (all, or those it picks), and
 * calls in `failing` fail.
 */
function standInBroker() {
  const calls: string[] = [];
  const users: Record<string, Recreated | undefined> = {};
  const held: (() => void)[] = [];
  const failing = new Set<string>();
  let hold: boolean | ((call: string) => boolean) = false;
  const answer = (call: string, current?: CurrentUser) => {
    calls.push(call);
    if (current) users[call] = current();
    if (failing.has(call)) return Promise.reject(new Error('broker closed'));
    if (!(typeof hold === 'function' ? hold(call) : hold)) return Promise.resolve(0);
    return new Promise<number>((resolve) => held.push(() => resolve(0)));
  };
  const rules: Record<string, AclRule[]> = {};
  const admin: Pick<BrokerAdmin, 'clearLastKnown' | 'forgetUser' | 'markOffline' | 'applyRules'> = {
    clearLastKnown: (org, user, current) => answer(`clear ${user}@${org}`, current),
    forgetUser: (org, user, current) => answer(`forget ${user}@${org}`, current),
    markOffline: (org, user) => answer(`offline ${user}@${org}`),
    applyRules: (org, user, given) => {
      rules[user] = given;
      return answer(`rules ${user}@${org}`).then(() => ({ connections: 0, removed: [] }));
    },
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
    /** The rules each user's connections were last given. */
    rules,
    failing,
    held,
    hold(on: boolean | ((call: string) => boolean)) {
      hold = on;
    },
  };
}

const tick = () => vi.advanceTimersByTime(EXTERNAL_CHANGES_POLL_MS);

/** Starts the poll; each test's end stops it (again: a stop is done once). */
function start(...args: Parameters<typeof followExternalChanges>): ExternalChanges {
  running = followExternalChanges(...args);
  return running;
}

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
    start(t.storage, broker, captureLog().logger);
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
    start(failingLog(failing), broker, logger);
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
    start(failingLog(failing), broker, logger);
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
    start(t.storage, broker, captureLog().logger);
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
    start(t.storage, broker, captureLog().logger);
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
    const { stop } = start(t.storage, broker, captureLog().logger);
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
    start(t.storage, broker, logger);
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

  it('tries a failed change again 30 s later, then less often; logs the first failure and the recovery', async () => {
    const { broker, calls, failing } = standInBroker();
    const { logger, events } = captureLog();
    start(t.storage, broker, logger);
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
    expect(calls.at(-1)).toBe('offline alice@demo');
    await eventually(() => logged().length === 1);

    const seconds = (s: number) => vi.advanceTimersByTime(s * 1_000);
    const retried = () => calls.slice(5);
    seconds(USER_CHANGE_RETRY_MS / 1_000 - 5);
    expect(retried()).toEqual([]);
    seconds(10);
    // Only what is still in the log: bob, the whole of his catch-up.
    await eventually(() => retried().length === 2);
    expect(retried()).toEqual(['clear bob@demo', 'forget bob@demo']);
    // Failed again: next in twice the time, and not logged again.
    seconds((2 * USER_CHANGE_RETRY_MS) / 1_000 - 5);
    expect(retried()).toHaveLength(2);
    failing.clear();
    seconds(10);
    await eventually(() => retried().length === 4);
    await eventually(() => logged().length === 0);
    expect(events.filter((e) => e.event === 'external_change_not_applied')).toHaveLength(1);
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'external_change_applied_after_retry', user: 'bob' }),
    );
    // Caught up with: nothing to try again.
    seconds((4 * USER_CHANGE_RETRY_MS) / 1_000);
    expect(retried()).toHaveLength(4);
  });

  it('tries a failed change again at the next start too, the user created again spared', async () => {
    const { broker, calls, users, failing, connected } = standInBroker();
    const { logger } = captureLog();
    const first = start(t.storage, broker, logger);
    failing.add('forget bob@demo');
    t.storage.users.removeUser('demo', 'bob');
    t.clock.now = Date.now() - 1; // the new bob's creation time
    t.storage.users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'hash' });
    connected('bob', 'bob-new');
    tick();
    await eventually(() => calls.length === 2);
    await first.stop();
    expect(logged()).toEqual(['bob@demo']);

    // Noted in the database: a start knows the new bob's client ids all the same.
    failing.clear();
    calls.length = 0;
    const second = start(t.storage, broker, logger);
    await second.ready;
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo']);
    const createdAt = t.clock.now;
    for (const call of calls)
      expect(users[call]).toEqual({ createdAt, clientIds: new Set(['bob-new']) });
    expect(logged()).toEqual([]);
  });

  it('logs entries it could not delete once, and catches up with them again harmlessly', async () => {
    const { broker, calls, users, connected } = standInBroker();
    const { logger, events } = captureLog();
    const remove = vi.spyOn(t.storage.userChanges, 'remove').mockImplementation(() => {
      throw new Error('database is locked');
    });
    const first = start(t.storage, broker, logger);
    t.storage.users.removeUser('demo', 'bob');
    t.clock.now = Date.now() - 1; // the new bob's creation time
    t.storage.users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'hash' });
    connected('bob', 'bob-new');
    tick();
    await eventually(() => calls.length === 2);
    await eventually(() => remove.mock.calls.length === 1);
    t.storage.users.removeUser('demo', 'carol');
    tick();
    await eventually(() => calls.length === 4);
    await eventually(() => remove.mock.calls.length === 2);
    expect(events.filter((e) => e.event === 'user_changes_not_removed')).toEqual([
      expect.objectContaining({ level: 50 }),
    ]);
    await first.stop();
    expect(logged()).toEqual(['bob@demo', 'carol@demo']);

    // The next start does it all again: the new bob's client ids are spared again. It waits
    // for bob's only (his id holds a user again), carol's follows.
    remove.mockRestore();
    calls.length = 0;
    await start(t.storage, broker, logger).ready;
    expect(calls.slice(0, 2)).toEqual(['clear bob@demo', 'forget bob@demo']);
    await eventually(() => calls.length === 4);
    expect(calls).toEqual([
      'clear bob@demo',
      'forget bob@demo',
      'clear carol@demo',
      'forget carol@demo',
    ]);
    expect(users['forget bob@demo']).toEqual({
      createdAt: t.clock.now,
      clientIds: new Set(['bob-new']),
    });
    await eventually(() => logged().length === 0);
  });

  it('reads the log once more as it stops: a change since the last tick is not left', async () => {
    const { broker, calls } = standInBroker();
    const { stop } = start(t.storage, broker, captureLog().logger);
    t.storage.users.removeUser('demo', 'bob');
    await stop();
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo']);
    expect(logged()).toEqual([]);
  });

  it('is ready once what its first check read is caught up with, when an id removed holds a user again', async () => {
    const { broker, calls, held, hold } = standInBroker();
    t.storage.users.removeUser('demo', 'bob');
    t.clock.now = Date.now() - 1; // the new bob's creation time
    t.storage.users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'hash' });
    hold(true);
    const { ready } = start(t.storage, broker, captureLog().logger);
    let isReady = false;
    void ready.then(() => (isReady = true));
    for (const call of ['clear bob@demo', 'forget bob@demo']) {
      await eventually(() => held.length === 1);
      expect(calls.at(-1)).toBe(call);
      expect(isReady).toBe(false);
      held.shift()!();
    }
    await ready;
    expect(logged()).toEqual([]);
  });

  it('catches up with a role change as the console makes it: offline first for a role not of the app', async () => {
    const { broker, calls, rules } = standInBroker();
    start(t.storage, broker, captureLog().logger);
    t.storage.users.setRole('demo', 'alice', 'admin');
    t.storage.users.setRole('demo', 'bob', 'agent');
    tick();
    await eventually(() => calls.length === 3);
    expect(calls).toEqual(['rules alice@demo', 'offline bob@demo', 'rules bob@demo']);
    expect(rules.alice).toEqual(roleRules('admin'));
    expect(rules.bob).toEqual(roleRules('agent'));
    await eventually(() => logged().length === 0);
  });

  it('gives a role change the rules of the user as they are now, and none to a user gone', async () => {
    const { broker, calls, rules } = standInBroker();
    t.storage.users.setRole('demo', 'alice', 'service');
    t.storage.users.setRole('demo', 'alice', 'member');
    t.storage.users.setRole('demo', 'bob', 'admin');
    t.storage.users.removeUser('demo', 'bob');
    t.storage.users.setRole('demo', 'carol', 'admin');
    t.storage.users.removeUser('demo', 'carol');
    t.clock.now += 1; // the new carol's creation time
    t.storage.users.addUser({ org: 'demo', user: 'carol', role: 'member', passwordHash: 'hash' });
    await start(t.storage, broker, captureLog().logger).ready;
    // alice's two entries: her rules now (a member's) both times, never offline; bob's and
    // the old carol's role entries nothing, their removals what removals get.
    expect(calls.filter((call) => !/^(clear|forget) /.test(call))).toEqual([
      'rules alice@demo',
      'rules alice@demo',
    ]);
    expect(rules.alice).toEqual(roleRules('member'));
    expect(logged()).toEqual([]);
  });

  it('is ready once what its first check read is caught up with, when a role changed', async () => {
    const { broker, calls, held, hold } = standInBroker();
    t.storage.users.setRole('demo', 'bob', 'admin');
    hold(true);
    const { ready } = start(t.storage, broker, captureLog().logger);
    let isReady = false;
    void ready.then(() => (isReady = true));
    await eventually(() => held.length === 1);
    expect(calls).toEqual(['rules bob@demo']);
    expect(isReady).toBe(false);
    held.shift()!();
    await ready;
    expect(logged()).toEqual([]);
  });

  it('is ready once the last change that must come first is caught up with, the removals after it still held', async () => {
    const { broker, calls, held, hold } = standInBroker();
    t.storage.users.setRole('demo', 'alice', 'admin');
    for (const user of ['u1', 'u2', 'u3']) {
      t.storage.users.addUser({ org: 'demo', user, role: 'member', passwordHash: 'hash' });
      t.storage.users.removeUser('demo', user);
    }
    hold((call) => !call.startsWith('rules ')); // the removals' steps wait on the broker
    const { ready } = start(t.storage, broker, captureLog().logger);
    let isReady = false;
    void ready.then(() => (isReady = true));
    await eventually(() => held.length === 1);
    expect(calls).toEqual(['rules alice@demo', 'clear u1@demo']);
    await eventually(() => isReady, 1_000, 'ready');
    // The rest in order all the same, after it.
    hold(false);
    held.shift()!();
    await eventually(() => logged().length === 0);
    expect(calls).toEqual([
      'rules alice@demo',
      ...['u1', 'u2', 'u3'].flatMap((u) => [`clear ${u}@demo`, `forget ${u}@demo`]),
    ]);
  });

  it('waits, in order, for what comes before the last change that must come first', async () => {
    const { broker, calls, held, hold } = standInBroker();
    t.storage.users.removeUser('demo', 'carol'); // nobody holds her id again
    t.storage.users.setRole('demo', 'alice', 'admin');
    t.storage.users.removeUser('demo', 'bob');
    hold(true);
    const { ready } = start(t.storage, broker, captureLog().logger);
    let isReady = false;
    void ready.then(() => (isReady = true));
    for (const call of ['clear carol@demo', 'forget carol@demo', 'rules alice@demo']) {
      await eventually(() => held.length === 1);
      expect(calls.at(-1)).toBe(call);
      expect(isReady).toBe(false);
      held.shift()!();
    }
    await eventually(() => held.length === 1);
    expect(calls.at(-1)).toBe('clear bob@demo');
    await eventually(() => isReady, 1_000, 'ready');
    held.shift()!();
    await eventually(() => held.length === 1);
    held.shift()!();
    await eventually(() => logged().length === 0);
  });

  it('is ready at once when the user given another role is disabled: they cannot connect', async () => {
    const { broker, calls, held, hold } = standInBroker();
    t.storage.users.setRole('demo', 'alice', 'admin');
    t.storage.users.setDisabled('demo', 'alice', true);
    hold(true);
    const { ready } = start(t.storage, broker, captureLog().logger);
    let isReady = false;
    void ready.then(() => (isReady = true));
    await eventually(() => held.length === 1);
    expect(calls).toEqual(['rules alice@demo']);
    await eventually(() => isReady, 1_000, 'ready'); // while alice's catch-up is still held
    held.shift()!();
    await eventually(() => held.length === 1);
    expect(calls).toEqual(['rules alice@demo', 'offline alice@demo']);
    held.shift()!();
    await eventually(() => logged().length === 0);
  });

  it('is ready at once when no id removed holds a user again: nobody removed can sign in', async () => {
    const { broker, calls, held, hold } = standInBroker();
    t.storage.users.removeUser('demo', 'bob');
    hold(true);
    const { ready } = start(t.storage, broker, captureLog().logger);
    await ready; // while bob's catch-up is still held
    await eventually(() => held.length === 1);
    expect(calls).toEqual(['clear bob@demo']);
    held.shift()!();
    await eventually(() => held.length === 1);
    held.shift()!();
    await eventually(() => logged().length === 0);
  });

  it('begins no further change once its start is given up on: ready, and the rest left logged', async () => {
    const { broker, calls, held, hold } = standInBroker();
    t.storage.users.removeUser('demo', 'bob');
    t.clock.now = Date.now() - 1; // the new bob's creation time: `ready` waits for the catch-up
    t.storage.users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'hash' });
    t.storage.users.removeUser('demo', 'carol');
    hold(true);
    const giveUp = new AbortController();
    const { ready, stop } = start(t.storage, broker, captureLog().logger, {
      signal: giveUp.signal,
    });
    let isReady = false;
    void ready.then(() => (isReady = true));
    await eventually(() => held.length === 1);
    giveUp.abort(); // a Ctrl-C while bob's change is under way: it is finished, not cut
    for (const call of ['clear bob@demo', 'forget bob@demo']) {
      await eventually(() => held.length === 1);
      expect(calls.at(-1)).toBe(call);
      held.shift()!();
    }
    await eventually(() => isReady, 1_000, 'ready');
    await stop();
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo']);
    expect(logged()).toEqual(['carol@demo']); // for the next start
  });

  it('reads no further page and tries nothing again as it stops: stopping stays short', async () => {
    const { broker, calls, failing } = standInBroker();
    const { stop } = start(t.storage, broker, captureLog().logger);
    failing.add('clear bob@demo');
    t.storage.users.removeUser('demo', 'bob');
    tick();
    await eventually(() => calls.length === 2);
    // Up to the tick before the retry: the stop's check would be the one to make it.
    vi.advanceTimersByTime(USER_CHANGE_RETRY_MS - EXTERNAL_CHANGES_POLL_MS);
    expect(calls).toHaveLength(2);
    calls.length = 0;
    failing.clear();
    await stop();
    expect(calls).toEqual([]); // bob's entry waits for the next start
    expect(logged()).toEqual(['bob@demo']);
  });

  it('forgets notes of connections over ten minutes old, but a user’s whose removal is logged', async () => {
    const { broker, failing } = standInBroker();
    const { connectionNotes: notes, users } = t.storage;
    const realNow = Date.now.bind(Date);
    let later = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + later);
    const minutes = (n: number) => n * 60_000;
    const t0 = Date.now();
    // Noted by the run before: alice's, and the new bob's, whose old one's removal failed.
    notes.note('demo', 'alice', 'alice-old', t0 - minutes(11));
    notes.note('demo', 'alice', 'alice-recent', t0 - minutes(1));
    users.removeUser('demo', 'bob');
    users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'hash' });
    notes.note('demo', 'bob', 'bob-new', t0 - minutes(11));
    failing.add('clear bob@demo');
    const prunes = vi.spyOn(notes, 'prune');
    const noted = (user: string) => [...notes.clientIdsSince('demo', user, 0)];

    await start(t.storage, broker, captureLog().logger).ready;
    expect(noted('alice')).toEqual(['alice-recent']);
    expect(noted('bob')).toEqual(['bob-new']);
    vi.advanceTimersByTime(minutes(5));
    expect(prunes).toHaveBeenCalledTimes(1); // at the start, then every ten minutes

    later = CONNECTION_NOTES_KEPT_MS;
    tick();
    expect(prunes).toHaveBeenCalledTimes(2);
    expect(noted('alice')).toEqual([]);
    expect(noted('bob')).toEqual(['bob-new']);

    failing.clear();
    vi.advanceTimersByTime(USER_CHANGE_RETRY_MAX_MS); // bob's next retry: done, his entry goes
    await eventually(() => logged().length === 0);
    later = 2 * CONNECTION_NOTES_KEPT_MS;
    tick();
    expect(noted('bob')).toEqual([]);
  });

  it('catches up with a user disabled, then removed or created again, as removed only', async () => {
    const { broker, calls } = standInBroker();
    start(t.storage, broker, captureLog().logger);
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
    start(t.storage, broker, captureLog().logger);
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
