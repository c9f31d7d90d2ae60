import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientIdentity } from '../../src/server/broker/client-identity';
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
    users.forgetConnectionsBefore(createdAt + 2);
    expect(users.current('demo', 'olga')?.clientIds).toEqual(new Set(['olga-b']));
    users.forgetConnectionsBefore(createdAt + 4);
    expect(users.current('demo', 'olga')?.clientIds).toEqual(new Set());
  });
});
