import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { useRefetchHistoryOnConnect } from '../../../../src/client/app/use-workspace-lifecycle';
import { COMMAND_LOG_REFRESH_MS } from '../../../../src/client/features/agent-board/api/get-agent-commands';
import { AgentDetail } from '../../../../src/client/features/agent-board/components/agent-detail';
import { useConnectionStore } from '../../../../src/client/features/connection/stores/connection-store';
import type { AgentCommandLog, LoggedCommand } from '../../../../src/shared/agent-commands-api';
import { apiError, BOARD_HREF } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// The agent detail's command log: what the server logged of the agent's commands (every
// dashboard's, and from before a reload), merged with this tab's and the replies heard live.

const AGENT = 'builder';

const logged = (id: string, agoMs: number, extra: Partial<LoggedCommand> = {}): LoggedCommand => ({
  id,
  command: 'ping',
  from: 'bob',
  sentAt: Date.now() - agoMs,
  replies: [],
  ...extra,
});

/**
 * Serves the agent's log as `log()` has it at each request, after `latencyMs`; returns how
 * many were made.
 */
function serveLog(log: () => unknown, latencyMs = 0): { requests: number } {
  const count = { requests: 0 };
  server.use(
    http.get(`/api/agents/${AGENT}/commands`, async () => {
      count.requests++;
      if (latencyMs > 0) await delay(latencyMs);
      return HttpResponse.json(log() as AgentCommandLog);
    }),
  );
  return count;
}

async function openDetail(Component = AgentDetail) {
  // No wait before reconnecting (the backoff's jitter is nil).
  const workspace = await connectTestWorkspace({ autoAck: false, random: () => 0 });
  renderWithWorkspace(<Component agent={AGENT} boardHref={BOARD_HREF} onBack={() => {}} />, {
    connection: workspace.connection,
  });
  act(() =>
    workspace
      .client()
      .deliver(`agents/${AGENT}/state`, { status: 'working', updatedAt: Date.now() }),
  );
  return workspace;
}

/** The log's rows, each as its text. */
const rows = () =>
  within(screen.getByRole('heading', { name: 'Recent commands' }).nextElementSibling as HTMLElement)
    .queryAllByRole('listitem')
    .map((row) => row.textContent);

const row = (text: string) => {
  const found = screen.getByText(text).closest('li');
  if (!found) throw new Error(`no row for ${text}`);
  return found;
};

