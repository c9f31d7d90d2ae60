import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AgentBoard } from '../../../../src/client/features/agent-board/components/agent-board';
import { AgentDetail } from '../../../../src/client/features/agent-board/components/agent-detail';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

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
    const liveRegion = screen.getByText('None yet.').closest('[aria-live="polite"]');
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
});
