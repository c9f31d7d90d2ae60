import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { resetAllStores } from '../../../../src/client/app/reset-stores';
import { AgentBoard } from '../../../../src/client/features/agent-board/components/agent-board';
import { AgentDetail } from '../../../../src/client/features/agent-board/components/agent-detail';
import { PublishRefusedError } from '../../../../src/client/lib/mqtt/publish-refusal';
import { ANNOUNCE_SETTLE_MS } from '../../../../src/client/features/agent-board/components/command-log-announcer';
import {
  COMMAND_REPLY_WAIT_MS,
  COMMAND_RESULT_WAIT_MS,
} from '../../../../src/client/features/agent-board/lib/command-outcome';
import { agentHref, BOARD_HREF } from '../../support/fixtures';
import {
  connectTestWorkspace,
  renderWithWorkspace,
  type TestWorkspace,
} from '../../support/render';
import { shownTextOf, unisolatedBidiControls } from '../../support/shown-text';

const FRAME_MS = 20; // the announcer's frame between emptying its region and filling it

const rowNames = () =>
  screen.queryAllByRole('listitem').map((li) => li.querySelector('.agent-row__name')?.textContent);

describe('AgentBoard', () => {
  it('shows retained states with progress, marks stale agents, filters and sorts', async () => {
    const workspace = await connectTestWorkspace();
    const onOpenAgent = vi.fn();
    renderWithWorkspace(<AgentBoard agentHref={agentHref} onOpenAgent={onOpenAgent} />, {
      connection: workspace.connection,
    });
    const now = Date.now();
    act(() => {
      const client = workspace.client();
      client.deliver('agents/builder/state', {
        status: 'working',
        task: 'compile',
        progress: 40,
        updatedAt: now - 2_000,
      });
      client.deliver('agents/crawler/state', {
        status: 'error',
        detail: 'DNS timeout',
        updatedAt: now - 61_000,
      });
      client.deliver('agents/archiver/state', { status: 'idle', updatedAt: now - 10_000 });
      client.deliver('agents/broken/state', '{"status":"working"'); // invalid: never shown
    });

    expect(rowNames()).toEqual(['archiver', 'builder', 'crawler']);
    const crawler = screen.getByText('crawler').closest('li');
    const builder = screen.getByText('builder').closest('li');
    if (!crawler || !builder) throw new Error('rows missing');
    expect(within(crawler).getByText('stale')).toBeInTheDocument();
    expect(within(builder).queryByText('stale')).toBeNull();
    const progress = within(builder).getByRole('progressbar', { name: 'builder progress' });
    expect(progress).toHaveAttribute('aria-valuenow', '40');
    // Drawn by scaling, which the compositor animates without laying the row out again.
    expect(progress.firstElementChild).toHaveStyle({ transform: 'scaleX(0.4)' });
    expect(within(builder).getByText('compile')).toBeInTheDocument();

    const user = userEvent.setup();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'updated');
    expect(rowNames()).toEqual(['builder', 'archiver', 'crawler']);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'status');
    expect(rowNames()).toEqual(['crawler', 'builder', 'archiver']);

    await user.type(screen.getByRole('searchbox', { name: 'Filter' }), 'dns');
    expect(rowNames()).toEqual(['crawler']);
    expect(screen.getByText('1 of 3 agents')).toBeInTheDocument();
    await user.clear(screen.getByRole('searchbox', { name: 'Filter' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'idle');
    expect(rowNames()).toEqual(['archiver']);

    await user.click(screen.getByRole('link', { name: 'archiver' }));
    expect(onOpenAgent).toHaveBeenCalledWith('archiver');
  });

  it('shows the latest state and forgets an agent whose retained state is cleared', async () => {
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<AgentBoard agentHref={agentHref} onOpenAgent={() => {}} />, {
      connection: workspace.connection,
    });
    act(() => {
      for (let progress = 0; progress <= 100; progress += 25) {
        workspace
          .client()
          .deliver('agents/builder/state', { status: 'working', progress, updatedAt: Date.now() });
      }
    });
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    act(() => workspace.client().deliver('agents/builder/state', ''));
    expect(rowNames()).toEqual([]);
    expect(screen.getByText('No agent has reported yet.')).toBeInTheDocument();
  });
});

