import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { NotificationsLink } from '../../../../src/client/features/notifications/components/notifications-link';
import { NotificationsPanel } from '../../../../src/client/features/notifications/components/notifications-panel';
import {
  notificationsStorageKey,
  useNotificationsStore,
} from '../../../../src/client/features/notifications/stores/notifications-store';
import { emulateFocusFixup } from '../../support/focus-fixup';
import { spokenIn } from '../../support/live-region';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';
import { shownTextOf, unisolatedBidiControls } from '../../support/shown-text';

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
      <NotificationsPanel isAdmin={false} />
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
    // Named, and not as the section it is in is.
    const list = screen.getByRole('list', { name: 'Notifications, newest first' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    expect(screen.getByRole('region', { name: 'Notifications' })).toContainElement(list);

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
    const okLink = within(ok).getByRole('link', { name: `Open link (${window.location.host})` });
    expect(okLink).toHaveAttribute('href', `${window.location.origin}/rooms/general`);
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
    expect(away.getByRole('link', { name: 'Open link (x.test)' })).toHaveAttribute(
      'target',
      '_blank',
    );
    const here = within(screen.getByRole('article', { name: 'Title here' }));
    const link = here.getByRole('link', { name: 'Open #general' });
    expect(link).toHaveAttribute('href', view);
    expect(link).not.toHaveAttribute('target');

    await userEvent.click(link);
    expect(window.location.hash).toBe('#/rooms/general');
    expect(screen.getByRole('link', { name: 'Notifications, 1 unread' })).toBeInTheDocument();
    expect(here.queryByRole('button', { name: 'Mark read: Title here' })).toBeNull();
  });

  it('names each link by where it leads, and counts one read when opened, in this tab or another', async () => {
    const workspace = await setup();
    const links: Record<string, string> = {
      phish: '//evil.example/phish',
      userinfo: 'https://trusted.example@evil.example/login',
      port: 'http://docs.example:8443/guide',
      idn: 'https://exämple.test/',
      agent: '#/agents/agent-01',
      people: '#/people',
      bogus: '#/rooms/NOT-AN-ID',
    };
    act(() =>
      Object.entries(links).forEach(([id, link], i) =>
        workspace.client().deliver('notifications/alice', note(id, i, { link })),
      ),
    );
    const linkOf = (id: string) =>
      within(screen.getByRole('article', { name: `Title ${id}` })).getByRole('link');
    expect(linkOf('phish')).toHaveAccessibleName('Open link (evil.example)');
    expect(linkOf('phish')).toHaveAttribute('href', 'http://evil.example/phish');
    expect(linkOf('userinfo')).toHaveAccessibleName('Open link (evil.example)');
    expect(linkOf('port')).toHaveAccessibleName('Open link (docs.example:8443)');
    expect(linkOf('idn')).toHaveAccessibleName('Open link (xn--exmple-cua.test)'); // no look-alikes
    expect(linkOf('agent')).toHaveAccessibleName('Open agent agent-01');
    expect(linkOf('people')).toHaveAccessibleName('Open People');
    expect(linkOf('bogus')).toHaveAccessibleName('Open link in Switchboard');
    expect(screen.getByRole('link', { name: 'Notifications, 7 unread' })).toBeInTheDocument();

    // Opened in another tab, by a click or a middle click: read all the same.
    linkOf('phish').addEventListener('click', (event) => event.preventDefault()); // jsdom would follow it
    await userEvent.click(linkOf('phish'));
    expect(screen.getByRole('link', { name: 'Notifications, 6 unread' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Mark read: Title phish' })).toBeNull();
    fireEvent(linkOf('port'), new MouseEvent('auxclick', { bubbles: true, button: 1 }));
    expect(screen.getByRole('link', { name: 'Notifications, 5 unread' })).toBeInTheDocument();
    expect(useNotificationsStore.getState().unsent.ids).toEqual(['phish', 'port']);
  });

  it('keeps keyboard focus on Mark all read when it has nothing left to mark', async () => {
    emulateFocusFixup(); // a disabled button would lose focus to <body>, as in a browser
    const workspace = await setup();
    act(() => workspace.client().deliver('notifications/alice', note('n1', 1)));
    const markAll = screen.getByRole('button', { name: 'Mark all read' });
    markAll.focus();
    await userEvent.keyboard('{Enter}');
    expect(screen.getByText('All caught up')).toBeInTheDocument();
    expect(document.activeElement).toBe(markAll);
    expect(markAll).toHaveAttribute('aria-disabled', 'true');
    // Pressed again, it does nothing.
    await userEvent.keyboard('{Enter}');
    expect(useNotificationsStore.getState().unsent.ids).toEqual(['n1']);
    expect(document.activeElement).toBe(markAll);
  });

  it('says what a mark did, but not each arrival: the top bar says those', async () => {
    const workspace = await setup();
    act(() => workspace.client().deliver('notifications/alice', note('n1', 1)));
    const panel = screen.getByRole('region', { name: 'Notifications' });
    const regions = [
      ...panel.querySelectorAll<HTMLElement>(
        '[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]',
      ),
    ];
    const said = regions.map(spokenIn);
    const words = () => said.flat().filter((text) => text !== '');

    act(() => {
      workspace.client().deliver('notifications/alice', note('n2', 2));
      workspace.client().deliver('notifications/alice', note('n3', 3));
    });
    expect(within(panel).getByText('3 unread')).toBeInTheDocument();
    expect(words()).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n2' }));
    await waitFor(() => expect(words()).toEqual(['Marked read. 2 unread']));
    await userEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(words()).toEqual(['Marked read. 2 unread', 'All marked read']));
    expect(within(panel).getByText('All caught up')).toBeInTheDocument();
  });

  it('shows no bidi controls of a title or body, and a title with nothing visible as untitled', async () => {
    const workspace = await setup();
    // Kept from before the broker refused such titles: the inbox still lists it.
    act(() => {
      const inbox = useNotificationsStore.getState();
      inbox.applyInbox(inbox.beginInboxSync(), {
        account: 'alice',
        notifications: [
          { ...note('blank', 1, { title: '\u200B \u200B', body: '\u202E' }), read: false },
        ],
        nextCursor: null,
        unread: 1,
        newestCursor: '1',
      });
    });
    const spoof = '\u202Egnp.exe';
    act(() =>
      workspace.client().deliver(
        'notifications/alice',
        note('spoof', 2, {
          title: `Invoice ${spoof}`,
          body: `Open \u2067${spoof}\u2069 now \u202Aor\u202C \u2066x\u2069\u2068y\u2069 \u202B\u202D`,
        }),
      ),
    );
    const spoofed = screen.getByRole('article', { name: 'Invoice gnp.exe' });
    const heading = within(spoofed).getByRole('heading', { level: 3 });
    expect(shownTextOf(heading)).toBe('Unread: Invoice gnp.exe');
    expect(heading).toHaveAttribute('dir', 'auto');
    const body = within(spoofed).getByRole('paragraph');
    expect(shownTextOf(body)).toBe('Open gnp.exe now or xy '); // a space before two controls
    expect(body).toHaveAttribute('dir', 'auto');
    // Kept in the page as sent, for a selection to copy, where they reorder nothing.
    expect(heading).toHaveTextContent(`Unread: Invoice ${spoof}`, { normalizeWhitespace: false });
    expect(unisolatedBidiControls(spoofed)).toEqual([]);
    expect(within(spoofed).getByRole('button')).toHaveAccessibleName('Mark read: Invoice gnp.exe');
    // Kept as sent: only what is shown is without them.
    expect(useNotificationsStore.getState().items[0]?.title).toBe(`Invoice ${spoof}`);

    const blank = screen.getByRole('article', { name: '(untitled)' });
    expect(within(blank).getByRole('heading', { level: 3 })).toHaveTextContent('(untitled)');
    expect(within(blank).getByRole('button')).toHaveAccessibleName('Mark read: (untitled)');
    expect(within(blank).queryByRole('paragraph')).toBeNull(); // a body of nothing visible
  });

  it('sets the direction of titles and bodies by their text (right-to-left scripts)', async () => {
    const workspace = await setup();
    act(() => workspace.client().deliver('notifications/alice', note('rtl', 1)));
    const article = screen.getByRole('article', { name: 'Title rtl' });
    expect(within(article).getByRole('heading', { level: 3 })).toHaveAttribute('dir', 'auto');
    expect(within(article).getByText('Body rtl')).toHaveAttribute('dir', 'auto');
    // dir="auto" goes by the first strong letter outside elements with a dir of their own:
    // the hidden "Unread:" has one, so it is the title's that counts, not this English word.
    expect(within(article).getByText('Unread:')).toHaveAttribute('dir', 'ltr');
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
