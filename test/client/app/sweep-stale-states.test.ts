import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createWorkspaceConnection } from '../../../src/client/app/create-workspace-connection';
import { createStaleStateSweeper } from '../../../src/client/app/sweep-stale-states';
import { useAgentsStore } from '../../../src/client/features/agent-board/stores/agents-store';
import { usePresenceStore } from '../../../src/client/features/presence/stores/presence-store';
import type { LastKnownKeys } from '../../../src/shared/last-known-api';
import type { AgentState, Presence } from '../../../src/shared/schemas';
import { FakeMqttFactory } from '../support/fake-mqtt';
import { tokenFor } from '../support/fixtures';
import { server } from '../support/msw-server';
import { alwaysOnline } from '../support/render';

// A retained state cleared while the tab was not connected is never resent: after a
// reconnect the app asks the server whose state it holds and drops the rest.

const working = (task: string): AgentState => ({ status: 'working', task, updatedAt: 1 });
const online: Presence = { status: 'online', since: 1 };

/** A fetch the test answers, and the signals it was given. */
function deferredKeys() {
  const calls: { signal: AbortSignal; answer(keys: LastKnownKeys): void; fail(): void }[] = [];
  const fetchKeys = (signal: AbortSignal) =>
    new Promise<LastKnownKeys>((resolve, reject) => {
      calls.push({ signal, answer: resolve, fail: () => reject(new Error('503')) });
    });
  return { calls, fetchKeys };
}

const agentIds = () => [...useAgentsStore.getState().agents.keys()].sort();
const presenceOf = () => usePresenceStore.getState().clients;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function showBoard() {
  useAgentsStore.getState().apply([
    { agent: 'kept', value: working('a') },
    { agent: 'cleared', value: working('b') },
    { agent: 'updated-meanwhile', value: working('c') },
  ]);
  usePresenceStore.getState().apply([
    { user: 'bob', clientId: 'laptop', value: online },
    { user: 'bob', clientId: 'phone', value: online },
  ]);
}

/** A sweeper that saw the first connection, the board filled, then a reconnect. */
function reconnectedWithBoard() {
  const { calls, fetchKeys } = deferredKeys();
  const sweeper = createStaleStateSweeper(fetchKeys);
  sweeper.connected();
  showBoard();
  sweeper.connected();
  return { calls, sweeper };
}

describe('createStaleStateSweeper', () => {
  it('does not ask on the first connection', () => {
    const { calls, fetchKeys } = deferredKeys();
    createStaleStateSweeper(fetchKeys).connected();
    expect(calls).toHaveLength(0);
  });

  it('drops what the server no longer holds, keeping what changed while it asked', async () => {
    const { calls } = reconnectedWithBoard();
    expect(calls).toHaveLength(1);
    // A message arrives before the answer: newer than whatever the server says.
    const fresh = working('c2');
    useAgentsStore.getState().apply([{ agent: 'updated-meanwhile', value: fresh }]);
    calls[0]?.answer({ agents: ['kept'], presence: ['bob/laptop'] });
    await settle();

    expect(agentIds()).toEqual(['kept', 'updated-meanwhile']);
    expect(useAgentsStore.getState().agents.get('updated-meanwhile')).toBe(fresh);
    expect(presenceOf()).toEqual({ bob: { laptop: online } });
  });

  it('changes nothing when the server cannot answer', async () => {
    const { calls } = reconnectedWithBoard();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    calls[0]?.fail();
    await settle();
    expect(warn).toHaveBeenCalledWith(
      '[switchboard] could not check for cleared states',
      expect.any(Error),
    );
    expect(agentIds()).toEqual(['cleared', 'kept', 'updated-meanwhile']);
    expect(Object.keys(presenceOf().bob ?? {})).toEqual(['laptop', 'phone']);
  });

  it('does nothing with an answer that comes after sign-out, or after a newer connection', async () => {
    const { calls, sweeper } = reconnectedWithBoard();
    sweeper.connected(); // reconnected again before the first answer
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(calls[1]?.signal.aborted).toBe(false);
    calls[0]?.answer({ agents: [], presence: [] });
    await settle();
    expect(agentIds()).toHaveLength(3);

    sweeper.cancel();
    expect(calls[1]?.signal.aborted).toBe(true);
    calls[1]?.answer({ agents: [], presence: [] });
    await settle();
    expect(agentIds()).toHaveLength(3);
    expect(Object.keys(presenceOf().bob ?? {})).toHaveLength(2);
  });
});

/** alice's workspace on a fake broker, showing agent-01 and agent-02. */
async function workspaceShowingTwoAgents() {
  const factory = new FakeMqttFactory({ autoConnect: true, autoAck: true });
  const connection = createWorkspaceConnection({
    me: 'alice',
    account: 'alice@demo',
    getToken: async () => tokenFor('alice', 'alice-test', Date.now()),
    createClient: factory.create,
    storage: null,
    network: alwaysOnline,
    schedule: (callback) => callback(),
    random: () => 0.5,
  });
  connection.start();
  await vi.advanceTimersByTimeAsync(0);
  factory.last.deliver('agents/agent-01/state', working('a'));
  factory.last.deliver('agents/agent-02/state', working('b'));
  expect(agentIds()).toEqual(['agent-01', 'agent-02']);
  // agent-02 is cleared while the connection is down: the clear never reaches the tab.
  const reconnect = async () => {
    factory.last.drop();
    await vi.advanceTimersByTimeAsync(1_000); // the first reconnect waits a second
    expect(factory.clients).toHaveLength(2);
  };
  return { connection, reconnect };
}

describe('the workspace connection', () => {
  it('asks GET /api/last-known after a reconnect and drops an agent cleared meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let asked = 0;
    server.use(
      http.get('/api/last-known', () => {
        asked += 1;
        return HttpResponse.json({ agents: ['agent-01'], presence: [] });
      }),
    );
    const { connection, reconnect } = await workspaceShowingTwoAgents();
    expect(asked).toBe(0);
    await reconnect();
    vi.useRealTimers();
    await vi.waitFor(() => expect(agentIds()).toEqual(['agent-01']));
    expect(asked).toBe(1);
    connection.dispose();
  });

  it('drops nothing when the page goes while the server is answering', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let answer: () => void = () => {};
    let asked = false;
    server.use(
      http.get('/api/last-known', async () => {
        asked = true;
        await new Promise<void>((resolve) => (answer = resolve));
        return HttpResponse.json({ agents: [], presence: [] });
      }),
    );
    const { connection, reconnect } = await workspaceShowingTwoAgents();
    await reconnect();
    vi.useRealTimers();
    await vi.waitFor(() => expect(asked).toBe(true));
    connection.dispose();
    answer();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(agentIds()).toEqual(['agent-01', 'agent-02']);
  });
});