describe('AgentBoard rows', () => {
  const row = (agent: string) => {
    const found = screen.getByRole('link', { name: agent }).closest('li');
    if (!found) throw new Error(`no row for ${agent}`);
    return found;
  };

  it('link each agent to its detail: a plain click opens it here, a modified one is the browser’s', async () => {
    const workspace = await connectTestWorkspace();
    const onOpenAgent = vi.fn();
    renderWithWorkspace(<AgentBoard agentHref={agentHref} onOpenAgent={onOpenAgent} />, {
      connection: workspace.connection,
    });
    act(() =>
      workspace.client().deliver('agents/builder/state', { status: 'idle', updatedAt: Date.now() }),
    );
    const link = screen.getByRole('link', { name: 'builder' });
    expect(link).toHaveAttribute('href', '#/agents/builder');

    // Whether the app prevented a click, as a browser would learn after it; then stopped, as
    // jsdom would follow the link itself where a browser opens a new tab.
    let preventedByApp: boolean | null = null;
    const record = (event: MouseEvent) => {
      preventedByApp = event.defaultPrevented;
      event.preventDefault();
    };
    document.addEventListener('click', record);
    onTestFinished(() => document.removeEventListener('click', record));
    fireEvent.click(link, { ctrlKey: true });
    expect(preventedByApp).toBe(false);
    fireEvent.click(link, { metaKey: true });
    expect(preventedByApp).toBe(false);
    expect(onOpenAgent).not.toHaveBeenCalled();
    fireEvent.click(link);
    expect(preventedByApp).toBe(true);
    expect(onOpenAgent).toHaveBeenCalledWith('builder');
  });

  it('show progress in whole percent rounded down, with its number, the whole task on hover, and an old update’s date', async () => {
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<AgentBoard agentHref={agentHref} onOpenAgent={() => {}} />, {
      connection: workspace.connection,
    });
    const task = 'compile \u202Egnp.exe, then run the whole release pipeline for every platform';
    act(() => {
      const client = workspace.client();
      client.deliver('agents/builder/state', {
        status: 'working',
        task,
        progress: 99.6,
        updatedAt: 0,
      });
      client.deliver('agents/crawler/state', {
        status: 'working',
        progress: 0.4,
        updatedAt: Date.now(),
      });
      client.deliver('agents/dozer/state', {
        status: 'idle',
        progress: 100,
        updatedAt: Date.now(),
      });
    });

    const bar = (agent: string) => within(row(agent)).getByRole('progressbar');
    // Not done, so neither "100 %" nor a full bar; begun, so not "0 %".
    expect(bar('builder')).toHaveAttribute('aria-valuenow', '99');
    expect(bar('builder')).toHaveAttribute('aria-valuetext', '99 %');
    expect(bar('builder').firstElementChild).toHaveStyle({ transform: 'scaleX(0.99)' });
    expect(within(row('builder')).getByText('99 %')).toBeInTheDocument();
    expect(bar('crawler')).toHaveAttribute('aria-valuenow', '0');
    expect(bar('crawler')).toHaveAttribute('aria-valuetext', '<1 %');
    expect(within(row('crawler')).getByText('<1 %')).toBeInTheDocument();
    expect(bar('dozer')).toHaveAttribute('aria-valuenow', '100');
    expect(within(row('dozer')).getByText('100 %')).toBeInTheDocument();

    // Cut to one line on screen: the whole of it on hover, as shown (no bidi override).
    const shown = 'compile gnp.exe, then run the whole release pipeline for every platform';
    expect(within(row('builder')).getByText(shown)).toHaveAttribute('title', shown);

    // updatedAt: 0 is valid: 1970, not "20000 d ago".
    const age = row('builder').querySelector('time');
    expect(age).toHaveAttribute('dateTime', '1970-01-01T00:00:00.000Z');
    expect(age).not.toHaveTextContent(/ago/);
    expect(age).toHaveTextContent(/19(69|70)/);
  });
});

