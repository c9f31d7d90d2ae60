import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempStorage, type TempStorage } from './temp-storage';

// What the server polls to close connections the CLI took away (external-changes.ts).
describe('accessVersion', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
    t.storage.users.addOrg('demo');
    t.storage.users.addUser({ org: 'demo', user: 'eve', role: 'member', passwordHash: 'h' });
  });
  afterEach(() => t.cleanup());

  it('moves when a user is changed or removed, or a token revoked', () => {
    const { storage } = t;
    const steps: (() => void)[] = [
      () => storage.users.setDisabled('demo', 'eve', true),
      () => storage.users.setPassword('demo', 'eve', 'h2'),
      () => storage.users.setRole('demo', 'eve', 'admin'),
      () => storage.users.setExtraRules('demo', 'eve', []),
      () => storage.tokens.revoke('jti-1', Date.now() + 60_000),
      () => storage.users.removeUser('demo', 'eve'),
    ];
    for (const step of steps) {
      const before = storage.accessVersion();
      step();
      expect(storage.accessVersion()).toBeGreaterThan(before);
    }
  });

  it('stays put for chat, notifications, sign-ins and new users', () => {
    const { storage } = t;
    const before = storage.accessVersion();
    storage.rooms.add('demo', 'general');
    storage.history.record('demo', 'general', { id: 'm1', from: 'eve', text: 'hi', sentAt: 1 });
    storage.notifications.record('demo', 'eve', { id: 'n1', title: 't', body: '', createdAt: 1 });
    storage.sessions.create('demo', 'eve', 60);
    storage.users.addUser({ org: 'demo', user: 'zed', role: 'member', passwordHash: 'h' });
    expect(storage.accessVersion()).toBe(before);
  });
});
