import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/server/auth/password';
import { runCli } from '../../src/server/cli/run-cli';
import { openStorage } from '../../src/server/storage';
import { roleRules } from '../../src/shared/acl';
import { eventually } from './support/eventually';
import { connect, json } from './support/mqtt-clients';
import { makeDataDir, startTestServer, type TestServer } from './support/test-server';

// Users the CLI removed or disabled while the server was down: the server catches up with
// them in the broker as it starts again on the same data dir (external-changes.ts).

const APPLIED_WITHIN_MS = 5_000;
let dataDir: string;
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/** Runs the CLI as `npm run cli` does, with no server running. */
async function cli(...argv: string[]): Promise<void> {
  const storage = openStorage(dataDir);
  try {
    expect(await runCli(argv, { storage, out: () => {} })).toBe(0);
  } finally {
    storage.close();
  }
}

/** Connects as the app does, says online (retained) and leaves with DISCONNECT: no will. */
async function leaveOnline(server: TestServer, user: string): Promise<string> {
  const clientId = `${user}-tab`;
  const { token } = await server.tokens.mint({
    org: 'demo',
    user,
    clientId,
    acl: roleRules('member'),
  });
  const client = await connect(server.wsUrl, {
    username: `${user}@demo`,
    password: token,
    clientId,
  });
  const topic = `presence/${user}/${clientId}`;
  // Recent: one long gone is cleared as the server starts anyway (stale-presence.ts).
  await client.publishAsync(topic, json({ status: 'online', since: Date.now() }), {
    qos: 1,
    retain: true,
  });
  await client.endAsync();
  return topic;
}

async function presenceAt(server: TestServer, topic: string) {
  const { messages } = await server.broker.admin.retained('demo', topic, 1);
  const found = messages.find((message) => message.topic === topic);
  return found && (JSON.parse(found.preview) as { status: string });
}

const storedSession = async (server: TestServer, clientId: string) =>
  (await server.broker.admin.storedSessions('demo')).some((s) => s.clientId === clientId);

describe('users changed by the CLI while the server was down', () => {
  it('are caught up with at the next start: states cleared, sessions forgotten, offline', async () => {
    dataDir = await makeDataDir();
    const first = await startTestServer({ dataDir });
    const password = 'a-long-secret-for-ivan';
    const state = 'agents/ivan/state';
    let topics: { removed: string; disabled: string; bystander: string };
    try {
      first.storage.users.addUser({
        org: 'demo',
        user: 'ivan',
        role: 'agent',
        passwordHash: await hashPassword(password),
      });
      // ivan, an agent, leaves a state and an away persistent session.
      const box = await connect(first.mqttUrl, {
        username: 'ivan@demo',
        password,
        clientId: 'ivan-box',
        clean: false,
      });
      await box.subscribeAsync('agents/ivan/inbox', { qos: 1 });
      await box.publishAsync(state, json({ status: 'working', updatedAt: 1 }), {
        qos: 1,
        retain: true,
      });
      await box.endAsync();
      topics = {
        removed: await leaveOnline(first, 'bob'),
        disabled: await leaveOnline(first, 'alice'),
        bystander: await leaveOnline(first, 'admin'),
      };
      await eventually(() => first.broker.retainedTopics('demo', state).length === 1);
      await eventually(() => storedSession(first, 'ivan-box'));
    } finally {
      await first.close();
    }

    await cli('user', 'remove', 'ivan@demo');
    await cli('user', 'remove', 'bob@demo');
    await cli('user', 'disable', 'alice@demo');

    const second = await startTestServer({ dataDir });
    try {
      const gone = (topic: string) => second.broker.retainedTopics('demo', topic).length === 0;
      await eventually(() => gone(state), APPLIED_WITHIN_MS, 'state cleared');
      await eventually(() => gone(topics.removed), APPLIED_WITHIN_MS, 'presence cleared');
      await eventually(
        async () => !(await storedSession(second, 'ivan-box')),
        APPLIED_WITHIN_MS,
        'session forgotten',
      );
      await eventually(
        async () => (await presenceAt(second, topics.disabled))?.status === 'offline',
        APPLIED_WITHIN_MS,
        'presence offline',
      );
      expect((await presenceAt(second, topics.bystander))?.status).toBe('online');
      // Deleted once caught up with: the start after does it no more.
      await eventually(() => second.storage.userChanges.after(0, 10).length === 0);
    } finally {
      await second.close();
    }
  });
});
