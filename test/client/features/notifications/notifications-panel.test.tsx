import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { NotificationsLink } from '../../../../src/client/features/notifications/components/notifications-link';
import { NotificationsPanel } from '../../../../src/client/features/notifications/components/notifications-panel';
import {
  notificationsStorageKey,
  useNotificationsStore,
} from '../../../../src/client/features/notifications/stores/notifications-store';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

const T = 1_735_725_600_000;
const note = (id: string, minutes: number, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Title ${id}`,
  body: `Body ${id}`,
  createdAt: T + minutes * 60_000,
  ...extra,
});

async function setup() {
  const workspace = await connectTestWorkspace();
  useNotificationsStore.getState().load('alice');
  renderWithWorkspace(
    <>
      <NotificationsLink href="#/notifications" current={false} onOpen={() => {}} />
      <NotificationsPanel />
    </>,
    { connection: workspace.connection },
  );
  return workspace;
}

describe('notifications', () => {
  it('counts unread, marks one read and then all read, and remembers it in localStorage', async () => {
    const workspace = await setup();
    act(() => {
      workspace.client().deliver('notifications/alice', note('n1', 1));
      workspace.client().deliver('notifications/alice', note('n2', 2));
      workspace.client().deliver('notifications/alice', note('n2', 2)); // QoS 1 redelivery
      workspace.client().deliver('notifications/alice', note('n3', 3));
    });
    expect(screen.getByRole('link', { name: 'Notifications, 3 unread' })).toBeInTheDocument();
    const titles = screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent);
    expect(titles).toEqual(['Unread: Title n3', 'Unread: Title n2', 'Unread: Title n1']); // newest first

    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n2' }));
    expect(screen.getByRole('link', { name: 'Notifications, 2 unread' })).toBeInTheDocument();
    // Keyboard focus stays on that notification, not lost with its button.
    expect(document.activeElement).toBe(screen.getByRole('article', { name: 'Title n2' }));
    expect(
      JSON.parse(localStorage.getItem(notificationsStorageKey('alice')) ?? '{}').readIds,
    ).toEqual(['n2']);

    await userEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    expect(screen.getByRole('link', { name: 'Notifications' })).toBeInTheDocument();
    expect(screen.getByText('All caught up')).toBeInTheDocument();

    // A reload keeps what was read.
    useNotificationsStore.getState().reset();
    act(() => useNotificationsStore.getState().load('alice'));
    expect(screen.getByRole('link', { name: 'Notifications' })).toBeInTheDocument();
    expect(screen.getAllByRole('article')).toHaveLength(3);
  });

  it('links only to http(s) targets', async () => {
    const workspace = await setup();
    act(() => {
      workspace.client().deliver('notifications/alice', note('ok', 1, { link: '/rooms/general' }));
      workspace
        .client()
        .deliver('notifications/alice', note('evil', 2, { link: 'javascript:alert(1)' }));
    });
    const ok = screen.getByRole('article', { name: 'Title ok' });
    expect(within(ok).getByRole('link', { name: 'Open link' })).toHaveAttribute(
      'href',
      `${window.location.origin}/rooms/general`,
    );
    const evil = screen.getByRole('article', { name: 'Title evil' });
    expect(within(evil).queryByRole('link')).toBeNull();
  });

  it('opens a link to a view of the app in this tab, and counts it read', async () => {
    const workspace = await setup();
    const view = `${window.location.origin}${window.location.pathname}#/rooms/general`;
    act(() => {
      workspace
        .client()
        .deliver('notifications/alice', note('here', 1, { link: '#/rooms/general' }));
      workspace
        .client()
        .deliver('notifications/alice', note('away', 2, { link: 'https://x.test/' }));
    });
    const away = within(screen.getByRole('article', { name: 'Title away' }));
    expect(away.getByRole('link', { name: 'Open link' })).toHaveAttribute('target', '_blank');
    const here = within(screen.getByRole('article', { name: 'Title here' }));
    const link = here.getByRole('link', { name: 'Open link' });
    expect(link).toHaveAttribute('href', view);
    expect(link).not.toHaveAttribute('target');

    await userEvent.click(link);
    expect(window.location.hash).toBe('#/rooms/general');
    expect(screen.getByRole('link', { name: 'Notifications, 1 unread' })).toBeInTheDocument();
    expect(here.queryByRole('button', { name: 'Mark read: Title here' })).toBeNull();
  });

  it('sets the direction of titles and bodies by their text (right-to-left scripts)', async () => {
    const workspace = await setup();
    act(() => workspace.client().deliver('notifications/alice', note('rtl', 1)));
    const article = screen.getByRole('article', { name: 'Title rtl' });
    expect(within(article).getByRole('heading', { level: 3 })).toHaveAttribute('dir', 'auto');
    expect(within(article).getByText('Body rtl')).toHaveAttribute('dir', 'auto');
  });

  it('offers desktop notifications and asks for permission on click', async () => {
    let asked = 0;
    class FakeNotification {
      static permission: NotificationPermission = 'default';
      static requestPermission = async () => {
        asked += 1;
        FakeNotification.permission = 'granted';
        return 'granted' as const;
      };
    }
    Object.defineProperty(window, 'Notification', { configurable: true, value: FakeNotification });
    try {
      await setup();
      await userEvent.click(screen.getByRole('button', { name: 'Enable desktop notifications' }));
      expect(asked).toBe(1);
      expect(await screen.findByText('Desktop notifications are on.')).toBeInTheDocument();
    } finally {
      Reflect.deleteProperty(window, 'Notification');
    }
  });
});