describe('AgentBoard under updates', () => {
  it('moves an agent whose sort key changed, and keeps filters applied to updates', async () => {
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<AgentBoard agentHref={agentHref} onOpenAgent={() => {}} />, {
      connection: workspace.connection,
    });
    const now = Date.now();
    const state = (status: string, ago: number, task?: string) => ({
      status,
      task,
      updatedAt: now - ago,
    });
    act(() => {
      workspace.client().deliver('agents/a1/state', state('idle', 1_000));
      workspace.client().deliver('agents/a2/state', state('working', 2_000));
      workspace.client().deliver('agents/a3/state', state('paused', 3_000));
    });
    const user = userEvent.setup();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'updated');
    expect(rowNames()).toEqual(['a1', 'a2', 'a3']);

    act(() => workspace.client().deliver('agents/a3/state', state('paused', 0)));
    expect(rowNames()).toEqual(['a3', 'a1', 'a2']);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'status');
    expect(rowNames()).toEqual(['a2', 'a3', 'a1']);
    act(() => workspace.client().deliver('agents/a1/state', state('error', 0, 'boom')));
    expect(rowNames()).toEqual(['a1', 'a2', 'a3']);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'working');
    expect(rowNames()).toEqual(['a2']);
    act(() => {
      workspace.client().deliver('agents/a2/state', state('idle', 0)); // leaves the filter
      workspace.client().deliver('agents/a3/state', state('working', 0)); // joins it
      workspace.client().deliver('agents/a4/state', state('working', 0)); // new
    });
    expect(rowNames()).toEqual(['a3', 'a4']);
    expect(screen.getByText('2 of 4 agents')).toBeInTheDocument();
  });
});

