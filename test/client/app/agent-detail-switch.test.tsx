import { act, fireEvent, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { useNavigationStore } from '../../../src/client/app/navigation-store';
import { Shell } from '../../../src/client/app/shell';
import { ANNOUNCE_SETTLE_MS } from '../../../src/client/features/agent-board/components/command-log-announcer';
import type { AgentCommandLog } from '../../../src/shared/agent-commands-api';
import { ALICE } from '../support/fixtures';
import { spokenIn } from '../support/live-region';
import { server } from '../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace, type TestWorkspace } from '../support/render';

// From one agent's detail straight to another's (an edited address, an outside link): the
// second's command log is a log seen for the first time, not news about the first's.

async function openShell(): Promise<TestWorkspace> {
  server.use(
    http.get('/api/rooms', () => HttpResponse.json({ rooms: [] })),
    // What the server logged of b: a ping it answered long ago.
    http.get('/api/agents/b/commands', () =>
      HttpResponse.json({
        commands: [
          {
            id: 'b-old',
            command: 'ping',
            from: 'bob',
            sentAt: Date.now() - 3_600_000,
            replies: [{ status: 'done', detail: 'pong', receivedAt: Date.now() - 3_599_000 }],
          },
        ],
        nextCursor: null,
      } satisfies AgentCommandLog),
    ),
  );
  const workspace = await connectTestWorkspace({ autoAck: false });
  renderWithWorkspace(<Shell session={ALICE} />, { connection: workspace.connection });
  return workspace;
}

const openAgent = (agent: string) =>
  act(() => useNavigationStore.getState().navigate({ name: 'agent', agent }));

/** The detail's command-log announcer (the shell has live regions of its own). */
const detailRegion = () =>
  within(screen.getByRole('region', { name: /^[ab]$/ })).getByRole('status');

/** Past the announcer's wait and its frame (the region is filled a frame later). */
const settle = () =>
  act(() => new Promise((resolve) => setTimeout(resolve, ANNOUNCE_SETTLE_MS + 100)));

describe('switching from one agent’s detail to another’s', () => {
  it('announces none of the second agent’s old commands', async () => {
    await openShell();
    openAgent('b');
    await screen.findByText('done: pong'); // b's log, cached from here on
    openAgent('a');
    await screen.findByText('None yet.');

    openAgent('b');
    const said = spokenIn(detailRegion());
    expect(screen.getByText('done: pong')).toBeInTheDocument(); // shown at once, from the cache
    await settle();
    expect(said).toEqual([]);
  });

  it('does not say in the second’s view what was about to be said of the first', async () => {
    const workspace = await openShell();
    openAgent('a');
    await screen.findByText('None yet.');

    fireEvent.click(screen.getByRole('button', { name: 'Ping' })); // a's: pending, to be said
    expect(workspace.client().publishedOn('agents/a/inbox')).toHaveLength(1);
    openAgent('b');
    const said = spokenIn(detailRegion());
    await settle();
    expect(said).toEqual([]);
  });
});
