import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { useEffect, useState } from 'react';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useNavigationStore } from '../../../../src/client/app/navigation-store';
import { Shell } from '../../../../src/client/app/shell';
import { useViewInLocation } from '../../../../src/client/app/view-location';
import { accountOf } from '../../../../src/client/features/auth/api/get-session';
import { ALICE } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// Back on the board from an agent's detail, focus is on that agent's row, scrolled to: in a
// long list a keyboard user would otherwise Tab down to it again from the top.

const ROW_HEIGHT_PX = 76; // use-row-layout.ts, at jsdom's 16 px text
const AGENTS = Array.from({ length: 70 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
const FAR = 'agent-60'; // well past the rows first rendered (800 px of 76 px rows, and overscan)

function LocatedShell() {
  useViewInLocation(accountOf(ALICE), false);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return ready ? <Shell session={ALICE} /> : null;
}

/**
 * jsdom lays nothing out and cannot scroll: the board's scroller scrolls as a browser's does
 * (its scrollTop moves, then a scroll event), as far as the list in it is tall (its style's
 * height), and says where it was asked to go.
 */
function emulateScrolling(): { scrolledTo: number[] } {
  const record = { scrolledTo: [] as number[] };
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      const heights = [...this.children].map((child) =>
        child instanceof HTMLElement ? parseFloat(child.style.height) || 0 : 0,
      );
      return Math.max(this.clientHeight, ...heights);
    },
  });
  const scrollTo = function (this: HTMLElement, options: ScrollToOptions) {
    const top = options.top ?? 0;
    record.scrolledTo.push(top);
    scrollElement(this, top);
  };
  Object.defineProperty(HTMLElement.prototype, 'scrollTo', { configurable: true, value: scrollTo });
  onTestFinished(() => {
    // What jsdom has (on Element.prototype) shows through again.
    Reflect.deleteProperty(HTMLElement.prototype, 'scrollTo');
    Reflect.deleteProperty(HTMLElement.prototype, 'scrollHeight');
  });
  return record;
}

function scrollElement(element: HTMLElement, top: number) {
  Object.defineProperty(element, 'scrollTop', { configurable: true, value: top });
  fireEvent.scroll(element);
}

async function openBoard() {
  window.history.replaceState(null, '', '/#/agents');
  server.use(
    http.get('/api/rooms', () => HttpResponse.json({ rooms: [] })),
    http.get('/api/people', () => HttpResponse.json({ people: [] })),
  );
  const workspace = await connectTestWorkspace();
  renderWithWorkspace(<LocatedShell />, { connection: workspace.connection });
  act(() => {
    for (const agent of AGENTS) {
      workspace
        .client()
        .deliver(`agents/${agent}/state`, { status: 'idle', updatedAt: Date.now() });
    }
  });
  await screen.findByRole('link', { name: AGENTS[0] });
  return workspace;
}

const agentLink = (agent: string) => screen.queryByRole('link', { name: agent });
const openAgent = (agent: string) =>
  act(() => useNavigationStore.getState().navigate({ name: 'agent', agent }));
const viewHeading = () => within(screen.getByRole('main')).getByRole('heading', { level: 2 });

describe('back on the board from an agent', () => {
  it('by “← All agents”, focus is on that agent’s row, scrolled to', async () => {
    const scrolling = emulateScrolling();
    await openBoard();
    expect(agentLink(FAR)).toBeNull(); // not rendered: the list is virtualized
    openAgent(FAR);
    expect(viewHeading()).toHaveTextContent(FAR);

    await userEvent.click(screen.getByRole('link', { name: '← All agents' }));
    await waitFor(() => expect(agentLink(FAR)).toHaveFocus());
    expect(viewHeading()).toHaveTextContent('Agents');
    // Its row in the middle of the scroller's 800 px.
    const rowTop = AGENTS.indexOf(FAR) * ROW_HEIGHT_PX;
    expect(scrolling.scrolledTo.at(-1)).toBe(rowTop - (800 - ROW_HEIGHT_PX) / 2);
  });

  it('by Back, the same', async () => {
    emulateScrolling();
    await openBoard();
    openAgent(FAR);
    expect(viewHeading()).toHaveTextContent(FAR);
    act(() => window.history.back());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Agents'));
    await waitFor(() => expect(agentLink(FAR)).toHaveFocus());
  });

  it('keeps the focused row rendered, and focused, when the list is scrolled away from it', async () => {
    emulateScrolling();
    await openBoard();
    openAgent(FAR);
    await userEvent.click(screen.getByRole('link', { name: '← All agents' }));
    await waitFor(() => expect(agentLink(FAR)).toHaveFocus());

    const scroller = screen.getByRole('list', { name: 'Agents' }).parentElement;
    if (!scroller) throw new Error('no scroller');
    act(() => scrollElement(scroller, 0)); // back to the top, by the wheel
    expect(agentLink(AGENTS[0] ?? '')).toBeInTheDocument();
    expect(agentLink(FAR)).toHaveFocus();
    expect(agentLink('agent-40')).toBeNull(); // the rows between are not

    // Once focus has left it, its row goes like any other out of view.
    act(() => screen.getByRole('searchbox', { name: 'Filter' }).focus());
    expect(agentLink(FAR)).toBeNull();
  });

  it('leaves focus on the view when coming from elsewhere, or when the agent is filtered out', async () => {
    emulateScrolling();
    const user = userEvent.setup();
    await openBoard();
    const nav = within(screen.getByRole('navigation', { name: 'Workspace' }));

    // The agent, then People, then the board from the menu: not back from the agent.
    openAgent(FAR);
    await user.click(nav.getByRole('link', { name: 'People' }));
    await user.click(nav.getByRole('link', { name: 'Agents' }));
    expect(viewHeading()).toHaveTextContent('Agents');
    expect(screen.getByRole('main')).toHaveFocus();
    expect(agentLink(FAR)).toBeNull();

    // Back from an agent the filter leaves out: no row to return to.
    await user.type(screen.getByRole('searchbox', { name: 'Filter' }), 'agent-0');
    openAgent(FAR);
    await user.click(screen.getByRole('link', { name: '← All agents' }));
    expect(viewHeading()).toHaveTextContent('Agents');
    expect(screen.getByRole('main')).toHaveFocus();
  });
});