describe('AgentDetail', () => {
  it('says first that no agent of the id has reported, and still sends commands, described by that', async () => {
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(
      <AgentDetail agent="nonexistent" boardHref={BOARD_HREF} onBack={() => {}} />,
      {
        connection: workspace.connection,
      },
    );
    const notice = screen.getByText(/No agent “nonexistent” has reported a state/);
    expect(notice).toHaveTextContent('there may be no such agent');
    const commands = screen.getByRole('group', { name: 'Commands' });
    // Before the commands, in reading order, and read out with them.
    expect(notice.compareDocumentPosition(commands)).toBe(Node.DOCUMENT_POSITION_FOLLOWING);
    expect(commands).toHaveAccessibleDescription(/there may be no such agent/);

    await userEvent.click(within(commands).getByRole('button', { name: 'Ping' }));
    expect(workspace.client().publishedOn('agents/nonexistent/inbox')).toHaveLength(1);

    act(() =>
      workspace
        .client()
        .deliver('agents/nonexistent/state', { status: 'idle', updatedAt: Date.now() }),
    );
    expect(screen.queryByText(/has reported a state/)).not.toBeInTheDocument();
    expect(commands).not.toHaveAccessibleDescription();
  });

  it('says that commands to an id that is no agent are not kept, as a reload shows', async () => {
    const open = async () => {
      const workspace = await connectTestWorkspace();
      renderWithWorkspace(
        <AgentDetail agent="nonexistent" boardHref={BOARD_HREF} onBack={() => {}} />,
        { connection: workspace.connection },
      );
      await screen.findByText('None yet.'); // its log, from the server
      return workspace;
    };
    const notice = () => screen.getByText(/No agent “nonexistent” has reported/).closest('p');
    const before = await open();
    await userEvent.click(screen.getByRole('button', { name: 'Ping' }));
    expect(commandRow('ping')).toHaveTextContent('sent, no reply yet');
    // Whether the id is an agent's, the page cannot tell: the server's log of any id that
    // is none is empty, as it is for an agent that was sent nothing.
    expect(notice()).toHaveTextContent(
      'But if “nonexistent” is not an agent of this organisation, they are not kept in its log: only this tab lists them, until it is reloaded.',
    );

    // Reloaded: the server logged nothing (only an agent's commands are logged).
    cleanup();
    before.connection.dispose();
    resetAllStores();
    await open();
    expect(screen.queryByText('ping')).not.toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'Commands' })).toHaveAccessibleDescription(
      /not kept in its log/,
    );
  });

  it('shows a command an MQTT 5 broker refused as refused, with the reason, and not as sent', async () => {
    const workspace = await connectTestWorkspace({ autoAck: false });
    renderWithWorkspace(<AgentDetail agent="builder" boardHref={BOARD_HREF} onBack={() => {}} />, {
      connection: workspace.connection,
    });
    await userEvent.click(screen.getByRole('button', { name: 'Ping' }));
    const [publish] = workspace.client().publishedOn('agents/builder/inbox');
    act(() => publish?.ack(new PublishRefusedError(0x87)));
    const log = screen.getByText('ping').closest('li');
    expect(log).toHaveTextContent('refused by the broker: not authorized (0x87)');
    expect(workspace.connection.outbox.list()).toEqual([]);
  });

  it('shows a command that cannot be sent at all as failed, with the reason, and never sends it', async () => {
    const workspace = await connectTestWorkspace({ autoAck: false });
    // Not an id the board would show: its inbox is no topic name MQTT allows.
    renderWithWorkspace(
      <AgentDetail agent="bad+agent" boardHref={BOARD_HREF} onBack={() => {}} />,
      {
        connection: workspace.connection,
      },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Ping' }));
    const log = screen.getByText('ping').closest('li');
    expect(log).toHaveTextContent(
      'failed, not sent: invalid topic name: a topic name must not contain + or #',
    );
    expect(workspace.client().publishedOn('agents/bad+agent/inbox')).toEqual([]);
    expect(workspace.connection.outbox.list()).toEqual([]);
  });

  it('sends commands to the agent inbox and shows the replies matched by command id', async () => {
    const workspace = await connectTestWorkspace({ autoAck: false });
    renderWithWorkspace(<AgentDetail agent="builder" boardHref={BOARD_HREF} onBack={() => {}} />, {
      connection: workspace.connection,
    });
    act(() =>
      workspace.client().deliver('agents/builder/state', {
        status: 'working',
        progress: 10,
        updatedAt: Date.now(),
      }),
    );

    // The announcer is there before the first command, so that one is announced too.
    await screen.findByText('None yet.');
    const announcer = screen.getByRole('status');
    await userEvent.click(screen.getByRole('button', { name: 'Pause' }));
    const [publish] = workspace.client().publishedOn('agents/builder/inbox');
    expect(publish).toMatchObject({ qos: 1, retain: false });
    const command = JSON.parse(publish?.payload ?? '{}') as {
      id: string;
      command: string;
      from: string;
    };
    expect(command).toMatchObject({ command: 'pause', from: 'alice' });
    const log = () => screen.getByText('pause').closest('li');
    expect(log()).toHaveTextContent('pending');

    act(() => publish?.ack());
    expect(log()).toHaveTextContent('sent, no reply yet');

    act(() => {
      workspace
        .client()
        .deliver('agents/builder/replies', { commandId: 'someone-elses', status: 'done' });
      workspace
        .client()
        .deliver('agents/builder/replies', { commandId: command.id, status: 'accepted' });
    });
    expect(log()).toHaveTextContent('accepted');
    act(() =>
      workspace.client().deliver('agents/builder/replies', {
        commandId: command.id,
        status: 'done',
        detail: 'paused at step 3',
      }),
    );
    expect(log()).toHaveTextContent('done: paused at step 3');
    const replies = screen.getByRole('list', { name: 'Replies to other dashboards' });
    expect(within(replies).getAllByRole('listitem')).toHaveLength(1);
    await waitFor(() => expect(announcer).toHaveTextContent('pause, done: paused at step 3'));
  });

  it('says when a sent command got no reply in time, and lets a late reply win', async () => {
    const workspace = await openDetailOnFakeClock();
    act(() =>
      workspace
        .client()
        .deliver('agents/builder/state', { status: 'working', updatedAt: Date.now() }),
    );
    const { id, ack } = sendCommand(workspace, 'Ping');
    const status = () => within(commandRow('ping')).getByText(/^(pending|sent|no reply)/);
    // Three seconds in the outbox (a reconnect, say) do not count against the agent.
    act(() => vi.advanceTimersByTime(3_000));
    act(ack);
    expect(status()).toHaveTextContent('sent, no reply yet');

    act(() => vi.advanceTimersByTime(COMMAND_REPLY_WAIT_MS - 1));
    expect(status()).toHaveTextContent('sent, no reply yet');
    // Shown when the wait ends, not at the view's next 5-second tick.
    act(() => vi.advanceTimersByTime(1));
    expect(status()).toHaveTextContent(
      'no reply after 10 s: the agent may be offline, or commands to it not allowed',
    );
    expect(status()).toHaveClass('command-log__status--no-reply');
    act(() => vi.advanceTimersByTime(ANNOUNCE_SETTLE_MS + FRAME_MS));
    expect(screen.getByRole('status')).toHaveTextContent(
      'ping, no reply after 10 s: the agent may be offline, or commands to it not allowed',
    );

    act(() =>
      workspace.client().deliver('agents/builder/replies', { commandId: id, status: 'accepted' }),
    );
    expect(commandRow('ping')).toHaveTextContent('accepted');
    expect(commandRow('ping')).not.toHaveTextContent('no reply');
  });

  it('says at once that an offline agent has not answered, and lets its reply on return win', async () => {
    const workspace = await openDetailOnFakeClock();
    act(() =>
      workspace
        .client()
        .deliver('agents/builder/state', { status: 'offline', updatedAt: Date.now() }),
    );
    const { id, ack } = sendCommand(workspace, 'Resume');
    expect(commandRow('resume')).toHaveTextContent('pending');
    act(ack);
    // Not "dropped": an agent with a persistent session gets it from the broker's queue.
    expect(commandRow('resume')).toHaveTextContent(
      'no reply yet: the agent is offline; an agent that keeps its session runs it when it is back',
    );

    // A minute later it reconnects, runs the queued command, and answers.
    act(() => vi.advanceTimersByTime(60_000));
    act(() => {
      const client = workspace.client();
      client.deliver('agents/builder/state', { status: 'working', updatedAt: Date.now() });
      client.deliver('agents/builder/replies', { commandId: id, status: 'accepted' });
      client.deliver('agents/builder/replies', {
        commandId: id,
        status: 'done',
        detail: 'resumed',
      });
    });
    expect(commandRow('resume')).toHaveTextContent('done: resumed');
    expect(commandRow('resume')).not.toHaveTextContent('no reply');
  });
});

