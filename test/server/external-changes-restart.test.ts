import { rm } from 'node:fs/promises';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { hashPassword } from '../../src/server/auth/password';
import { runCli } from '../../src/server/cli/run-cli';
import { EXTERNAL_CHANGES_POLL_MS } from '../../src/server/external-changes';
import { openStorage } from '../../src/server/storage';
import { roleRules } from '../../src/shared/acl';
import { eventually } from './support/eventually';
import { connect, json, resume } from './support/mqtt-clients';
import {
  DEMO_PASSWORD,
  makeDataDir,
  startTestServer,
  type TestServer,
} from './support/test-server';

// Users the CLI removed or disabled while the server was down: the server catches up with
// them in the broker as it starts again on the same data dir (external-changes.ts).

const APPLIED_WITHIN_MS = 5_000;
let dataDir: string;
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/** Runs the CLI as `npm run cli` does, with no server running. */
async function cli(...argv: string[]): Promise<void> {
  const storage = openStorage(dataDir);
  try {
    expect(await runCli(argv, { storage, actor: 'cli:test', out: () => {} })).toBe(0);
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

describe('a user removed and created again while the server ran, the removal still logged', () => {
  // Either way the removal is caught up with at the next start, or as the server stops:
  // the new user's client ids come from the notes kept in the database.
  it.each([
    ['a step of its catch-up failed', true],
    ['the server stopped before its next poll', false],
  ])('keeps the new user’s away session and state when %s', async (_, stepFails) => {
    const dir = await makeDataDir();
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const state = 'agents/ivan/state';
    const agent = (clientId: string) => ({
      username: 'ivan@demo',
      password: DEMO_PASSWORD,
      clientId,
      clean: false,
    });
    // The poll runs only when the test moves its timer.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const first = await startTestServer({ dataDir: dir });
    try {
      const passwordHash = await hashPassword(DEMO_PASSWORD);
      first.storage.users.addUser({ org: 'demo', user: 'ivan', role: 'agent', passwordHash });
      const old = await connect(first.mqttUrl, agent('ivan-box'));
      await old.subscribeAsync('agents/ivan/inbox', { qos: 1 });
      await old.publishAsync(state, json({ status: 'working', updatedAt: 1 }), {
        qos: 1,
        retain: true,
      });
      await old.endAsync();

      // Removed and created again as the CLI does: another connection to the database.
      const other = openStorage(dir);
      try {
        other.users.removeUser('demo', 'ivan');
        other.users.addUser({ org: 'demo', user: 'ivan', role: 'agent', passwordHash });
      } finally {
        other.close();
      }
      const fresh = await connect(first.mqttUrl, agent('ivan-new'));
      await fresh.subscribeAsync('agents/ivan/inbox', { qos: 1 });
      await fresh.publishAsync(state, json({ status: 'idle', updatedAt: 2 }), {
        qos: 1,
        retain: true,
      });
      await fresh.endAsync();
      // Queued for the new ivan's away session.
      const sender = await connect(first.mqttUrl, {
        username: 'alice@demo',
        password: DEMO_PASSWORD,
        clientId: 'alice-cmd',
      });
      await sender.publishAsync(
        'agents/ivan/inbox',
        json({ id: 'cmd-1', command: 'run', from: 'alice' }),
        {
          qos: 1,
        },
      );
      await sender.endAsync();

      if (stepFails) {
        const forget = vi
          .spyOn(first.broker.admin, 'forgetUser')
          .mockRejectedValueOnce(new Error('store busy'));
        vi.advanceTimersByTime(EXTERNAL_CHANGES_POLL_MS);
        await eventually(() => forget.mock.calls.length === 1);
      }
      expect(first.storage.userChanges.after(0, 10)).toEqual([
        expect.objectContaining({ user: 'ivan', kind: 'removed' }),
      ]);
    } finally {
      await first.close();
      vi.useRealTimers();
      vi.restoreAllMocks();
    }

    const second = await startTestServer({ dataDir: dir });
    try {
      // Caught up with before the server listened: nothing to wait for.
      expect(second.storage.userChanges.after(0, 10)).toEqual([]);
      expect(await storedSession(second, 'ivan-box')).toBe(false); // the old ivan's
      expect(await storedSession(second, 'ivan-new')).toBe(true);
      const { messages } = await second.broker.admin.retained('demo', state, 1);
      expect(messages.map((m) => JSON.parse(m.preview) as unknown)).toEqual([
        { status: 'idle', updatedAt: 2 },
      ]);
      // Listening before the CONNACK: what the session queued comes right after it.
      const client = mqtt.connect(second.mqttUrl, { ...agent('ivan-new'), reconnectPeriod: 0 });
      try {
        const inbox: string[] = [];
        client.on('message', (topic) => inbox.push(topic));
        const connack = await new Promise<{ sessionPresent: boolean }>((resolve) =>
          client.once('connect', resolve),
        );
        expect(connack.sessionPresent).toBe(true);
        await eventually(() => inbox.includes('agents/ivan/inbox'), 5_000, 'queued command');
      } finally {
        await client.endAsync();
      }
    } finally {
      await second.close();
    }
  });
});

describe('roles the CLI changed while the server was down', () => {
  it('are applied before the server listens: stored subscriptions pruned, presence offline', async () => {
    const dir = await makeDataDir();
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const ops = {
      username: 'ops@demo',
      password: DEMO_PASSWORD,
      clientId: 'ops-box',
      clean: false,
    };
    const first = await startTestServer({ dataDir: dir });
    let presence: string;
    try {
      const passwordHash = await hashPassword(DEMO_PASSWORD);
      first.storage.users.addUser({ org: 'demo', user: 'ops', role: 'admin', passwordHash });
      // An admin's device leaves a persistent session reading $SYS and the chat.
      const box = await connect(first.mqttUrl, ops);
      await box.subscribeAsync(['$SYS/#', 'chat/+/+'], { qos: 1 });
      await box.endAsync();
      // bob's app leaves its presence online (a DISCONNECT: no will).
      presence = await leaveOnline(first, 'bob');
      await eventually(() => storedSession(first, 'ops-box'));
    } finally {
      await first.close();
    }

    const storage = openStorage(dir); // as `npm run cli` opens it
    try {
      for (const argv of [
        ['user', 'role', 'ops@demo', 'member'],
        ['user', 'role', 'bob@demo', 'agent'],
      ]) {
        expect(await runCli(argv, { storage, actor: 'cli:test', out: () => {} })).toBe(0);
      }
    } finally {
      storage.close();
    }

    const second = await startTestServer({ dataDir: dir });
    try {
      // Caught up with before the server listened: nothing to wait for.
      expect(second.storage.userChanges.after(0, 10)).toEqual([]);
      const stored = (await second.broker.admin.storedSessions('demo')).find(
        (session) => session.clientId === 'ops-box',
      );
      expect(stored?.subscriptions).toEqual(['chat/+/+']);
      expect((await presenceAt(second, presence))?.status).toBe('offline');
      // The device resumes its session without $SYS.
      const { client, sessionPresent } = await resume(second.mqttUrl, ops);
      try {
        expect(sessionPresent).toBe(true);
        const live = (await second.broker.admin.liveSessions('demo')).find(
          (session) => session.clientId === 'ops-box',
        );
        expect(live?.subscriptions).toEqual(['chat/+/+']);
      } finally {
        await client.endAsync();
      }
    } finally {
      await second.close();
    }
  });
});
