import { EventEmitter } from 'node:events';
import type { Aedes } from 'aedes';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrokerAdmin } from '../../src/server/broker/broker-admin';
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

/** A broker that records what the poll asks of it; `hold` keeps those calls unanswered. */
function standInBroker() {
  const calls: string[] = [];
  const held: (() => void)[] = [];
  let hold = false;
  const answer = (call: string) => {
    calls.push(call);
    if (!hold) return Promise.resolve(0);
    return new Promise<number>((resolve) => held.push(() => resolve(0)));
  };
  const admin: Pick<BrokerAdmin, 'clearLastKnown' | 'forgetUser' | 'markOffline'> = {
    clearLastKnown: (org, user) => answer(`clear ${user}@${org}`),
    forgetUser: (org, user) => answer(`forget ${user}@${org}`),
    markOffline: (org, user) => answer(`offline ${user}@${org}`),
  };
  return {
    broker: {
      aedes: new EventEmitter() as unknown as Aedes,
      admin: admin as BrokerAdmin,
      disconnect: () => 0,
    },
    calls,
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

  it('survives a read that fails, logs it, and applies the change at the next tick', async () => {
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
    tick(); // thrown out of the timer, this would end the process
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'external_change_check_failed', level: 50 }),
    );
    expect(calls).toEqual([]);
    failing = false;
    tick();
    await eventually(() => calls.length === 2);
    expect(calls).toEqual(['clear bob@demo', 'forget bob@demo']);
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
});
