import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Aedes, Client } from 'aedes';
import type { BrokerAdmin, CurrentUser, Recreated } from '../../src/server/broker/broker-admin';
import { setIdentity, type ClientIdentity } from '../../src/server/broker/client-identity';
import {
  closeConnectionsChangedElsewhere,
  EXTERNAL_CHANGES_POLL_MS,
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

describe('the poll for changes made outside the server', () => {
  it('reads every user in one query, not one per org', async () => {
    const { broker, calls } = standInBroker();
    const reads = vi.spyOn(t.storage.users, 'listAllUsers');
    const perOrg = [vi.spyOn(t.storage.users, 'listUsers'), vi.spyOn(t.storage.users, 'hasOrg')];
    stop = closeConnectionsChangedElsewhere(t.storage, broker, captureLog().logger);
    t.storage.users.setDisabled('demo', 'alice', true);
    tick();
    await eventually(() => calls.length === 1);
    expect(calls).toEqual(['offline alice@demo']);
    expect(reads).toHaveBeenCalledTimes(2); // at the start, and at the change
    for (const spy of perOrg) expect(spy).not.toHaveBeenCalled();
  });

  it('survives reads that fail, logs the first and the recovery, and applies the change', async () => {
    const { broker, calls } = standInBroker();
    const { logger, events } = captureLog();
    let failing = false;
    const users = t.storage.users;
    const storage: Storage = {
      ...t.storage,
      users: {
        ...users,
        listAllUsers: () => {
          if (failing) throw new Error('database is locked');
          return users.listAllUsers();
        },
      },
    };
    stop = closeConnectionsChangedElsewhere(storage, broker, logger);
    failing = true;
    users.removeUser('demo', 'bob');
    for (let i = 0; i < 3; i++) tick(); // thrown out of the timer, this would end the process
    expect(events.filter((e) => e.event === 'external_change_check_failed')).toEqual([
      expect.objectContaining({ level: 50 }),
    ]);
    expect(calls).toEqual([]);
    failing = false;
    tick();
    await eventually(() => calls.length === 2);
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo']);
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'external_change_check_recovered', failedChecks: 3 }),
    );
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
    // carol's catch-up waits for bob's.
    expect(calls).toEqual(['clear bob@demo']);

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
