import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { AgentDetail } from '../../../../src/client/features/agent-board/components/agent-detail';
import { ANNOUNCE_SETTLE_MS } from '../../../../src/client/features/agent-board/components/command-log-announcer';
import type { AgentCommandLog, LoggedCommand } from '../../../../src/shared/agent-commands-api';
import { BOARD_HREF } from '../../support/fixtures';
import { spokenIn } from '../../support/live-region';
import { server } from '../../support/msw-server';
import {
  connectTestWorkspace,
  renderWithWorkspace,
  type TestWorkspace,
} from '../../support/render';

// What the agent detail's command log says to screen readers: new commands and outcomes
// that change, each once; not the ages beside them, nor the log as it loads.

const AGENT = 'builder';
const FRAME_MS = 20; // the announcer's frame between emptying its region and filling it

const logged = (id: string, agoMs: number, extra: Partial<LoggedCommand> = {}): LoggedCommand => ({
  id,
  command: 'ping',
  from: 'bob',
  sentAt: Date.now() - agoMs,
  replies: [],
  ...extra,
});

async function openDetail(options: { fakeClock?: boolean } = {}): Promise<TestWorkspace> {
  const workspace = await connectTestWorkspace({ autoAck: false });
  if (options.fakeClock) {
    vi.useFakeTimers({
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
  }
  renderWithWorkspace(<AgentDetail agent={AGENT} boardHref={BOARD_HREF} onBack={() => {}} />, {
    connection: workspace.connection,
  });
  act(() =>
    workspace
      .client()
      .deliver(`agents/${AGENT}/state`, { status: 'working', updatedAt: Date.now() }),
  );
  return workspace;
}

function send(workspace: TestWorkspace, button: string): { id: string; ack(): void } {
  fireEvent.click(screen.getByRole('button', { name: button }));
  const publish = workspace.client().publishedOn(`agents/${AGENT}/inbox`).at(-1);
  if (!publish) throw new Error('no command published');
  const { id } = JSON.parse(publish.payload) as { id: string };
  return { id, ack: () => publish.ack() };
}

const reply = (workspace: TestWorkspace, commandId: string, status: string, detail?: string) =>
  workspace.client().deliver(`agents/${AGENT}/replies`, { commandId, status, detail });

/**
 * The announcer's wait, then its frame, on the fake clock (one at a time, as a browser renders
 * between them); what it said is then recorded.
 */
async function settle() {
  await act(async () => vi.advanceTimersByTime(ANNOUNCE_SETTLE_MS));
  await act(async () => vi.advanceTimersByTime(FRAME_MS));
}

/** Every live region on the page (a status is one too). */
const liveRegions = () =>
  [...document.querySelectorAll<HTMLElement>('[aria-live], [role="status"], [role="log"]')].filter(
    (region) => region.getAttribute('aria-live') !== 'off',
  );

describe('the command log’s announcements', () => {
  it('say what came of a command once, not its age as it ticks', async () => {
    const workspace = await openDetail({ fakeClock: true });
    const said = spokenIn(screen.getByRole('status'));
    const { id, ack } = send(workspace, 'Ping');
    act(() => {
      ack();
      reply(workspace, id, 'accepted');
      reply(workspace, id, 'done', 'pong');
    });
    // One announcement, the result: its pending, sent and accepted came within the wait.
    await settle();
    expect(said).toEqual(['ping, done: pong']);

    // Its age goes on changing on screen, every 5 s, then every minute: none of it is read.
    const age = screen.getByText('ping').closest('li')?.querySelector('time');
    expect(age).toHaveTextContent('just now');
    for (let tick = 0; tick < 30; tick++) await act(async () => vi.advanceTimersByTime(5_000));
    expect(age).toHaveTextContent('2 min ago');
    expect(said).toEqual(['ping, done: pong']);
    for (const region of liveRegions()) expect(region).not.toHaveTextContent(/ago|just now/);
  });

  it('do not read out the log as it loads, then say each change, others’ commands with who sent them', async () => {
    const commands: LoggedCommand[] = [
      logged('c3', 1_000, { replies: [{ status: 'accepted', receivedAt: Date.now() - 900 }] }),
      logged('c2', 30_000, {
        command: 'pause',
        replies: [{ status: 'done', detail: 'paused', receivedAt: Date.now() - 29_000 }],
      }),
      logged('c1', 150_000, { command: 'resume', from: 'alice' }),
    ];
    let respond: (() => void) | null = null;
    server.use(
      http.get(`/api/agents/${AGENT}/commands`, async () => {
        await new Promise<void>((resolve) => (respond = resolve));
        return HttpResponse.json({ commands, nextCursor: null } satisfies AgentCommandLog);
      }),
    );
    const workspace = await openDetail();
    const said = spokenIn(screen.getByRole('status'));
    await waitFor(() => expect(respond).not.toBeNull());
    act(() => respond?.());
    await screen.findByText('pause');
    await new Promise((resolve) => setTimeout(resolve, ANNOUNCE_SETTLE_MS + 100));
    expect(said).toEqual([]);

    act(() => reply(workspace, 'c3', 'done', 'pong'));
    await waitFor(() => expect(said).toEqual(['ping by bob, done: pong']));
  });

  it('count many changes at once instead of reading each', async () => {
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
    server.use(
      http.get(`/api/agents/${AGENT}/commands`, () =>
        HttpResponse.json({
          commands: ids.map((id, i) =>
            logged(id, 1_000 + i, { replies: [{ status: 'accepted', receivedAt: Date.now() }] }),
          ),
          nextCursor: null,
        } satisfies AgentCommandLog),
      ),
    );
    const workspace = await openDetail();
    const said = spokenIn(screen.getByRole('status'));
    await waitFor(() => expect(screen.getAllByText('by bob')).toHaveLength(5));
    act(() => {
      for (const id of ids) reply(workspace, id, 'done');
    });
    await waitFor(() => expect(said).toEqual(['5 recent commands changed']));
  });

  it('say the same words again when another command ends alike', async () => {
    const workspace = await openDetail({ fakeClock: true });
    const said = spokenIn(screen.getByRole('status'));
    for (let n = 0; n < 2; n++) {
      const { id, ack } = send(workspace, 'Ping');
      act(() => {
        ack();
        reply(workspace, id, 'done', 'pong');
      });
      await settle();
    }
    // Emptied in between: the same text set twice in a row would not be spoken twice.
    expect(said).toEqual(['ping, done: pong', '', 'ping, done: pong']);
  });
});
