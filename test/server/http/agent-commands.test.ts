import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentCommandLog } from '../../../src/shared/agent-commands-api';
import { expectError, signIn, startTestApi, storedSession, type TestApi } from './test-api';

// GET /api/agents/:agent/commands: an agent's recent commands with their replies, for those
// who may read its replies live.

describe('GET /api/agents/:agent/commands', () => {
  let api: TestApi;
  let alice: string;
  beforeEach(async () => {
    api = await startTestApi();
    alice = await signIn(api.app, 'alice@demo');
    const log = api.t.storage.agentCommands;
    for (let n = 1; n <= 60; n++) {
      api.t.clock.now = 1_700_000_000_000 + n;
      log.recordCommand('demo', 'agent-01', {
        id: `c${n}`,
        command: 'ping',
        from: n % 2 ? 'alice' : 'bob',
      });
    }
    log.recordReply('demo', 'agent-01', { commandId: 'c60', status: 'accepted' });
    log.recordReply('demo', 'agent-01', { commandId: 'c60', status: 'done', detail: 'pong' });
    log.recordCommand('demo', 'agent-02', { id: 'x1', command: 'pause', from: 'alice' });
    log.recordCommand('acme', 'agent-01', { id: 'a1', command: 'cancel', from: 'mallory' });
  });
  afterEach(() => api.close());

  const get = (url: string, cookie = alice) =>
    api.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  const page = async (url: string, cookie = alice) => {
    const res = await get(url, cookie);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<AgentCommandLog>();
  };

  it('lists the newest 50 first, with who sent each and its replies, then pages back', async () => {
    const first = await page('/api/agents/agent-01/commands');
    expect(first.commands).toHaveLength(50);
    expect(first.commands[0]).toEqual({
      id: 'c60',
      command: 'ping',
      from: 'bob',
      sentAt: 1_700_000_000_060,
      replies: [
        { status: 'accepted', receivedAt: 1_700_000_000_060 },
        { status: 'done', detail: 'pong', receivedAt: 1_700_000_000_060 },
      ],
    });
    expect(first.commands[1]).toMatchObject({ id: 'c59', from: 'alice', replies: [] });
    const second = await page(`/api/agents/agent-01/commands?before=${first.nextCursor}&limit=7`);
    expect(second.commands.map((c) => c.id)).toEqual(['c10', 'c9', 'c8', 'c7', 'c6', 'c5', 'c4']);
    const last = await page(`/api/agents/agent-01/commands?before=${second.nextCursor}&limit=200`);
    expect(last).toMatchObject({ commands: [{ id: 'c3' }, { id: 'c2' }, { id: 'c1' }] });
    expect(last.nextCursor).toBeNull();
  });

  it('answers when the agent went offline after accepting a command, before finishing it', async () => {
    const log = api.t.storage.agentCommands;
    log.recordReply('demo', 'agent-01', { commandId: 'c59', status: 'accepted' });
    log.markAgentLeft('demo', 'agent-01', 1_700_000_000_999);
    const { commands } = await page('/api/agents/agent-01/commands?limit=2');
    expect(commands[1]).toEqual({
      id: 'c59',
      command: 'ping',
      from: 'alice',
      sentAt: 1_700_000_000_059,
      agentLeftAt: 1_700_000_000_999,
      replies: [{ status: 'accepted', receivedAt: expect.any(Number) }],
    });
    expect(commands[0]).not.toHaveProperty('agentLeftAt'); // done before it left
  });

  it('answers no command’s args, only whether it had some: they are for the agent alone', async () => {
    const secret = 'tok-3f9a1c77e2b04d58';
    api.t.storage.agentCommands.recordCommand('demo', 'agent-02', {
      id: 'r1',
      command: 'rotate',
      args: { token: secret },
      from: 'bob',
    });
    const res = await get('/api/agents/agent-02/commands');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(secret);
    expect(res.json<AgentCommandLog>().commands).toEqual([
      {
        id: 'r1',
        command: 'rotate',
        from: 'bob',
        sentAt: expect.any(Number),
        hasArgs: true,
        replies: [],
      },
      { id: 'x1', command: 'pause', from: 'alice', sentAt: expect.any(Number), replies: [] },
    ]);
  });

  it('answers an empty log for an agent nobody has commanded', async () => {
    expect(await page('/api/agents/agent-09/commands')).toEqual({ commands: [], nextCursor: null });
  });

  it('shows another org nothing of this one', async () => {
    const mallory = await signIn(api.app, 'mallory@acme');
    const log = await page('/api/agents/agent-01/commands', mallory);
    expect(log.commands.map((c) => c.id)).toEqual(['a1']);
    expect((await page('/api/agents/agent-02/commands', mallory)).commands).toEqual([]);
  });

  it('answers 403 to one whose ACL does not let them read the agent’s replies', async () => {
    api.t.storage.users.setExtraRules('demo', 'alice', [
      { permission: 'deny', action: 'subscribe', topic: 'agents/agent-02/#' },
    ]);
    expectError(await get('/api/agents/agent-02/commands'), 403, 'forbidden');
    expect((await page('/api/agents/agent-01/commands')).commands).toHaveLength(50);
    // An agent reads its own inbox, not the replies: not its log to read either.
    const agent = storedSession(api, 'demo', 'agent-01');
    expectError(await get('/api/agents/agent-01/commands', agent), 403, 'forbidden');
    // One denied only the inbox may still read the log: it is the replies' readers'.
    api.t.storage.users.setExtraRules('demo', 'bob', [
      { permission: 'deny', action: 'all', topic: 'agents/agent-01/inbox' },
    ]);
    const bob = await signIn(api.app, 'bob@demo');
    expect((await page('/api/agents/agent-01/commands', bob)).commands).toHaveLength(50);
  });

  const badIds = ['Agent-01', 'constructor', 'a%2Fb', '%2B', '-agent', 'x'.repeat(65)];
  it.each(badIds)('answers 404 for %j, which no agent can have', async (agent) => {
    expectError(await get(`/api/agents/${agent}/commands`), 404, 'invalid_agent_id');
  });

  it.each(['0', '201', 'ten', ''])('refuses limit=%j', async (limit) => {
    expectError(await get(`/api/agents/agent-01/commands?limit=${limit}`), 400, 'invalid_limit');
  });

  it.each(['abc', '0', '', '99999999999999999999'])('refuses before=%j', async (before) => {
    expectError(await get(`/api/agents/agent-01/commands?before=${before}`), 400, 'invalid_cursor');
  });

  it('answers 401 without a session', async () => {
    expectError(await get('/api/agents/agent-01/commands', ''), 401, 'not_signed_in');
  });
});
