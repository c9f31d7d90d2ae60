import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/server/cli/run-cli';
import { openStorage } from '../../../src/server/storage';
import {
  json,
  record,
  retainIdleStates,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { DEMO_PASSWORD } from '../support/test-server';
import { expectApiError, useAdminServer } from './admin-server';
import { eventually } from '../support/eventually';

const t = useAdminServer({
  setup: async (admin) => {
    // Two retained agent states, as agents publish them.
    await retainIdleStates(admin.server.mqttUrl, ['agent-01', 'agent-02'], DEMO_PASSWORD);
  },
});
const { open } = t;

interface RetainedList {
  messages: {
    topic: string;
    size: number;
    qos: number;
    preview: string;
    previewTruncated: boolean;
  }[];
  truncated: boolean;
}

const listRetained = async (query = '') => {
  const res = await t.request(t.cookies.admin, 'GET', `/api/admin/retained${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<RetainedList>();
};

describe('GET /api/admin/retained', () => {
  it('lists the org’s retained messages by topic prefix, with a preview and size', async () => {
    await eventually(async () => (await listRetained('?prefix=agents/')).messages.length === 2);
    const { messages, truncated } = await listRetained('?prefix=agents/');
    expect(truncated).toBe(false);
    expect(messages.map((m) => m.topic)).toEqual([
      'agents/agent-01/state',
      'agents/agent-02/state',
    ]);
    const first = messages[0];
    expect(first).toMatchObject({ qos: 1, previewTruncated: false });
    expect(JSON.parse(first?.preview ?? '')).toMatchObject({ status: 'idle' });
    expect(first?.size).toBe(Buffer.byteLength(first?.preview ?? ''));
    // Broker statistics are not the org's data.
    expect((await listRetained()).messages.some((m) => m.topic.startsWith('$'))).toBe(false);
    expect((await listRetained('?prefix=agents/agent-02')).messages).toHaveLength(1);
    expect(await listRetained('?limit=1')).toMatchObject({ truncated: true });
  });

  it('refuses a bad limit', async () => {
    expectApiError(
      await t.request(t.cookies.admin, 'GET', '/api/admin/retained?limit=0'),
      400,
      'invalid_limit',
    );
  });
});

describe('DELETE /api/admin/retained', () => {
  it('clears one retained message inside the org, as an empty retained publish', async () => {
    const viewer = await t.connectWithToken(t.cookies.alice);
    open.push(viewer.client);
    const seen = record(viewer.client);
    await subscribeGrants(viewer.client, ['agents/+/state']);
    await waitForMessage(seen, (m) => m.topic === 'agents/agent-02/state' && m.retain);

    const res = await t.request(
      t.cookies.admin,
      'DELETE',
      '/api/admin/retained?topic=agents/agent-02/state',
    );
    expect(res.statusCode, res.body).toBe(204);
    // Subscribers see the clear, and the message is gone for newcomers.
    await waitForMessage(seen, (m) => m.topic === 'agents/agent-02/state' && m.payload === '');
    await eventually(
      async () => (await listRetained('?prefix=agents/agent-02')).messages.length === 0,
    );
    expect((await listRetained('?prefix=agents/')).messages.map((m) => m.topic)).toEqual([
      'agents/agent-01/state',
    ]);
    const audit = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1');
    expect(audit.json<{ entries: unknown[] }>().entries[0]).toMatchObject({
      action: 'retained.clear',
      target: 'agents/agent-02/state',
    });
  });

  it.each([
    ['no topic', '', 400, 'invalid_topic'],
    ['a wildcard', '?topic=agents/%2B/state', 400, 'invalid_topic'],
    ['a $ topic', '?topic=$SYS/broker/uptime', 400, 'invalid_topic'],
    ['a topic with nothing retained', '?topic=agents/agent-09/state', 404, 'retained_not_found'],
  ])('refuses %s', async (_name, query, status, code) => {
    expectApiError(
      await t.request(t.cookies.admin, 'DELETE', `/api/admin/retained${query}`),
      status,
      code,
    );
  });
});

interface OrgHealth {
  connections: number;
  subscriptions: number;
  retained: number;
  messagesInPerSecond: number;
  messagesOutPerSecond: number;
  memory: { rssBytes: number; heapUsedBytes: number };
  uptimeSeconds: number;
}

describe('GET /api/admin/health', () => {
  it('counts the org’s connections, subscriptions, retained messages and message rates', async () => {
    // In acme, where nothing else runs, so the counts are exact.
    t.server.storage.rooms.add('acme', 'general');
    const created = await t.request(t.cookies.acme, 'POST', '/api/admin/users', {
      user: 'wile',
      role: 'member',
      password: DEMO_PASSWORD,
    });
    expect(created.statusCode).toBe(201);
    const wile = await t.signIn('wile@acme');
    const a = await t.connectWithToken(wile);
    const b = await t.connectWithToken(wile);
    open.push(a.client, b.client);
    await subscribeGrants(a.client, ['chat/+/+', 'presence/+/+']);
    await subscribeGrants(b.client, ['chat/+/+']);
    const seen = record(b.client);
    for (let i = 0; i < 5; i++) {
      await a.client.publishAsync(
        'chat/general/messages',
        json({ id: `h${i}`, from: 'wile', text: 'x', sentAt: Date.now() }),
        { qos: 1 },
      );
    }
    await eventually(() => seen.length === 5);
    const res = await t.request(t.cookies.acme, 'GET', '/api/admin/health');
    expect(res.statusCode, res.body).toBe(200);
    const health = res.json<OrgHealth>();
    expect(health).toMatchObject({ connections: 2, subscriptions: 3, retained: 0 });
    // 5 in, each delivered to both connections: twice as many out, over the same window.
    expect(health.messagesInPerSecond).toBeGreaterThan(0);
    expect(health.messagesOutPerSecond).toBeCloseTo(health.messagesInPerSecond * 2, 0);
    expect(health.memory.rssBytes).toBeGreaterThan(0);
    expect(health.memory.heapUsedBytes).toBeGreaterThan(0);
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);

    // The demo org sees none of it, and acme none of demo's retained states.
    const demo = await t.request(t.cookies.admin, 'GET', '/api/admin/health');
    expect(demo.json()).toMatchObject({ connections: 0, subscriptions: 0, retained: 1 });
  });
});

describe('$SYS statistics', () => {
  it('carry the org’s message rates for its admins', async () => {
    const { client } = await t.connectWithToken(t.cookies.acme);
    open.push(client);
    const seen = record(client);
    await subscribeGrants(client, ['$SYS/broker/load/#']);
    for (const name of ['received', 'sent']) {
      const got = await waitForMessage(
        seen,
        (m) => m.topic === `$SYS/broker/load/messages/${name}/per-second`,
      );
      expect(Number(got.payload)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('GET /api/admin/audit', () => {
  it('pages newest first with a cursor', async () => {
    for (const user of ['audit-1', 'audit-2', 'audit-3']) {
      await t.request(t.cookies.admin, 'POST', '/api/admin/users', { user, role: 'member' });
    }
    const first = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=2');
    const page1 = first.json<{
      entries: { target: string; at: number; actor: string }[];
      nextCursor: string;
    }>();
    expect(page1.entries.map((e) => e.target)).toEqual(['audit-3', 'audit-2']);
    expect(page1.entries[0]).toMatchObject({ actor: 'admin', at: expect.any(Number) });
    const second = await t.request(
      t.cookies.admin,
      'GET',
      `/api/admin/audit?limit=2&before=${page1.nextCursor}`,
    );
    expect(second.json<{ entries: { target: string }[] }>().entries[0]?.target).toBe('audit-1');
  });

  it('shows what the CLI changed, next to the console’s changes, with the CLI as the actor', async () => {
    // As `npm run cli` does, on the server's data dir while it runs.
    const storage = openStorage(t.server.config.dataDir);
    try {
      const argv = ['user', 'add', 'made-by-cli@demo', '--role', 'member'];
      expect(await runCli(argv, { storage, actor: 'cli:ops', out: () => {} })).toBe(0);
    } finally {
      storage.close();
    }
    const res = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1');
    expect(res.json<{ entries: unknown[] }>().entries[0]).toMatchObject({
      actor: 'cli:ops',
      action: 'user.create',
      target: 'made-by-cli',
      detail: { role: 'member' },
    });
  });

  it('refuses a bad cursor and a bad limit', async () => {
    expectApiError(
      await t.request(t.cookies.admin, 'GET', '/api/admin/audit?before=abc'),
      400,
      'invalid_cursor',
    );
    expectApiError(
      await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=500'),
      400,
      'invalid_limit',
    );
  });
});
