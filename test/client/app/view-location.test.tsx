import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { useEffect, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { useNavigationStore } from '../../../src/client/app/navigation-store';
import { resetWorkspaceStores } from '../../../src/client/app/reset-stores';
import { Shell } from '../../../src/client/app/shell';
import { syncViewWithLocation, useViewInLocation } from '../../../src/client/app/view-location';
import { accountOf, type Session } from '../../../src/client/features/auth/api/get-session';
import { adminUser, errorBody, usersHandler } from '../features/admin/support/admin-api';
import { ALICE } from '../support/fixtures';
import { server } from '../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../support/render';

const ADMIN: Session = { user: 'admin', org: 'demo', role: 'admin' };

/** As the workspace does it: the location is read before the shell first renders. */
function LocatedShell({ session }: { session: Session }) {
  useViewInLocation(accountOf(session));
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return ready ? <Shell session={session} /> : null;
}

/** The workspace opened at `url`, as by a reload or a followed link. */
async function openAt(url: string, session: Session = ALICE) {
  window.history.replaceState(null, '', url);
  server.use(
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
    http.get('/api/rooms/general/messages', () =>
      HttpResponse.json({ messages: [], nextCursor: null }),
    ),
    http.get('/api/people', () => HttpResponse.json({ people: [] })),
  );
  const workspace = await connectTestWorkspace({ me: session.user });
  renderWithWorkspace(<LocatedShell session={session} />, {
    connection: workspace.connection,
    session,
  });
  return within(screen.getByRole('navigation', { name: 'Workspace' }));
}

const viewHeading = () => within(screen.getByRole('main')).getByRole('heading', { level: 2 });

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
    const entries = window.history.length;

    await user.click(nav.getByRole('button', { name: 'People' }));
    expect(window.location.hash).toBe('#/people');
    await user.click(nav.getByRole('button', { name: '# general' }));
    expect(window.location.hash).toBe('#/rooms/general');
    await user.click(nav.getByRole('button', { name: '# general' })); // the same view again
    expect(window.history.length).toBe(entries + 2);

    act(() => window.history.back());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('People'));
    expect(nav.getByRole('button', { name: 'People' })).toHaveAttribute('aria-current', 'page');
    act(() => window.history.back());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Welcome'));
    expect(window.location.href).toBe(`${window.location.origin}/`);
    act(() => window.history.forward());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('People'));
    expect(window.history.length).toBe(entries + 2);
  });

  it.each([
    '#/rooms/<script>alert(1)</script>',
    '#/rooms/__proto__',
    `#/rooms/${'x'.repeat(100_000)}`,
    '#/nowhere',
  ])('opens Welcome for a hash that names no view (%#), and drops the hash', async (hash) => {
    await openAt(`/${hash}`);
    expect(viewHeading()).toHaveTextContent('Welcome');
    expect(window.location.hash).toBe('');
  });

  it('follows a hash changed in the address bar, and ignores one that names nothing', async () => {
    await openAt('/');
    act(() => {
      window.location.hash = '#/agents';
    });
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Agents'));
    act(() => {
      window.location.hash = '#/rooms/__proto__';
    });
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Welcome'));
    expect(window.location.hash).toBe('');
  });

  it('opens a room one may not read as opening it from the list would: its error', async () => {
    server.use(
      http.get('/api/rooms/payroll/messages', () =>
        HttpResponse.json(errorBody('forbidden', 'reading room "payroll" is not allowed'), {
          status: 403,
        }),
      ),
    );
    await openAt('/#/rooms/payroll');
    expect(viewHeading()).toHaveTextContent('# payroll');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the history of #payroll',
    );
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
    const audit = await screen.findByRole('tab', { name: 'Audit log' });
    expect(audit).toHaveAttribute('aria-selected', 'true');
    const entries = window.history.length;

    await user.click(screen.getByRole('tab', { name: 'Users' }));
    expect(window.location.hash).toBe('#/admin/users');
    expect(window.history.length).toBe(entries);
    expect(screen.getByRole('tab', { name: 'Users' })).toHaveFocus();
  });

  it('opens the first admin section for a section it does not have', async () => {
    server.use(usersHandler([adminUser('admin', { role: 'admin' })]));
    await openAt('/#/admin/nothing-here', ADMIN);
    expect(await screen.findByRole('tab', { name: 'Users' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
  });

  it('shows a member Welcome for the admin console', async () => {
    await openAt('/#/admin/users');
    expect(viewHeading()).toHaveTextContent('Welcome');
  });

  it('leaves no view in the address after signing out', async () => {
    server.use(http.delete('/api/session', () => new HttpResponse(null, { status: 204 })));
    await openAt('/#/rooms/general');
    const entries = window.history.length;
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(window.location.hash).toBe(''));
    expect(window.location.href).toBe(`${window.location.origin}/`);
    expect(window.history.length).toBe(entries); // in place: Forward leads nowhere new
  });
});

describe('the address of another person', () => {
  it('is not opened for the next person signing in this tab (reached by Back, say)', () => {
    const stopAlice = syncViewWithLocation('alice@demo');
    useNavigationStore.getState().navigate({ name: 'room', room: 'payroll' });
    stopAlice();
    resetWorkspaceStores();

    window.history.pushState(window.history.state, '', '/#/rooms/payroll');
    const stopBob = syncViewWithLocation('bob@demo');
    expect(useNavigationStore.getState().view).toEqual({ name: 'home' });
    expect(window.location.hash).toBe('');
    stopBob();
  });

  it('is opened for the same person, and a link nobody wrote for anybody', () => {
    window.history.replaceState({ switchboardAccount: 'alice@demo' }, '', '/#/agents');
    const stop = syncViewWithLocation('alice@demo');
    expect(useNavigationStore.getState().view).toEqual({ name: 'agents' });
    stop();

    resetWorkspaceStores();
    window.history.replaceState(null, '', '/#/people');
    const again = syncViewWithLocation('bob@demo');
    expect(useNavigationStore.getState().view).toEqual({ name: 'people' });
    again();
  });
});