describe('AgentDetail, “← All agents”', () => {
  it('is a link to the board: a plain click goes back as the app does, a modified one is the browser’s', async () => {
    const workspace = await connectTestWorkspace();
    const onBack = vi.fn();
    renderWithWorkspace(<AgentDetail agent="builder" boardHref={BOARD_HREF} onBack={onBack} />, {
      connection: workspace.connection,
    });
    const link = screen.getByRole('link', { name: '← All agents' });
    expect(link).toHaveAttribute('href', '#/agents');
    let preventedByApp: boolean | null = null;
    const record = (event: MouseEvent) => {
      preventedByApp = event.defaultPrevented;
      event.preventDefault();
    };
    document.addEventListener('click', record);
    onTestFinished(() => document.removeEventListener('click', record));
    fireEvent.click(link, { shiftKey: true });
    expect(preventedByApp).toBe(false);
    expect(onBack).not.toHaveBeenCalled();
    fireEvent.click(link);
    expect(preventedByApp).toBe(true);
    expect(onBack).toHaveBeenCalledTimes(1);
  });
});

describe('AgentDetail, agent-provided text and values', () => {
  it('shows the agent’s words without bidi controls, progress rounded down, and an old update’s date', async () => {
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<AgentDetail agent="builder" boardHref={BOARD_HREF} onBack={() => {}} />, {
      connection: workspace.connection,
    });
    act(() =>
      workspace.client().deliver('agents/builder/state', {
        status: 'working',
        task: '\u202Egnp.exe',
        detail: 'saved \u2067report\u2069.\u202Dtxt',
        progress: 99.6,
        updatedAt: 0,
      }),
    );
    const value = (term: string) => screen.getByText(term, { selector: 'dt' }).nextElementSibling;
    expect(shownTextOf(value('Task')!)).toBe('gnp.exe');
    expect(shownTextOf(value('Detail')!)).toBe('saved report.txt');
    // Kept as written for a selection to copy, where they reorder nothing.
    expect(value('Task')).toHaveTextContent('\u202Egnp.exe');
    expect(unisolatedBidiControls(value('Task')!)).toEqual([]);
    expect(unisolatedBidiControls(value('Detail')!)).toEqual([]);
    expect(value('Progress')).toHaveTextContent(/^99 %$/);
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '99');
    expect(value('Updated')).not.toHaveTextContent(/ago/);
    expect(value('Updated')).toHaveTextContent(/19(69|70)/);

    fireEvent.click(screen.getByRole('button', { name: 'Ping' }));
    const [publish] = workspace.client().publishedOn('agents/builder/inbox');
    const { id } = JSON.parse(publish?.payload ?? '{}') as { id: string };
    act(() =>
      workspace.client().deliver('agents/builder/replies', {
        commandId: id,
        status: 'done',
        detail: '\u202Etxt.exe',
      }),
    );
    expect(commandRow('ping')).toHaveTextContent(/done: txt\.exe$/);
  });
});