describe('the agent’s command log', () => {
  it('shows what was sent before the page was loaded, by whom, with each command’s replies', async () => {
    // Sent before the page was opened (so its ages are whole seconds when shown).
    const commands = [
      logged('c2', 30_000, {
        replies: [
          { status: 'accepted', receivedAt: Date.now() - 29_000 },
          { status: 'done', detail: 'pong', receivedAt: Date.now() - 28_000 },
        ],
      }),
      logged('c1', 150_000, { command: 'pause', from: 'alice' }),
    ];
    serveLog(() => ({ commands, nextCursor: null }));
    const workspace = await openDetail();
    await screen.findByText('by bob');
    expect(rows()).toEqual([
      'pingby bob30 s agodone: pong',
      'pauseby you2 min agono reply after 10 s: the agent may be offline, or commands to it not allowed',
    ]);
    const list = screen.getByRole('list', { name: 'Recent commands' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);

    // Sent from here: shown at once, before the server has it.
    await userEvent.click(screen.getByRole('button', { name: 'Resume' }));
    expect(row('resume')).toHaveTextContent('by you');
    expect(row('resume')).toHaveTextContent('pending');
    const [publish] = workspace.client().publishedOn(`agents/${AGENT}/inbox`);
    act(() => publish?.ack());
    expect(row('resume')).toHaveTextContent('sent, no reply yet');

    // Replies heard live join the logged ones, each once.
    act(() => {
      const client = workspace.client();
      client.deliver(`agents/${AGENT}/replies`, {
        commandId: 'c2',
        status: 'done',
        detail: 'pong',
      });
      client.deliver(`agents/${AGENT}/replies`, {
        commandId: 'c1',
        status: 'failed',
        detail: 'no',
      });
    });
    expect(rows()).toHaveLength(3);
    expect(row('pause')).toHaveTextContent('failed: no');
    expect(row('ping')).toHaveTextContent('done: pong');
    expect(screen.queryByText('Replies to other dashboards')).not.toBeInTheDocument();
  });

  it('shows, after a reload, that the agent went offline before finishing a command it accepted', async () => {
    // Seen by the server (its offline state, or its will), not by this page: the agent is
    // back and working when the page opens. Times by the server's clock, as logged.
    serveLog(() => ({
      commands: [
        logged('c2', 20_000, {
          replies: [{ status: 'accepted', receivedAt: Date.now() - 19_000 }],
          agentLeftAt: Date.now() - 18_000,
        }),
        logged('c1', 10_000, {
          command: 'pause',
          replies: [{ status: 'accepted', receivedAt: Date.now() - 9_000 }],
        }),
      ],
      nextCursor: null,
    }));
    await openDetail();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(row('ping')).toHaveTextContent('accepted; the agent went offline before finishing');
    expect(row('pause')).not.toHaveTextContent('went offline');
    expect(row('pause')).toHaveTextContent('accepted');
  });

  it('asks again after a reconnect, and shows what others sent meanwhile once', async () => {
    let log = [logged('c1', 5_000, { from: 'alice' })];
    const served = serveLog(() => ({ commands: log, nextCursor: null }));
    function DetailRefetchedOnConnect(props: { agent: string; boardHref: string; onBack(): void }) {
      useRefetchHistoryOnConnect();
      return <AgentDetail {...props} />;
    }
    const workspace = await openDetail(DetailRefetchedOnConnect);
    await waitFor(() => expect(rows()).toHaveLength(1));
    const before = served.requests;

    act(() => workspace.client().drop());
    log = [logged('c2', 1_000, { command: 'cancel' }), ...log];
    await waitFor(() => expect(workspace.factory.clients.length).toBe(2), { timeout: 3_000 });
    act(() => workspace.client().acceptConnect());
    await waitFor(() => expect(served.requests).toBe(before + 1));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(row('cancel')).toHaveTextContent('by bob');
    expect(row('ping')).toHaveTextContent('by you');
  });

  it('asks again when a reply comes to a command it does not list, once per command', async () => {
    let log: LoggedCommand[] = [];
    // Slow enough that each request is seen on its way, as over a network.
    const served = serveLog(() => ({ commands: log, nextCursor: null }), 20);
    const workspace = await openDetail();
    await screen.findByText('None yet.');
    expect(served.requests).toBe(1);

    // Sent from another dashboard after the log came: its reply tells of it.
    log = [logged('c9', 500, { command: 'cancel' })];
    act(() =>
      workspace
        .client()
        .deliver(`agents/${AGENT}/replies`, { commandId: 'c9', status: 'accepted' }),
    );
    await waitFor(() => expect(row('cancel')).toHaveTextContent('by bob'));
    expect(row('cancel')).toHaveTextContent('accepted');
    expect(served.requests).toBe(2);
    expect(screen.queryByText('Replies to other dashboards')).not.toBeInTheDocument();

    // One the server does not hold either is shown apart, and not asked about again.
    act(() =>
      workspace
        .client()
        .deliver(`agents/${AGENT}/replies`, { commandId: 'lost', status: 'accepted' }),
    );
    await waitFor(() => expect(served.requests).toBe(3));
    expect(await screen.findByText('Replies to other dashboards')).toBeInTheDocument();
    act(() =>
      workspace.client().deliver(`agents/${AGENT}/replies`, { commandId: 'lost', status: 'done' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(served.requests).toBe(3);
  });

  it('asks again every 15 s while the page is visible, so what others send shows within seconds', async () => {
    let log: LoggedCommand[] = [];
    const served = serveLog(() => ({ commands: log, nextCursor: null }));
    vi.useFakeTimers({
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    await openDetail();
    await act(async () => vi.advanceTimersByTimeAsync(0));
    expect(served.requests).toBe(1);
    expect(screen.getByText('None yet.')).toBeInTheDocument();

    // Sent from another dashboard: no reply yet, so nothing live tells of it.
    log = [logged('c9', 1_000, { command: 'cancel' })];
    await act(async () => vi.advanceTimersByTimeAsync(COMMAND_LOG_REFRESH_MS - 1));
    expect(rows()).toEqual([]);
    await act(async () => vi.advanceTimersByTimeAsync(1));
    expect(served.requests).toBe(2);
    expect(row('cancel')).toHaveTextContent('by bob');

    // Hidden (another tab in front): not asked; visible again, asked at the next turn.
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    await act(async () => vi.advanceTimersByTimeAsync(3 * COMMAND_LOG_REFRESH_MS));
    expect(served.requests).toBe(2);
    visibility.mockReturnValue('visible');
    await act(async () => vi.advanceTimersByTimeAsync(COMMAND_LOG_REFRESH_MS));
    expect(served.requests).toBe(3);
  });

  it('keeps the log shown when a refresh fails, saying only that it may be out of date', async () => {
    let failing = false;
    const served = serveLog(() => ({ commands: [logged('c1', 1_000)], nextCursor: null }));
    server.use(
      http.get(`/api/agents/${AGENT}/commands`, () =>
        failing
          ? HttpResponse.json(apiError('unavailable', 'the server is busy'), { status: 503 })
          : undefined,
      ),
    );
    vi.useFakeTimers({
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    await openDetail();
    await act(async () => vi.advanceTimersByTimeAsync(0));
    expect(row('ping')).toHaveTextContent('by bob');

    failing = true;
    await act(async () => vi.advanceTimersByTimeAsync(COMMAND_LOG_REFRESH_MS));
    expect(screen.getByText(/the server is busy/)).toHaveTextContent(
      'This list could not be refreshed and may be out of date: the server is busy',
    );
    expect(screen.queryByText(/could not be loaded/)).toBeNull();
    expect(row('ping')).toHaveTextContent('by bob');

    // The next refresh that works takes the notice away.
    failing = false;
    await act(async () => vi.advanceTimersByTimeAsync(COMMAND_LOG_REFRESH_MS));
    expect(served.requests).toBe(2); // those answered with the log
    expect(screen.queryByText(/the server is busy/)).toBeNull();
  });

  it('does not keep asking for a log it may not read', async () => {
    let requests = 0;
    server.use(
      http.get(`/api/agents/${AGENT}/commands`, () => {
        requests++;
        return HttpResponse.json(apiError('forbidden', 'not allowed'), { status: 403 });
      }),
    );
    vi.useFakeTimers({
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    await openDetail();
    await act(async () => vi.advanceTimersByTimeAsync(3 * COMMAND_LOG_REFRESH_MS));
    expect(requests).toBe(1);
    expect(screen.getByText(/not allowed/)).toHaveTextContent('could not be loaded');
  });

  it('shows the logged commands’ names and replies without bidi controls', async () => {
    serveLog(() => ({
      commands: [
        logged('c1', 1_000, {
          command: 'restart\u202E',
          replies: [
            { status: 'failed', detail: '\u2066\u202Egnp.exe\u2069', receivedAt: Date.now() },
          ],
        }),
      ],
      nextCursor: null,
    }));
    await openDetail();
    expect(await screen.findByText('restart')).toBeInTheDocument();
    expect(row('restart')).toHaveTextContent(/failed: gnp\.exe$/);
  });

  it('drops and counts a logged command that fails its schema, never showing it raw', async () => {
    serveLog(() => ({
      commands: [
        logged('c2', 1_000, { from: 'Not An Id', command: 'evil' }),
        logged('c1', 2_000, { replies: [{ status: 'exploded', receivedAt: 1 }] as never }),
        logged('c0', 3_000, { command: 'pause' }),
      ],
      nextCursor: null,
    }));
    await openDetail();
    await screen.findByText('pause');
    expect(rows()).toHaveLength(1);
    expect(screen.queryByText('evil')).not.toBeInTheDocument();
    expect(useConnectionStore.getState().droppedPayloads).toBe(2);
  });

  it('says when the log may not be read, and still shows what this tab sends', async () => {
    server.use(
      http.get(`/api/agents/${AGENT}/commands`, () =>
        HttpResponse.json(
          apiError('forbidden', 'reading the replies of agent "builder" is not allowed'),
          {
            status: 403,
          },
        ),
      ),
    );
    await openDetail();
    expect(
      await screen.findByText(/reading the replies of agent "builder" is not allowed/),
    ).toHaveTextContent('could not be loaded');
    expect(screen.queryByText('None yet.')).toBeNull(); // unknown, not none (QA)
    await userEvent.click(screen.getByRole('button', { name: 'Ping' }));
    expect(row('ping')).toHaveTextContent('pending');
  });
});
