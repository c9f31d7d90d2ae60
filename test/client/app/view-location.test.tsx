import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useNavigationStore } from '../../../src/client/app/navigation-store';
import { resetWorkspaceStores } from '../../../src/client/app/reset-stores';
import { signInToken } from '../../../src/client/app/sign-in-token';
import { syncViewWithLocation } from '../../../src/client/app/view-location';
import type { Session } from '../../../src/client/features/auth/api/get-session';
import { adminUser, errorBody, usersHandler } from '../features/admin/support/admin-api';
import { openAt } from '../support/located-shell';
import { server } from '../support/msw-server';

const ADMIN: Session = { user: 'admin', org: 'demo', role: 'admin' };

const viewHeading = () => within(screen.getByRole('main')).getByRole('heading', { level: 2 });
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the view in the address', () => {
  it.each([
    ['#/agents', 'Agents'],
    ['#/people', 'People'],
    ['#/notifications', 'Notifications'],
    ['#/rooms/general', '# general'],
  ])('%s opens %s at once, as after a reload', async (hash, heading) => {
    await openAt(`/${hash}`);
    expect(viewHeading()).toHaveTextContent(heading);
    expect(window.location.hash).toBe(hash);
  });

  it('follows each view, and Back and Forward move between them', async () => {
    const user = userEvent.setup();
    const nav = await openAt('/');
    expect(viewHeading()).toHaveTextContent('Welcome');
    const push = vi.spyOn(window.history, 'pushState');

    await user.click(nav.getByRole('link', { name: 'People' }));
    expect(window.location.hash).toBe('#/people');
    await user.click(nav.getByRole('link', { name: '# general' }));
    expect(window.location.hash).toBe('#/rooms/general');
    await user.click(nav.getByRole('link', { name: '# general' })); // the same view again
    expect(push).toHaveBeenCalledTimes(2);

    act(() => window.history.back());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('People'));
    expect(nav.getByRole('link', { name: 'People' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('main')).toHaveFocus();
    act(() => window.history.back());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Welcome'));
    expect(window.location.href).toBe(`${window.location.origin}/`);
    act(() => window.history.forward());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('People'));
    expect(push).toHaveBeenCalledTimes(2); // Back and Forward add no entries
  });

  describe('“All agents” from an agent', () => {
    const AGENT = 'builder-2';
    const allAgents = () => screen.getByRole('link', { name: '← All agents' });

    it('is Back when one came from the board: Back afterwards leaves the board, not for the agent', async () => {
      const user = userEvent.setup();
      const nav = await openAt('/');
      await user.click(nav.getByRole('link', { name: 'Agents' }));
      act(() => useNavigationStore.getState().navigate({ name: 'agent', agent: AGENT }));
      expect(window.location.hash).toBe(`#/agents/${AGENT}`);
      const push = vi.spyOn(window.history, 'pushState');
      const entries = window.history.length;

      await user.click(allAgents());
      await waitFor(() => expect(window.location.hash).toBe('#/agents'));
      expect(viewHeading()).toHaveTextContent('Agents');
      expect(push).not.toHaveBeenCalled();
      expect(window.history.length).toBe(entries);

      act(() => window.history.back());
      await waitFor(() => expect(viewHeading()).toHaveTextContent('Welcome'));
    });

    it('opens the board as a new entry when the agent was opened from elsewhere (a link, a reload): Back returns to the agent', async () => {
      const user = userEvent.setup();
      const nav = await openAt('/');
      await user.click(nav.getByRole('link', { name: 'People' }));
      act(() => useNavigationStore.getState().navigate({ name: 'agent', agent: AGENT }));
      const push = vi.spyOn(window.history, 'pushState');
      const back = vi.spyOn(window.history, 'back');

      await user.click(allAgents());
      expect(window.location.hash).toBe('#/agents');
      expect(viewHeading()).toHaveTextContent('Agents');
      expect(push).toHaveBeenCalledTimes(1);
      expect(back).not.toHaveBeenCalled();

      back.mockRestore();
      act(() => window.history.back()); // the agent's entry is still there
      await waitFor(() => expect(window.location.hash).toBe(`#/agents/${AGENT}`));
      act(() => window.history.back());
      await waitFor(() => expect(viewHeading()).toHaveTextContent('People'));
    });

    it('keeps the board’s filter, status and sort, by “All agents” and by Back, until sign-out', async () => {
      const user = userEvent.setup();
      const nav = await openAt('/');
      await user.click(nav.getByRole('link', { name: 'Agents' }));
      const filter = () => screen.getByRole('searchbox', { name: 'Filter' });
      const status = () => screen.getByRole('combobox', { name: 'Status' });
      const sort = () => screen.getByRole('combobox', { name: 'Sort by' });
      await user.type(filter(), 'build');
      await user.selectOptions(status(), 'working');
      await user.selectOptions(sort(), 'updated');
      const expectKept = () => {
        expect(filter()).toHaveValue('build');
        expect(status()).toHaveValue('working');
        expect(sort()).toHaveValue('updated');
      };

      act(() => useNavigationStore.getState().navigate({ name: 'agent', agent: AGENT }));
      await user.click(allAgents());
      await waitFor(() => expect(viewHeading()).toHaveTextContent('Agents'));
      expectKept();

      act(() => useNavigationStore.getState().navigate({ name: 'agent', agent: AGENT }));
      expect(viewHeading()).toHaveTextContent(AGENT);
      act(() => window.history.back());
      await waitFor(() => expect(viewHeading()).toHaveTextContent('Agents'));
      expectKept();

      act(() => resetWorkspaceStores()); // the next person signing in starts afresh
      act(() => useNavigationStore.getState().navigate({ name: 'agents' }));
      expect(filter()).toHaveValue('');
      expect(status()).toHaveValue('all');
      expect(sort()).toHaveValue('name');
    });

    it('opens the board as a new entry when the agent’s address was followed from outside', async () => {
      await openAt(`/#/agents/${AGENT}`);
      const push = vi.spyOn(window.history, 'pushState');
      const back = vi.spyOn(window.history, 'back');
      await userEvent.click(allAgents());
      expect(window.location.hash).toBe('#/agents');
      expect(push).toHaveBeenCalledTimes(1);
      expect(back).not.toHaveBeenCalled();
    });
  });

  it('closes the small-screen menu on Back, and moves focus to the view', async () => {
    const user = userEvent.setup();
    const nav = await openAt('/#/people');
    await user.click(await nav.findByRole('link', { name: '# general' }));
    const menu = screen.getByRole('button', { name: 'Menu' });
    await user.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');

    act(() => window.history.back());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('People'));
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByRole('main')).toHaveFocus();
  });

  it('closes the small-screen menu on Escape, with focus back on its toggle', async () => {
    const user = userEvent.setup();
    const nav = await openAt('/#/people');
    const menu = screen.getByRole('button', { name: 'Menu' });
    await user.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    act(() => nav.getByRole('link', { name: 'Agents' }).focus()); // somewhere in the menu

    await user.keyboard('{Escape}');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveFocus();
    expect(viewHeading()).toHaveTextContent('People'); // the view it was opened over
    expect(window.location.hash).toBe('#/people');
  });

  it.each([
    ['an uppercase room id', '#/rooms/GENERAL', 'Room not found', 'There is no room #GENERAL'],
    ['encoded markup', '#/rooms/%3Cscript%3E', 'Room not found', 'There is no room #<script>'],
    ['markup', '#/rooms/<script>alert(1)</script>', 'Page not found', '“#/rooms/<script>alert(1)<'],
    ['a prototype key', '#/rooms/__proto__', 'Room not found', 'There is no room #__proto__'],
    ['a trailing segment', '#/rooms/general/extra', 'Page not found', '“#/rooms/general/extra”'],
    ['an unknown view', '#/bogus', 'Page not found', '“#/bogus”'],
    ['a very long id', `#/rooms/${'x'.repeat(100_000)}`, 'Room not found', 'no room #xxxx'],
    ['a very long hash', `#/${'x/'.repeat(50_000)}`, 'Page not found', '“#/x/x/x/'],
  ])(
    'says %s is not found, naming it as text, and leaves it in the address',
    async (_name, hash, heading, named) => {
      await openAt(`/${hash}`);
      expect(viewHeading()).toHaveTextContent(heading);
      expect(within(screen.getByRole('main')).getByText(new RegExp(escaped(named)))).toBeVisible();
      expect(document.querySelector('main script')).toBeNull();
      expect(document.title).toBe(`${heading} — Switchboard`);
      // As the browser keeps what was typed (`<` as `%3C`), not rewritten by the app.
      expect(window.location.hash).toBe(new URL(hash, window.location.origin).hash);
      expect(screen.queryByRole('textbox', { name: /^Message/ })).not.toBeInTheDocument();
    },
  );

  it('offers the room a mistyped id likely meant, and a way back, each a new entry', async () => {
    const user = userEvent.setup();
    await openAt('/#/rooms/General');
    await user.click(screen.getByRole('button', { name: 'Open #general' }));
    expect(viewHeading()).toHaveTextContent('# general');
    expect(window.location.hash).toBe('#/rooms/general');

    act(() => window.history.back());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Room not found'));
    expect(window.location.hash).toBe('#/rooms/General');
    await user.click(screen.getByRole('button', { name: 'Back to your rooms' }));
    expect(viewHeading()).toHaveTextContent('Welcome');
  });

  it('follows a hash changed in the address bar, also to one that names nothing', async () => {
    await openAt('/');
    act(() => {
      window.location.hash = '#/agents';
    });
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Agents'));
    act(() => {
      window.location.hash = '#/nowhere';
    });
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Page not found'));
    expect(window.location.hash).toBe('#/nowhere');
    await userEvent.click(screen.getByRole('button', { name: 'Go to Welcome' }));
    expect(viewHeading()).toHaveTextContent('Welcome');
    expect(window.location.hash).toBe('');
  });

  it('opens a room one may not read as not found, with nothing to write in', async () => {
    server.use(
      http.get('/api/rooms/payroll/messages', () =>
        HttpResponse.json(errorBody('forbidden', 'reading room "payroll" is not allowed'), {
          status: 403,
        }),
      ),
    );
    await openAt('/#/rooms/payroll');
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Room not found'));
    expect(window.location.hash).toBe('#/rooms/payroll');
    expect(screen.queryByRole('textbox', { name: /^Message/ })).not.toBeInTheDocument();
  });

  it('keeps the skip link from putting a hash that names no view in the address', async () => {
    await openAt('/#/people');
    await userEvent.click(screen.getByRole('link', { name: 'Skip to content' }));
    expect(screen.getByRole('main')).toHaveFocus();
    expect(window.location.hash).toBe('#/people');
    expect(viewHeading()).toHaveTextContent('People');
  });

  it('holds the admin section, switched in place with focus kept on the tab', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler([adminUser('admin', { role: 'admin' })]),
      http.get('/api/admin/audit', () => HttpResponse.json({ entries: [], nextCursor: null })),
    );
    await openAt('/#/admin/audit', ADMIN);
    // The console is a chunk of its own (lazy): its first import here is transformed then,
    // which took over findBy's default second on a loaded machine.
    const audit = await screen.findByRole('tab', { name: 'Audit log' }, { timeout: 10_000 });
    expect(audit).toHaveAttribute('aria-selected', 'true');
    const push = vi.spyOn(window.history, 'pushState');

    await user.click(screen.getByRole('tab', { name: 'Users' }));
    expect(window.location.hash).toBe('#/admin/users');
    expect(push).not.toHaveBeenCalled();
    expect(screen.getByRole('tab', { name: 'Users' })).toHaveFocus();
  });

  it.each([
    ['no section', '/#/admin'],
    ['a section it does not have', '/#/admin/nothing-here'],
  ])('opens the first admin section for %s, and says so in place', async (_name, url) => {
    server.use(usersHandler([adminUser('admin', { role: 'admin' })]));
    const push = vi.spyOn(window.history, 'pushState');
    await openAt(url, ADMIN);
    expect(await screen.findByRole('tab', { name: 'Users' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    await waitFor(() => expect(window.location.hash).toBe('#/admin/users'));
    expect(push).not.toHaveBeenCalled();
  });

  it('adds no entry when Admin is chosen in the console, so Back leaves it', async () => {
    const user = userEvent.setup();
    server.use(usersHandler([adminUser('admin', { role: 'admin' })]));
    const nav = await openAt('/#/people', ADMIN);
    await user.click(nav.getByRole('link', { name: 'Admin' }));
    expect(await screen.findByRole('tab', { name: 'Users' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    await waitFor(() => expect(window.location.hash).toBe('#/admin/users'));
    const push = vi.spyOn(window.history, 'pushState');

    await user.click(nav.getByRole('link', { name: 'Admin' }));
    expect(window.location.hash).toBe('#/admin/users');
    expect(push).not.toHaveBeenCalled();

    act(() => window.history.back());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('People'));
  });

  it.each(['/#/admin', '/#/admin/users'])(
    'shows a member Welcome for the admin console (%s), and drops the hash',
    async (url) => {
      await openAt(url);
      expect(viewHeading()).toHaveTextContent('Welcome');
      expect(window.location.hash).toBe('');
    },
  );

  it('leaves no view in the address after signing out', async () => {
    server.use(http.delete('/api/session', () => new HttpResponse(null, { status: 204 })));
    await openAt('/#/rooms/general');
    const push = vi.spyOn(window.history, 'pushState');
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(window.location.hash).toBe(''));
    expect(window.location.href).toBe(`${window.location.origin}/`);
    expect(push).not.toHaveBeenCalled(); // in place: Forward leads nowhere new
  });
});

describe('writing the address', () => {
  // Before the setup's own replaceState, which a refusing spy would break.
  afterEach(() => vi.restoreAllMocks());

  it('never stops the store’s other listeners, even when the browser refuses', () => {
    const stop = syncViewWithLocation({ token: 'a-token', isAdmin: false });
    const listener = vi.fn();
    const unsubscribe = useNavigationStore.subscribe(listener);
    const refusal = () => {
      // What Safari throws past its rate limit.
      throw new DOMException(
        'Attempt to use history.pushState() more than 100 times',
        'SecurityError',
      );
    };
    const push = vi.spyOn(window.history, 'pushState').mockImplementation(refusal);
    vi.spyOn(window.history, 'replaceState').mockImplementation(refusal);

    useNavigationStore.getState().navigate({ name: 'people' });
    useNavigationStore.getState().navigate({ name: 'agents' }, 'replace');
    expect(useNavigationStore.getState().view).toEqual({ name: 'agents' });
    expect(listener).toHaveBeenCalledTimes(2);
    expect(push).toHaveBeenCalled();
    unsubscribe();
    stop();
  });
});

describe('going back to a view', () => {
  it('is Back to where the entry came from, even after the view on it was replaced', async () => {
    const stop = syncViewWithLocation({ token: 'a-token', isAdmin: false });
    try {
      const { navigate } = useNavigationStore.getState();
      navigate({ name: 'agents' });
      navigate({ name: 'agent', agent: 'builder-1' });
      navigate({ name: 'agent', agent: 'builder-2' }, 'replace');
      const back = vi.spyOn(window.history, 'back');
      navigate({ name: 'agents' }, 'back');
      expect(back).toHaveBeenCalledTimes(1);
      await waitFor(() => expect(window.location.hash).toBe('#/agents'));
    } finally {
      stop();
    }
  });

  it('never goes Back into the entries of another sign-in', () => {
    const stopAlice = syncViewWithLocation({ token: signInToken('alice@demo'), isAdmin: false });
    useNavigationStore.getState().navigate({ name: 'agents' });
    useNavigationStore.getState().navigate({ name: 'agent', agent: 'builder-1' });
    stopAlice();
    resetWorkspaceStores(); // signing out, the address left as it was

    const stopBob = syncViewWithLocation({ token: signInToken('bob@demo'), isAdmin: false });
    try {
      const { navigate } = useNavigationStore.getState();
      navigate({ name: 'agent', agent: 'builder-1' }, 'replace');
      const back = vi.spyOn(window.history, 'back');
      navigate({ name: 'agents' }, 'back');
      expect(back).not.toHaveBeenCalled();
      expect(window.location.hash).toBe('#/agents');
    } finally {
      stopBob();
    }
  });
});

describe('the address of another sign-in', () => {
  it('names no account in the entries the app writes', async () => {
    const user = userEvent.setup();
    const nav = await openAt('/');
    await user.click(await nav.findByRole('link', { name: '# general' }));
    expect(window.location.hash).toBe('#/rooms/general');
    expect(window.history.state).not.toBeNull();
    expect(JSON.stringify(window.history.state)).not.toMatch(/alice|demo/);
  });

  it.each([
    ['the next person', 'bob@demo'],
    ['the same person signing in again', 'alice@demo'],
  ])('is not opened for %s in this tab (reached by Back, say)', (_name, next) => {
    const stopAlice = syncViewWithLocation({ token: signInToken('alice@demo'), isAdmin: false });
    useNavigationStore.getState().navigate({ name: 'room', room: 'payroll' });
    stopAlice();
    resetWorkspaceStores(); // signing out

    window.history.pushState(window.history.state, '', '/#/rooms/payroll');
    const stopNext = syncViewWithLocation({ token: signInToken(next), isAdmin: false });
    expect(useNavigationStore.getState().view).toEqual({ name: 'home' });
    expect(window.location.hash).toBe('');
    stopNext();
  });

  it('is opened for the same sign-in (a reload), and a link nobody wrote for anybody', () => {
    const token = signInToken('alice@demo');
    const stop = syncViewWithLocation({ token, isAdmin: false });
    useNavigationStore.getState().navigate({ name: 'agents' });
    stop();

    useNavigationStore.getState().reset();
    const again = syncViewWithLocation({ token: signInToken('alice@demo'), isAdmin: false });
    expect(useNavigationStore.getState().view).toEqual({ name: 'agents' });
    again();

    resetWorkspaceStores();
    window.history.replaceState(null, '', '/#/people');
    const bob = syncViewWithLocation({ token: signInToken('bob@demo'), isAdmin: false });
    expect(useNavigationStore.getState().view).toEqual({ name: 'people' });
    bob();
  });
});
