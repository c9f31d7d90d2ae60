import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientIdentity } from '../../src/server/broker/client-identity';
import { openStorage } from '../../src/server/storage';
import { UsersSeen } from '../../src/server/users-seen';
import { openTempStorage, type TempStorage } from './storage/temp-storage';

// What the server remembers of users' connections (external-changes.ts): the catch-up after
// a user is created again reads it.

let t: TempStorage;
beforeEach(() => {
  t = openTempStorage();
  t.storage.users.addOrg('demo');
});
afterEach(() => t.cleanup());

const connection = (user: string, clientId: string, connectedAt: number) =>
  ({ org: 'demo', user, clientId, connectedAt }) as ClientIdentity;

const addOlga = () =>
  t.storage.users.addUser({ org: 'demo', user: 'olga', role: 'agent', passwordHash: 'x' });

describe('UsersSeen', () => {
  it('names the client ids connected since the user there now was created', () => {
    const { createdAt } = addOlga();
    const users = new UsersSeen(t.storage);
    users.connected(connection('olga', 'olga-old', createdAt - 1));
    users.connected(connection('olga', 'olga-new', createdAt + 1));
    expect(users.current('demo', 'olga')).toEqual({ createdAt, clientIds: new Set(['olga-new']) });
    expect(users.current('demo', 'nobody')).toBeUndefined();
  });

  it('forgets connections noted before a time, so the notes do not pile up', () => {
    const { createdAt } = addOlga();
    const users = new UsersSeen(t.storage);
    users.connected(connection('olga', 'olga-a', createdAt + 1));
    users.connected(connection('olga', 'olga-b', createdAt + 3));
    expect(users.forgetConnectionsBefore(createdAt + 2)).toBe(1);
    expect(users.current('demo', 'olga')?.clientIds).toEqual(new Set(['olga-b']));
    users.forgetConnectionsBefore(createdAt + 4);
    expect(users.current('demo', 'olga')?.clientIds).toEqual(new Set());
  });

  it('keeps the notes of a user whose removal is still to catch up with', () => {
    addOlga();
    t.storage.users.removeUser('demo', 'olga');
    t.clock.now += 10;
    const { createdAt } = addOlga();
    const users = new UsersSeen(t.storage);
    users.connected(connection('olga', 'olga-new', createdAt + 1));
    users.connected(connection('bo', 'bo-tab', createdAt + 1));
    expect(users.forgetConnectionsBefore(createdAt + 2)).toBe(1); // bo's
    expect(users.current('demo', 'olga')?.clientIds).toEqual(new Set(['olga-new']));
    // Caught up with: olga's go at the next prune.
    const log = t.storage.userChanges;
    log.remove(log.after(0, 10).map((change) => change.seq));
    expect(users.forgetConnectionsBefore(createdAt + 2)).toBe(1);
  });

  it('knows the connections of a run before: the notes are in the database', () => {
    const { createdAt } = addOlga();
    new UsersSeen(t.storage).connected(connection('olga', 'olga-new', createdAt + 1));
    // The same client id again, earlier (a clock set back): its time does not go back.
    new UsersSeen(t.storage).connected(connection('olga', 'olga-new', createdAt - 5));
    const again = openStorage(t.dir);
    try {
      expect(new UsersSeen(again).current('demo', 'olga')).toEqual({
        createdAt,
        clientIds: new Set(['olga-new']),
      });
    } finally {
      again.close();
    }
  });
});