describe('AgentDetail, a command the agent accepted', () => {
  it('says so when the agent went offline before finishing it, also once it is back, until its result comes', async () => {
    const workspace = await openDetailOnFakeClock();
    const state = (status: string) =>
      workspace.client().deliver('agents/builder/state', { status, updatedAt: Date.now() });
    act(() => state('working'));
    const { id, ack } = sendCommand(workspace, 'Ping');
    act(ack);
    act(() =>
      workspace.client().deliver('agents/builder/replies', { commandId: id, status: 'accepted' }),
    );
    expect(commandRow('ping')).toHaveTextContent(/accepted$/);

    act(() => vi.advanceTimersByTime(2_000));
    act(() => state('offline')); // its Last Will
    const unfinished = 'accepted; the agent went offline before finishing';
    expect(commandRow('ping')).toHaveTextContent(unfinished);
    expect(within(commandRow('ping')).getByText(unfinished)).toHaveClass(
      'command-log__status--no-reply',
    );

    // Back with a fresh session: the command went with the old one.
    act(() => vi.advanceTimersByTime(5_000));
    act(() => state('idle'));
    expect(commandRow('ping')).toHaveTextContent(unfinished);

    act(() =>
      workspace
        .client()
        .deliver('agents/builder/replies', { commandId: id, status: 'done', detail: 'pong' }),
    );
    expect(commandRow('ping')).toHaveTextContent(/done: pong$/);
  });

  it('does not take an offline state stamped ahead, from before it accepted, for one after', async () => {
    // The server's clock runs 30 s behind this device's, and the agent's 50 s ahead of the
    // server's (the broker allows up to 60 s).
    const serverClockAheadMs = -30_000;
    const workspace = await openDetailOnFakeClock({ serverClockAheadMs });
    const state = (status: string) =>
      workspace.client().deliver('agents/builder/state', {
        status,
        updatedAt: Date.now() + serverClockAheadMs + 50_000,
      });
    act(() => state('offline'));
    act(() => vi.advanceTimersByTime(5_000));
    act(() => state('working')); // back
    act(() => vi.advanceTimersByTime(5_000));
    const { id, ack } = sendCommand(workspace, 'Ping');
    act(ack);
    act(() =>
      workspace.client().deliver('agents/builder/replies', { commandId: id, status: 'accepted' }),
    );
    expect(commandRow('ping')).toHaveTextContent(/accepted$/);
  });

  it('says so when no result came for a minute, and lets a late one win', async () => {
    const workspace = await openDetailOnFakeClock();
    act(() =>
      workspace
        .client()
        .deliver('agents/builder/state', { status: 'working', updatedAt: Date.now() }),
    );
    const { id, ack } = sendCommand(workspace, 'Cancel');
    act(ack);
    act(() =>
      workspace.client().deliver('agents/builder/replies', { commandId: id, status: 'accepted' }),
    );
    act(() => vi.advanceTimersByTime(COMMAND_RESULT_WAIT_MS - 1));
    expect(commandRow('cancel')).toHaveTextContent(/accepted$/);
    // When the wait ends, not at the view's next tick.
    act(() => vi.advanceTimersByTime(1));
    expect(commandRow('cancel')).toHaveTextContent(
      'accepted; no result after 60 s: the agent may be stuck, or have restarted and lost it',
    );

    act(() =>
      workspace
        .client()
        .deliver('agents/builder/replies', { commandId: id, status: 'done', detail: 'cancelled' }),
    );
    expect(commandRow('cancel')).toHaveTextContent(/done: cancelled$/);
  });
});

/** AgentDetail for "builder", its commands acknowledged by hand, on a fake clock. */
async function openDetailOnFakeClock(
  options: { serverClockAheadMs?: number } = {},
): Promise<TestWorkspace> {
  const workspace = await connectTestWorkspace({ autoAck: false, ...options });
  // Before the render, so that the view's own clock and timers are fake too.
  vi.useFakeTimers({
    toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
  });
  renderWithWorkspace(<AgentDetail agent="builder" boardHref={BOARD_HREF} onBack={() => {}} />, {
    connection: workspace.connection,
  });
  return workspace;
}

function sendCommand(workspace: TestWorkspace, button: string): { id: string; ack(): void } {
  fireEvent.click(screen.getByRole('button', { name: button }));
  const publish = workspace.client().publishedOn('agents/builder/inbox').at(-1);
  if (!publish) throw new Error('no command published');
  const { id } = JSON.parse(publish.payload) as { id: string };
  return { id, ack: () => publish.ack() };
}

function commandRow(command: string): HTMLElement {
  const row = screen.getByText(command).closest('li');
  if (!row) throw new Error(`no row for ${command}`);
  return row;
}
