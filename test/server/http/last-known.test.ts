import { describe, expect, it } from 'vitest';
import type { LastKnownKeys } from '../../../src/shared/last-known-api';
import { expectApiError, useAdminServer } from '../admin/admin-server';
import { eventually } from '../support/eventually';
import { json, retainIdleStates } from '../support/mqtt-clients';
import { DEMO_PASSWORD } from '../support/test-server';

// GET /api/last-known: whose last-known state (retained agent state, presence) the broker
// holds now, as the app asks after a reconnect to drop what was cleared while it was away.

const AGENTS = ['agent-01', 'agent-02', 'agent-03'];

const t = useAdminServer({
  setup: async (admin) => {
    await retainIdleStates(admin.server.mqttUrl, AGENTS, DEMO_PASSWORD);
    // bob's tab: online while connected, its retained presence stays after.
    const bob = await admin.connectWithToken(await admin.signIn('bob@demo'), {
      clientId: 'bob-tab',
    });
    await bob.client.publishAsync(
      'presence/bob/bob-tab',
      json({ status: 'online', since: Date.now() }),
      { qos: 1, retain: true },
    );
    await bob.client.endAsync();
  },
});

const lastKnown = async (cookie: string): Promise<LastKnownKeys> => {
  const res = await t.request(cookie, 'GET', '/api/last-known');
  expect(res.statusCode, res.body).toBe(200);
  return res.json<LastKnownKeys>();
};

describe('GET /api/last-known', () => {
  it('lists the agents and connections with a retained state, and not one cleared since', async () => {
    const keys = await lastKnown(t.cookies.alice);
    expect([...keys.agents].sort()).toEqual(AGENTS);
    expect(keys.presence).toEqual(['bob/bob-tab']);

    const cleared = await t.request(
      t.cookies.admin,
      'DELETE',
      '/api/admin/retained?topic=agents/agent-02/state',
    );
    expect(cleared.statusCode, cleared.body).toBe(204);
    await eventually(async () => !(await lastKnown(t.cookies.alice)).agents.includes('agent-02'));
    expect([...(await lastKnown(t.cookies.alice)).agents].sort()).toEqual(['agent-01', 'agent-03']);
  });

  it('leaves out what the caller’s ACL does not let them read', async () => {
    const rules = [{ permission: 'deny', action: 'subscribe', topic: 'agents/agent-03/#' }];
    const res = await t.request(t.cookies.admin, 'PUT', '/api/admin/users/alice/rules', rules);
    expect(res.statusCode, res.body).toBe(200);
    try {
      const keys = await lastKnown(t.cookies.alice);
      expect(keys.agents).not.toContain('agent-03');
      expect(keys.agents).toContain('agent-01');
      expect((await lastKnown(t.cookies.admin)).agents).toContain('agent-03');
    } finally {
      await t.request(t.cookies.admin, 'PUT', '/api/admin/users/alice/rules', []);
    }
  });

  it('shows another org nothing of this one', async () => {
    expect(await lastKnown(t.cookies.acme)).toEqual({ agents: [], presence: [] });
  });

  it('answers 401 without a session', async () => {
    expectApiError(await t.request('', 'GET', '/api/last-known'), 401, 'not_signed_in');
  });
});
