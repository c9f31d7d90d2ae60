import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/server/auth/password';
import { formatDemoLogins, seedDemo } from '../../src/server/seed';
import { openTempStorage, type TempStorage } from './storage/temp-storage';

describe('seedDemo', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
  });
  afterEach(() => t.cleanup());

  it('creates the demo org, its users and rooms with one generated password each', async () => {
    const result = await seedDemo(t.storage, { password: null });
    expect(result.created).toBe(true);
    expect(result.logins.map((l) => [l.username, l.role])).toEqual([
      ['admin@demo', 'admin'],
      ['alice@demo', 'member'],
      ['bob@demo', 'member'],
      ['notifier@demo', 'service'],
      ['agent-01@demo', 'agent'],
      ['agent-02@demo', 'agent'],
      ['agent-03@demo', 'agent'],
      ['agent-04@demo', 'agent'],
      ['agent-05@demo', 'agent'],
    ]);
    expect(new Set(result.logins.map((l) => l.password)).size).toBe(9);
    expect(t.storage.rooms.list('demo').map((r) => r.id)).toEqual(['general', 'ops', 'random']);

    const alice = result.logins.find((l) => l.username === 'alice@demo');
    const stored = t.storage.users.getUser('demo', 'alice');
    expect(await verifyPassword(alice?.password ?? '', stored?.passwordHash ?? '')).toBe(true);
  });

  it('writes all of the org or none of it: a failed seed is tried again at the next start', async () => {
    const addRoom = t.storage.rooms.add.bind(t.storage.rooms);
    t.storage.rooms.add = () => {
      throw new Error('disk full');
    };
    await expect(seedDemo(t.storage, { password: null })).rejects.toThrow('disk full');
    expect(t.storage.users.listOrgs()).toEqual([]);
    t.storage.rooms.add = addRoom;
    expect((await seedDemo(t.storage, { password: null })).created).toBe(true);
  });

  it('gives everyone DEMO_PASSWORD when set, and honours the agent count', async () => {
    const result = await seedDemo(t.storage, { password: 'demo-pass', agents: 2 });
    expect(result.logins.every((l) => l.password === 'demo-pass')).toBe(true);
    expect(t.storage.users.listUsers('demo').map((u) => u.user)).toEqual([
      'admin',
      'agent-01',
      'agent-02',
      'alice',
      'bob',
      'notifier',
    ]);
    const hash = t.storage.users.getUser('demo', 'agent-02')?.passwordHash ?? '';
    expect(await verifyPassword('demo-pass', hash)).toBe(true);
  });

  it('does nothing once any org exists', async () => {
    t.storage.users.addOrg('acme');
    expect(await seedDemo(t.storage, { password: 'x' })).toEqual({ created: false, logins: [] });
    expect(t.storage.users.listOrgs()).toEqual(['acme']);
  });

  it('is idempotent: a second start keeps the first passwords', async () => {
    await seedDemo(t.storage, { password: 'first-pass', agents: 0 });
    const again = await seedDemo(t.storage, { password: 'second-pass', agents: 0 });
    expect(again.created).toBe(false);
    const hash = t.storage.users.getUser('demo', 'bob')?.passwordHash ?? '';
    expect(await verifyPassword('first-pass', hash)).toBe(true);
  });

  it('formats logins as aligned lines', () => {
    expect(
      formatDemoLogins([
        { username: 'bob@demo', role: 'member', password: 'p1' },
        { username: 'agent-01@demo', role: 'agent', password: 'p2' },
      ]),
    ).toEqual(['  bob@demo       p1  (member)', '  agent-01@demo  p2  (agent)']);
  });
});
