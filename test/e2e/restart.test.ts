import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addAgentUsers } from './support/agent-simulator';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs } from './support/mqtt-observer';
import {
  agentRow,
  connectionStatus,
  openRoom,
  openSection,
  openTab,
  waitConnected,
} from './support/workspace-page';

// The app backs off 1, 2, 5, 10 s (±30 %) between attempts; a slow restart needs a few.
const RECONNECT_TIMEOUT_MS = 90_000;

describe('server restart', () => {
  const e2e = useE2eHarness('restart');

  it('after a crash and restart the pages reconnect by themselves, retained state and history are intact, and a message sent during the outage arrives once', async () => {
    const server = await e2e.startServer();
    await addAgentUsers(server, 1);
    const agent = await connectAs(server, 'agent-01');
    const state = {
      status: 'working',
      task: 'Surviving a restart',
      progress: 42,
      updatedAt: Date.now(),
    };
    await agent.client.publishAsync('agents/agent-01/state', JSON.stringify(state), {
      qos: 1,
      retain: true,
    });
    await agent.close(); // without DISCONNECT the will would not matter: it has none

    const alice = await e2e.signIn(server, 'alice@demo');
    const bob = await e2e.signIn(server, 'bob@demo');
    const aliceRoom = await openRoom(alice.page, 'general');
    const bobRoom = await openRoom(bob.page, 'general');
    await aliceRoom.send('before the crash (alice)');
    await bobRoom.message('before the crash (alice)').waitFor();
    await bobRoom.send('before the crash (bob)');
    await aliceRoom.message('before the crash (bob)').waitFor();

    await server.kill();
    await connectionStatus(alice.page)
      .filter({ hasText: /^Reconnecting/ })
      .waitFor();
    await aliceRoom.send('sent during the outage');
    const outageMessage = aliceRoom.message('sent during the outage');
    await outageMessage.getByText('pending', { exact: true }).waitFor();
    // Closing the tab now would lose it (the outbox outlives a reload, not that): the page
    // asks first, and no longer once it is sent (below).
    expect(await asksBeforeLeaving(alice.page)).toBe(true);

    await server.restart();
    for (const page of [alice.page, bob.page]) {
      await connectionStatus(page)
        .filter({ hasText: /^Connected$/ })
        .waitFor({ timeout: RECONNECT_TIMEOUT_MS });
    }
    await outageMessage.getByText('sent', { exact: true }).waitFor();
    expect(await asksBeforeLeaving(alice.page)).toBe(false);
    await bobRoom.message('sent during the outage').waitFor();
    for (const room of [aliceRoom, bobRoom]) {
      expect(await room.message('sent during the outage').count()).toBe(1);
      expect(await room.totalMessages()).toBe(3);
    }

    // A tab opened now reads everything from the restarted server alone.
    const fresh = await openTab(bob.context);
    e2e.showcase(fresh);
    const freshRoom = await openRoom(fresh, 'general');
    for (const text of [
      'before the crash (alice)',
      'before the crash (bob)',
      'sent during the outage',
    ]) {
      await freshRoom.message(text).waitFor();
      expect(await freshRoom.message(text).count()).toBe(1);
    }
    expect(await freshRoom.totalMessages()).toBe(3);
    await openSection(fresh, 'Agents');
    const row = agentRow(fresh, 'agent-01');
    await row.getByText('working', { exact: true }).waitFor();
    await row.getByText('Surviving a restart', { exact: true }).waitFor();
    await waitConnected(fresh);
  }, 180_000); // reconnect backoff after the restart
});

/** Whether the page would have the browser ask before it is closed or left. */
function asksBeforeLeaving(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const leaving = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(leaving);
    return leaving.defaultPrevented;
  });
}
