import { act, screen } from '@testing-library/react';
import type { ComponentProps, Ref, RefCallback } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type * as InPlaceLinkModule from '../../../../src/client/components/in-place-link';
import { AgentBoard } from '../../../../src/client/features/agent-board/components/agent-board';
import { agentHref } from '../../support/fixtures';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// The board renders up to once a frame while agents report (2,000 updates/s). A ref that
// React sets and clears again on each render (a new callback every time) is work for every
// visible row, every frame, for nothing.

const refCalls = vi.hoisted(() => ({ count: 0 }));

// The rows' links as they are, their ref callbacks counted as React calls them. The same
// callback gets the same counter, so React sees the identities the board gives.
vi.mock('../../../../src/client/components/in-place-link', async (importActual) => {
  const actual = await importActual<typeof InPlaceLinkModule>();
  const counted = new WeakMap<RefCallback<HTMLAnchorElement>, RefCallback<HTMLAnchorElement>>();
  const counting = (ref: Ref<HTMLAnchorElement> | undefined) => {
    if (typeof ref !== 'function') return ref;
    let wrapped = counted.get(ref);
    if (!wrapped) {
      wrapped = (link) => {
        refCalls.count++;
        return ref(link);
      };
      counted.set(ref, wrapped);
    }
    return wrapped;
  };
  return {
    ...actual,
    InPlaceLink: ({ ref, ...props }: ComponentProps<typeof actual.InPlaceLink>) => (
      <actual.InPlaceLink {...props} ref={counting(ref)} />
    ),
  };
});

const AGENTS = ['archiver', 'builder', 'crawler', 'deployer', 'indexer'];

describe('the board’s rows', () => {
  it('are not detached and attached again each time the board renders', async () => {
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<AgentBoard agentHref={agentHref} onOpenAgent={() => {}} />, {
      connection: workspace.connection,
    });
    const report = (agent: string, progress: number) =>
      workspace
        .client()
        .deliver(`agents/${agent}/state`, { status: 'working', progress, updatedAt: Date.now() });
    act(() => {
      for (const agent of AGENTS) report(agent, 0);
    });
    expect(screen.getAllByRole('link')).toHaveLength(AGENTS.length);

    refCalls.count = 0;
    // One agent's progress, frame after frame: the board renders each time, its rows stay.
    for (let progress = 1; progress <= 10; progress++) act(() => report('builder', progress));
    expect(screen.getByRole('progressbar', { name: 'builder progress' })).toHaveAttribute(
      'aria-valuenow',
      '10',
    );
    expect(refCalls.count).toBe(0);
  });
});
