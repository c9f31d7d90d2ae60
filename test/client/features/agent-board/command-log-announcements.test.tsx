import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { AgentDetail } from '../../../../src/client/features/agent-board/components/agent-detail';
import { COMMAND_LOG_REFRESH_MS } from '../../../../src/client/features/agent-board/api/get-agent-commands';
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

/**
 * The agent's detail, its state (working) delivered right after it opens unless `reported`
 * is false: the test delivers one when it will, as the retained state comes on a reload.
 */
async function openDetail(
  options: { fakeClock?: boolean; reported?: boolean } = {},
): Promise<TestWorkspace> {
  const workspace = await connectTestWorkspace({ autoAck: false });
  if (options.fakeClock) {
    vi.useFakeTimers({
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
  }
  renderWithWorkspace(<AgentDetail agent={AGENT} boardHref={BOARD_HREF} onBack={() => {}} />, {
    connection: workspace.connection,
  });
  if (options.reported === false) return workspace;
  act(() => state(workspace, 'working'));
  return workspace;
}

const state = (workspace: TestWorkspace, status: string, updatedAt = Date.now()) =>
  workspace.client().deliver(`agents/${AGENT}/state`, { status, updatedAt });

/** Serves the agent's log as `log()` has it at each request. */
const serveLog = (log: () => LoggedCommand[]) =>
  server.use(
    http.get(`/api/agents/${AGENT}/commands`, () =>
      HttpResponse.json({ commands: log(), nextCursor: null } satisfies AgentCommandLog),
    ),
  );

/** A command's row in the log. */
const row = (command: string) => screen.getByText(command).closest('li');

/** Past the announcer's wait and its frame, on the real clock. */
const settleReal = () =>
  act(() => new Promise((resolve) => setTimeout(resolve, ANNOUNCE_SETTLE_MS + 100)));

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

  it('do not read out what the agent’s state, coming after the log on a reload, changes', async () => {
    // Before the reload: bob's pause accepted, carol's resume and bob's ping sent, none
    // answered; the agent has gone offline since, and its retained state says so.
    serveLog(() => [
      logged('c3', 2_000, { command: 'resume', from: 'carol' }),
      logged('c2', 3_000),
      logged('c1', 9_000, {
        command: 'pause',
        replies: [{ status: 'accepted', receivedAt: Date.now() - 8_000 }],
      }),
    ]);
    const workspace = await openDetail({ reported: false });
    const said = spokenIn(screen.getByRole('status'));
    await waitFor(() => expect(row('pause')).toHaveTextContent(/accepted$/));
    expect(row('resume')).toHaveTextContent('sent, no reply yet');

    act(() => state(workspace, 'offline', Date.now() - 1_000));
    expect(row('pause')).toHaveTextContent('accepted; the agent went offline before finishing');
    expect(row('resume')).toHaveTextContent('no reply yet: the agent is offline');
    await settleReal();
    expect(said).toEqual([]);

    // What happens once it is known is news: the agent, back, answers one.
    act(() => reply(workspace, 'c2', 'done', 'pong'));
    await waitFor(() => expect(said).toEqual(['ping by bob, done: pong']));
  });

  it('say a reply that comes in the very render where the agent’s state first lands', async () => {
    serveLog(() => [
      logged('c2', 2_000, { command: 'resume', from: 'carol' }),
      logged('c1', 9_000, {
        command: 'pause',
        replies: [{ status: 'accepted', receivedAt: Date.now() - 8_000 }],
      }),
    ]);
    const workspace = await openDetail({ reported: false });
    const said = spokenIn(screen.getByRole('status'));
    await waitFor(() => expect(row('pause')).toHaveTextContent(/accepted$/));

    // Its retained state (offline: it changes both outcomes, and is no news) and a reply
    // heard live, handled together.
    act(() => {
      state(workspace, 'offline', Date.now() - 1_000);
      reply(workspace, 'c2', 'failed', 'agent is restarting');
    });
    expect(row('pause')).toHaveTextContent('accepted; the agent went offline before finishing');
    expect(row('resume')).toHaveTextContent('failed: agent is restarting');
    await waitFor(() => expect(said).toEqual(['resume by carol, failed: agent is restarting']));
    await settleReal();
    expect(said).toEqual(['resume by carol, failed: agent is restarting']);
  });

  it('say that the agent went offline before finishing a command, once its state was known', async () => {
    serveLog(() => [
      logged('c1', 9_000, {
        command: 'pause',
        replies: [{ status: 'accepted', receivedAt: Date.now() - 8_000 }],
      }),
    ]);
    const workspace = await openDetail(); // working
    const said = spokenIn(screen.getByRole('status'));
    await waitFor(() => expect(row('pause')).toHaveTextContent(/accepted$/));
    act(() => state(workspace, 'offline')); // its Last Will
    await waitFor(() =>
      expect(said).toEqual(['pause by bob, accepted; the agent went offline before finishing']),
    );
  });

  it('do not read out what others sent while the agent was closed, as its cached log is asked again', async () => {
    let commands = [
      logged('c1', 60_000, {
        replies: [{ status: 'done', detail: 'pong', receivedAt: Date.now() - 59_000 }],
      }),
    ];
    serveLog(() => commands);
    const workspace = await connectTestWorkspace({ autoAck: false });
    const detail = (
      <AgentDetail key="opened" agent={AGENT} boardHref={BOARD_HREF} onBack={() => {}} />
    );
    const view = renderWithWorkspace(detail, { connection: workspace.connection });
    act(() => state(workspace, 'working'));
    await screen.findByText('done: pong');

    // Closed; meanwhile bob cancels and carol pauses from their dashboards (the agent's
    // replies come live, the commands do not).
    view.rerender(<p>elsewhere</p>);
    commands = [
      logged('c3', 1_000, { command: 'pause', from: 'carol' }),
      logged('c2', 2_000, { command: 'cancel' }),
      ...commands,
    ];
    act(() => {
      reply(workspace, 'c2', 'done', 'cancelled');
      reply(workspace, 'c3', 'accepted');
    });

    view.rerender(detail); // opened again: the cached log at once, then asked again
    const said = spokenIn(screen.getByRole('status'));
    expect(screen.getByText('done: pong')).toBeInTheDocument();
    await screen.findByText('cancel');
    expect(row('cancel')).toHaveTextContent('done: cancelled');
    await settleReal();
    expect(said).toEqual([]);

    // A reply from now on is news.
    act(() => reply(workspace, 'c3', 'done', 'paused'));
    await waitFor(() => expect(said).toEqual(['pause by carol, done: paused']));
  });

  it('say a command another dashboard sent once the log, asked again while open, brings it, and nothing as it is asked again', async () => {
    let commands: LoggedCommand[] = [];
    let requests = 0;
    server.use(
      http.get(`/api/agents/${AGENT}/commands`, () => {
        requests++;
        return HttpResponse.json({ commands, nextCursor: null } satisfies AgentCommandLog);
      }),
    );
    await openDetail({ fakeClock: true });
    const said = spokenIn(screen.getByRole('status'));
    await act(async () => vi.advanceTimersByTimeAsync(0));
    expect(requests).toBe(1);

    commands = [
      logged('c1', 1_000, {
        command: 'cancel',
        replies: [{ status: 'done', detail: 'cancelled', receivedAt: Date.now() }],
      }),
    ];
    await act(async () => vi.advanceTimersByTimeAsync(COMMAND_LOG_REFRESH_MS));
    expect(requests).toBe(2);
    expect(row('cancel')).toHaveTextContent('by bob');
    await settle();
    expect(said).toEqual(['cancel by bob, done: cancelled']);

    // Asked again and again, the same log: nothing more is said.
    await act(async () => vi.advanceTimersByTimeAsync(4 * COMMAND_LOG_REFRESH_MS));
    expect(requests).toBe(6);
    expect(said).toEqual(['cancel by bob, done: cancelled']);
  });
});
