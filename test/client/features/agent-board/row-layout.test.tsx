import { act, screen } from '@testing-library/react';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AgentBoard } from '../../../../src/client/features/agent-board/components/agent-board';
import { agentHref } from '../../support/fixtures';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// Rows are as high as their text needs: sized in rem (the browser's text size), and on a
// screen narrow for that size the name takes a line of its own, the row one line higher.
// The virtualizer places rows by the same height the rows are given.

/** The browser's text size, and whether the board's narrow-screen query matches (changeable). */
function emulateScreen(fontSizePx: number, narrow: boolean) {
  const listeners = new Set<() => void>();
  const query = {
    get matches() {
      return narrow;
    },
    addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
  };
  Object.defineProperty(window, 'matchMedia', {
    configurable: true,
    value: (media: string) => {
      expect(media).toMatch(/em\)$/); // in ems, so that it follows the text size
      return query;
    },
  });
  document.documentElement.style.fontSize = `${fontSizePx}px`;
  onTestFinished(() => {
    Reflect.deleteProperty(window, 'matchMedia');
    document.documentElement.style.fontSize = '';
  });
  return {
    narrowTo(next: boolean) {
      narrow = next;
      for (const listener of listeners) listener();
    },
  };
}

async function showBoard(agents: string[]) {
  const workspace = await connectTestWorkspace();
  renderWithWorkspace(<AgentBoard agentHref={agentHref} onOpenAgent={() => {}} />, {
    connection: workspace.connection,
  });
  act(() => {
    for (const agent of agents) {
      workspace.client().deliver(`agents/${agent}/state`, {
        status: 'working',
        updatedAt: Date.now(),
      });
    }
  });
  return screen.getByRole('list', { name: 'Agents' });
}

const placement = (list: HTMLElement) =>
  [...list.querySelectorAll('li')].map((row) => [row.style.height, row.style.transform]);

describe('the agents board’s rows', () => {
  it('are 76 px high at 16 px text, each name beside its status', async () => {
    emulateScreen(16, false);
    const list = await showBoard(['agent-01', 'agent-02']);
    expect(list).not.toHaveClass('agents__list--stacked');
    expect(list.style.height).toBe('152px');
    expect(placement(list)).toEqual([
      ['76px', 'translateY(0px)'],
      ['76px', 'translateY(76px)'],
    ]);
  });

  it('grow with the browser’s text size, and stack on a screen narrow for it', async () => {
    const screenSize = emulateScreen(24, true);
    const list = await showBoard(['agent-01', 'agent-02']);
    expect(list).toHaveClass('agents__list--stacked');
    expect(list.style.height).toBe('288px');
    expect(placement(list)).toEqual([
      ['144px', 'translateY(0px)'],
      ['144px', 'translateY(144px)'],
    ]);

    // Wider (turned to landscape): side by side again, placed anew.
    act(() => screenSize.narrowTo(false));
    expect(list).not.toHaveClass('agents__list--stacked');
    expect(list.style.height).toBe('228px');
    expect(placement(list)).toEqual([
      ['114px', 'translateY(0px)'],
      ['114px', 'translateY(114px)'],
    ]);
  });
});
