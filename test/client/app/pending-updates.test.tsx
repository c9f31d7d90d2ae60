import { QueryClientProvider } from '@tanstack/react-query';
import { act, render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createWorkspaceConnection } from '../../../src/client/app/create-workspace-connection';
import { resetWorkspaceStores } from '../../../src/client/app/reset-stores';
import { useReturnToSignInOnAuthError } from '../../../src/client/app/use-workspace-lifecycle';
import { useAgentsStore } from '../../../src/client/features/agent-board/stores/agents-store';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { ApiError } from '../../../src/client/lib/api/api-error';
import type { Connection } from '../../../src/client/lib/mqtt/connection';
import { FakeMqttFactory } from '../support/fake-mqtt';
import { tokenFor } from '../support/fixtures';
import { alwaysOnline, createTestQueryClient } from '../support/render';

// Chat messages and agent states wait for the next animation frame before they reach the
// stores. When the workspace ends (sign-out, or the session ends), the stores are reset
// for whoever signs in next: what was still waiting must not land in them afterwards.

const TOKEN_TTL_MS = 1_000; // renewed with a fifth left, at 0.8 s
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ReturnToSignIn() {
  useReturnToSignInOnAuthError();
  return null;
}

/** alice's workspace, frames run by the test; the token renewal fails when `refuse`. */
function openWorkspace(options: { refuseRenewal: boolean }) {
  const frames: (() => void)[] = [];
  const factory = new FakeMqttFactory({ autoConnect: true, autoAck: true });
  let tokens = 0;
  useChatStore.getState().setMe('alice');
  const connection: Connection = createWorkspaceConnection({
    me: 'alice',
    account: 'alice@demo',
    getToken: async () => {
      tokens += 1;
      if (tokens > 1 && options.refuseRenewal)
        throw new ApiError(401, 'not_signed_in', 'Sign in first');
      return tokenFor('alice', 'alice-test', Date.now(), TOKEN_TTL_MS);
    },
    createClient: factory.create,
    storage: sessionStorage,
    network: alwaysOnline,
    schedule: (callback) => frames.push(callback),
  });
  render(
    <QueryClientProvider client={createTestQueryClient()}>
      <ReturnToSignIn />
    </QueryClientProvider>,
  );
  connection.start();
  const busyFrame = () => {
    factory.last.deliver('chat/finance/messages', {
      id: 'm1',
      from: 'bob',
      text: 'Q3 numbers',
      sentAt: 1,
    });
    factory.last.deliver('agents/secret-bot/state', { status: 'working', updatedAt: 1 });
  };
  const runFrames = () => act(() => frames.splice(0).forEach((frame) => frame()));
  return { connection, factory, busyFrame, runFrames, frames };
}

const nothingOfAlice = () => {
  expect(useAgentsStore.getState().agents.size).toBe(0);
  expect(useChatStore.getState().unread).toEqual({});
  expect(useChatStore.getState().live).toEqual({});
};

describe('updates waiting for a frame when the workspace ends', () => {
  it('apply while it lives', async () => {
    const workspace = openWorkspace({ refuseRenewal: false });
    await sleep(0);
    workspace.busyFrame();
    expect(workspace.frames.length).toBeGreaterThan(0);
    workspace.runFrames();
    expect(useAgentsStore.getState().agents.has('secret-bot')).toBe(true);
    expect(useChatStore.getState().unread).toEqual({ finance: 1 });
    workspace.connection.dispose();
  });

  it('are dropped when the session ends (the token renewal refused)', async () => {
    const workspace = openWorkspace({ refuseRenewal: true });
    await sleep(0);
    workspace.busyFrame();
    await sleep(TOKEN_TTL_MS); // renewal → 401 → auth error → stores reset
    expect(workspace.connection.getState().status).toBe('auth-error');
    workspace.runFrames();
    nothingOfAlice();
  });

  it('are dropped on sign-out', async () => {
    const workspace = openWorkspace({ refuseRenewal: false });
    await sleep(0);
    workspace.busyFrame();
    await act(() => workspace.connection.signOut());
    resetWorkspaceStores(); // as the shell does next
    workspace.runFrames();
    nothingOfAlice();
  });
});
