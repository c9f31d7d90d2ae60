import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AgentBoard } from '../../../../src/client/features/agent-board/components/agent-board';
import { AgentDetail } from '../../../../src/client/features/agent-board/components/agent-detail';
import { PublishRefusedError } from '../../../../src/client/lib/mqtt/publish-refusal';
import { COMMAND_REPLY_WAIT_MS } from '../../../../src/client/features/agent-board/lib/command-outcome';
import {
  connectTestWorkspace,
  renderWithWorkspace,
  type TestWorkspace,
} from '../../support/render';

const rowNames = () =>
  screen.queryAllByRole('listitem').map((li) => li.querySelector('.agent-row__name')?.textContent);

describe('AgentBoard', () => {
  it('shows retained states with progress, marks stale agents, filters and sorts', async () => {
    const workspace = await connectTestWorkspace();
    const onOpenAgent = vi.fn();
    renderWithWorkspace(<AgentBoard onOpenAgent={onOpenAgent} />, {
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

    await user.click(screen.getByRole('button', { name: 'archiver' }));
    expect(onOpenAgent).toHaveBeenCalledWith('archiver');
  });

  it('shows the latest state and forgets an agent whose retained state is cleared', async () => {
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<AgentBoard onOpenAgent={() => {}} />, {
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

describe('AgentBoard under updates', () => {
  it('moves an agent whose sort key changed, and keeps filters applied to updates', async () => {
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<AgentBoard onOpenAgent={() => {}} />, {
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
    renderWithWorkspace(<AgentDetail agent="nonexistent" onBack={() => {}} />, {
      connection: workspace.connection,
    });
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

  it('shows a command an MQTT 5 broker refused as refused, with the reason, and not as sent', async () => {
    const workspace = await connectTestWorkspace({ autoAck: false });
    renderWithWorkspace(<AgentDetail agent="builder" onBack={() => {}} />, {
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
    renderWithWorkspace(<AgentDetail agent="bad+agent" onBack={() => {}} />, {
      connection: workspace.connection,
    });
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
    renderWithWorkspace(<AgentDetail agent="builder" onBack={() => {}} />, {
      connection: workspace.connection,
    });
    act(() =>
      workspace.client().deliver('agents/builder/state', {
        status: 'working',
        progress: 10,
        updatedAt: Date.now(),
      }),
    );

    // The log's live region is there before the first command, so that one is announced.
    const liveRegion = (await screen.findByText('None yet.')).closest('[aria-live="polite"]');
    expect(liveRegion).not.toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(liveRegion).toContainElement(screen.getByText('pause'));
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
    expect(screen.getByText('Replies to other dashboards')).toBeInTheDocument();
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
    expect(status().closest('[aria-live="polite"]')).not.toBeNull();

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

/** AgentDetail for "builder", its commands acknowledged by hand, on a fake clock. */
async function openDetailOnFakeClock(): Promise<TestWorkspace> {
  const workspace = await connectTestWorkspace({ autoAck: false });
  // Before the render, so that the view's own clock and timers are fake too.
  vi.useFakeTimers({
    toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
  });
  renderWithWorkspace(<AgentDetail agent="builder" onBack={() => {}} />, {
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
