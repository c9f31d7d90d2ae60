import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from '../../../src/client/features/auth/api/get-session';
import { useNotificationsStore } from '../../../src/client/features/notifications/stores/notifications-store';
import { adminUser, usersHandler } from '../features/admin/support/admin-api';
import { openAt as openWorkspaceAt } from '../support/located-shell';
import { server } from '../support/msw-server';

// The workspace menu's entries (and the bell) are links to their views' addresses: a plain
// click opens the view in this tab as before, any other click is the browser's (a new tab).

const ADMIN: Session = { user: 'admin', org: 'demo', role: 'admin' };

/** The workspace opened at `url`, its menu's rooms listed. */
async function openAt(url: string, session?: Session) {
  const nav = await openWorkspaceAt(url, session);
  await nav.findByRole('link', { name: '# general' });
  return nav;
}

const viewHeading = () => within(screen.getByRole('main')).getByRole('heading', { level: 2 });
const bell = () => within(screen.getByRole('banner')).getByRole('link', { name: 'Notifications' });

/** Whether the app prevented the last click (as a browser would learn, after the app). */
let lastClickPrevented: boolean | null = null;
const recordClick = (event: MouseEvent) => {
  lastClickPrevented = event.defaultPrevented;
  event.preventDefault(); // jsdom would follow the link where a browser opens a new tab
};

beforeEach(() => {
  lastClickPrevented = null;
  document.addEventListener('click', recordClick);
});
afterEach(() => document.removeEventListener('click', recordClick));

describe('the workspace menu’s entries', () => {
  it('are links to the addresses of their views, the current one marked', async () => {
    const nav = await openAt('/#/people');
    expect(nav.getByRole('link', { name: '# general' })).toHaveAttribute('href', '#/rooms/general');
    expect(nav.getByRole('link', { name: 'Agents' })).toHaveAttribute('href', '#/agents');
    expect(nav.getByRole('link', { name: 'People' })).toHaveAttribute('href', '#/people');
    expect(nav.getByRole('link', { name: 'Notifications' })).toHaveAttribute(
      'href',
      '#/notifications',
    );
    expect(bell()).toHaveAttribute('href', '#/notifications');
    expect(nav.queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
    // Its sections are named apart from it (the navigation is "Workspace").
    expect(nav.getByRole('region', { name: 'Pages' })).toContainElement(
      nav.getByRole('link', { name: 'Agents' }),
    );
    expect(nav.queryByRole('region', { name: 'Workspace' })).not.toBeInTheDocument();

    expect(nav.getByRole('link', { name: 'People' })).toHaveAttribute('aria-current', 'page');
    const others = nav.getAllByRole('link').filter((link) => link.textContent !== 'People');
    for (const link of others) expect(link).not.toHaveAttribute('aria-current');
  });

  it('link an admin to the console, and in it to the section shown', async () => {
    server.use(
      usersHandler([adminUser('admin', { role: 'admin' })]),
      http.get('/api/admin/audit', () => HttpResponse.json({ entries: [], nextCursor: null })),
    );
    const nav = await openAt('/#/people', ADMIN);
    expect(nav.getByRole('link', { name: 'Admin' })).toHaveAttribute('href', '#/admin');

    act(() => {
      window.location.hash = '#/admin/audit';
    });
    // The console is a chunk of its own (lazy), transformed on its first import here.
    await screen.findByRole('tab', { name: 'Audit log' }, { timeout: 10_000 });
    expect(nav.getByRole('link', { name: 'Admin' })).toHaveAttribute('href', '#/admin/audit');
  });

  it('open their view in this tab on a plain click, with no page load, and close the menu', async () => {
    const user = userEvent.setup();
    const nav = await openAt('/#/people');
    const push = vi.spyOn(window.history, 'pushState');
    const menu = screen.getByRole('button', { name: 'Menu' });
    await user.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');

    await user.click(nav.getByRole('link', { name: '# general' }));
    expect(lastClickPrevented).toBe(true);
    expect(viewHeading()).toHaveTextContent('# general');
    expect(window.location.pathname).toBe('/');
    expect(window.location.hash).toBe('#/rooms/general');
    expect(push).toHaveBeenCalledTimes(1); // the app's own entry, Back returns to People
    expect(nav.getByRole('link', { name: '# general' })).toHaveAttribute('aria-current', 'page');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByRole('main')).toHaveFocus();

    await user.click(bell());
    expect(lastClickPrevented).toBe(true);
    expect(viewHeading()).toHaveTextContent('Notifications');
    expect(push).toHaveBeenCalledTimes(2);
  });

  it('open their view on Enter', async () => {
    const user = userEvent.setup();
    const nav = await openAt('/#/people');
    act(() => nav.getByRole('link', { name: 'Agents' }).focus());

    await user.keyboard('{Enter}');
    expect(lastClickPrevented).toBe(true);
    expect(viewHeading()).toHaveTextContent('Agents');
    expect(window.location.hash).toBe('#/agents');
    expect(screen.getByRole('main')).toHaveFocus();
  });

  it.each([
    ['Ctrl', { ctrlKey: true }],
    ['⌘', { metaKey: true }],
    ['the middle button', { button: 1 }],
  ])('leave a click with %s to the browser, to open elsewhere', async (_name, init) => {
    const nav = await openAt('/#/people');
    const push = vi.spyOn(window.history, 'pushState');

    for (const link of [nav.getByRole('link', { name: '# general' }), bell()]) {
      lastClickPrevented = null;
      fireEvent.click(link, { button: 0, ...init });
      expect(lastClickPrevented).toBe(false);
    }
    expect(viewHeading()).toHaveTextContent('People');
    expect(window.location.hash).toBe('#/people');
    expect(push).not.toHaveBeenCalled();
  });
});

describe('a notification’s link to the admin console', () => {
  const toConsole = (id: string) => ({
    id,
    title: 'Rules changed',
    body: '',
    createdAt: Date.now(),
    link: '/#/admin/users',
  });
  const notificationLink = () =>
    within(screen.getByRole('article', { name: 'Rules changed' })).getByRole('link');

  it('is named by what it opens for a member: Welcome, the console being an admin’s', async () => {
    await openAt('/#/notifications');
    act(() => void useNotificationsStore.getState().receive(toConsole('n1')));
    expect(notificationLink()).toHaveAccessibleName('Open link in Switchboard');

    act(() => {
      window.location.hash = '#/admin/users'; // followed (jsdom's click follows nothing here)
    });
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Welcome'));
  });

  it('is named Admin for an admin', async () => {
    await openAt('/#/notifications', ADMIN);
    act(() => void useNotificationsStore.getState().receive(toConsole('n1')));
    expect(notificationLink()).toHaveAccessibleName('Open Admin');
  });
});
