import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  REFETCH_AFTER_MS,
  useRefetchChangedElsewhere,
} from '../../../../src/client/app/use-refetch-changed-elsewhere';
import { NotificationsLink } from '../../../../src/client/features/notifications/components/notifications-link';
import { NotificationsPanel } from '../../../../src/client/features/notifications/components/notifications-panel';
import { useSyncInbox } from '../../../../src/client/features/notifications/hooks/use-sync-inbox';
import {
  MAX_OLDER_NOTIFICATIONS,
  useNotificationsStore,
} from '../../../../src/client/features/notifications/stores/notifications-store';
import type {
  InboxPage,
  MarkNotificationsReadRequest,
} from '../../../../src/shared/notifications-api';
import { ALICE } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import {
  connectTestWorkspace,
  renderWithWorkspace,
  type TestWorkspace,
} from '../../support/render';

// The inbox lists the newest page of the server's notifications; older pages come on
// request, to be read, opened and marked like the rest, counted once.

const T = 1_735_725_600_000;

interface Stored {
  seq: number;
  id: string;
  title: string;
  body: string;
  link?: string;
  createdAt: number;
}

/** As a service publishes it: the seq is the server's. */
const payloadOf = ({ seq: _seq, ...notification }: Stored) => notification;

/** The server: its notifications in the order it recorded them (seq), which are read. */
function serve(count: number, links: Record<string, string> = {}) {
  const all: Stored[] = [];
  const read = new Set<string>();
  const add = (i: number) => {
    const id = `n${i}`;
    const stored = {
      seq: i + 1,
      id,
      title: `Title ${id}`,
      body: '',
      createdAt: T + i * 60_000,
      ...(links[id] ? { link: links[id] } : {}),
    };
    all.push(stored);
    return stored;
  };
  for (let i = 0; i < count; i++) add(i);
  const asked = { befores: [] as (string | null)[], marks: [] as MarkNotificationsReadRequest[] };
  server.use(
    // Asked for again with the inbox (app/use-refetch-changed-elsewhere.ts).
    http.get('/api/session', () => HttpResponse.json(ALICE)),
    http.get('/api/rooms', () => HttpResponse.json({ rooms: [] })),
    http.get('/api/notifications', ({ request }) => {
      const query = new URL(request.url).searchParams;
      const before = query.get('before');
      const limit = Number(query.get('limit'));
      asked.befores.push(before);
      const beyond = all.filter((item) => before === null || item.seq < Number(before)).reverse();
      const page = beyond.slice(0, limit);
      return HttpResponse.json({
        account: 'alice@demo',
        notifications: page.map((item) => ({ ...payloadOf(item), read: read.has(item.id) })),
        nextCursor: beyond.length > limit ? String(page.at(-1)?.seq) : null,
        unread: all.filter((item) => !read.has(item.id)).length,
        newestCursor: String(all.at(-1)?.seq),
      } satisfies InboxPage);
    }),
    http.post('/api/notifications/read', async ({ request }) => {
      const body = (await request.json()) as MarkNotificationsReadRequest;
      asked.marks.push(body);
      for (const id of body.ids ?? []) read.add(id);
      const upTo = Number(body.upTo);
      for (const item of all) if (item.seq <= upTo) read.add(item.id);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { asked, read, add };
}

/** `panel`: whether the notifications view is on screen (else another view is). */
function Inbox({ panel = true }: { panel?: boolean }) {
  useSyncInbox();
  useRefetchChangedElsewhere();
  return (
    <>
      <NotificationsLink href="#/notifications" current={false} onOpen={() => {}} />
      {panel && <NotificationsPanel isAdmin={false} />}
    </>
  );
}

/** Holds the older pages' answers (GET /api/notifications?before=) until `answer()`. */
function holdOlderPages() {
  let answer = () => {};
  const answered = new Promise<void>((resolve) => (answer = resolve));
  server.use(
    http.get('/api/notifications', async ({ request }) => {
      if (new URL(request.url).searchParams.has('before')) await answered;
      // Nothing returned: serve()'s answers.
    }),
  );
  return { answer };
}

/** Delivers n<from> up to n<to> live, oldest first, as the server records them. */
function deliverRun(
  inbox: ReturnType<typeof serve>,
  workspace: TestWorkspace,
  from: number,
  to: number,
) {
  act(() => {
    for (let i = from; i <= to; i++) {
      workspace.client().deliver('notifications/alice', payloadOf(inbox.add(i)));
    }
  });
}

const bell = (unread: number) =>
  screen.findByRole('link', {
    name: unread === 0 ? 'Notifications' : `Notifications, ${unread} unread`,
  });
// By their names (aria-label) without a role query over hundreds of them each time.
const articles = () => [...document.querySelectorAll<HTMLElement>('article[aria-label]')];
const article = (id: string) => {
  const found = articles().find((element) => element.getAttribute('aria-label') === `Title ${id}`);
  if (!found) throw new Error(`no notification "Title ${id}"`);
  return found;
};

describe('older notifications', () => {
  it('are loaded on request, below the newest page, to be read, opened and marked like the rest', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const inbox = serve(250, { n10: 'https://docs.example/n10' });
    inbox.read.add('n5');
    const workspace = await connectTestWorkspace({ random: () => 0 });
    useNotificationsStore.getState().load('alice@demo');
    renderWithWorkspace(<Inbox />, { connection: workspace.connection, session: ALICE });

    await bell(249); // all of them, though only the newest 100 are listed
    expect(articles()).toHaveLength(100);
    expect(articles().at(-1)).toHaveAccessibleName('Title n150');

    const loadOlder = screen.getByRole('button', { name: 'Load older notifications' });
    await userEvent.click(loadOlder);
    await waitFor(() => expect(articles()).toHaveLength(200));
    expect(inbox.asked.befores).toEqual([null, '151']);
    // Keyboard focus goes on to the first of them.
    expect(document.activeElement).toBe(article('n149'));
    expect(screen.getByText('249 unread')).toBeInTheDocument();

    // Marked read one by one, counted once.
    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n120' }));
    await bell(248);
    await waitFor(() =>
      expect(inbox.asked.marks).toEqual([{ account: 'alice@demo', ids: ['n120'] }]),
    );

    // One arriving meanwhile goes on top; the next older page below the rest, the last one.
    const live = inbox.add(250);
    act(() => workspace.client().deliver('notifications/alice', payloadOf(live)));
    await bell(249);
    await userEvent.click(screen.getByRole('button', { name: 'Load older notifications' }));
    await waitFor(() => expect(articles()).toHaveLength(251));
    expect(inbox.asked.befores).toEqual([null, '151', '51']);
    expect(screen.queryByRole('button', { name: /Load older/ })).toBeNull(); // nothing older
    expect(document.activeElement).toBe(article('n49')); // not lost with the button
    expect(articles().at(0)).toHaveAccessibleName('Title n250');
    expect(articles().at(-1)).toHaveAccessibleName('Title n0');
    await bell(249);
    // Read elsewhere: shown as read.
    expect(within(article('n5')).queryByRole('button')).toBeNull();

    // Its link opens, and reads it.
    const link = within(article('n10')).getByRole('link', { name: 'Open link (docs.example)' });
    link.addEventListener('click', (event) => event.preventDefault()); // jsdom would follow it
    await userEvent.click(link);
    await bell(248);
    await waitFor(() => expect(inbox.asked.marks).toHaveLength(2));
    expect(inbox.asked.marks[1]).toEqual({ account: 'alice@demo', ids: ['n10'] });

    // Listed again (back to the tab a while later): the older ones stay, as the server has them.
    vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
    act(() => window.dispatchEvent(new Event('focus')));
    await waitFor(() => expect(inbox.asked.befores).toHaveLength(4));
    await bell(248);
    expect(articles()).toHaveLength(251);
    expect(within(article('n120')).queryByRole('button')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await bell(0);
    expect(screen.queryAllByRole('button', { name: /^Mark read/ })).toEqual([]);
    await waitFor(() => expect(inbox.read.size).toBe(251));
  });

  it('go on below a refreshed listing that does not reach them: what was sent unheard is not skipped', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const inbox = serve(300);
    const workspace = await connectTestWorkspace({ random: () => 0 });
    useNotificationsStore.getState().load('alice@demo');
    renderWithWorkspace(<Inbox />, { connection: workspace.connection, session: ALICE });
    await bell(300);
    await userEvent.click(screen.getByRole('button', { name: 'Load older notifications' }));
    await waitFor(() => expect(articles()).toHaveLength(200));

    // 150 more while this tab heard nothing (offline); the newest comes live on return.
    for (let i = 300; i < 449; i++) inbox.add(i);
    deliverRun(inbox, workspace, 449, 449);
    vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
    act(() => window.dispatchEvent(new Event('focus')));
    await waitFor(() => expect(inbox.asked.befores).toEqual([null, '201', null]));
    await waitFor(() => expect(articles()).toHaveLength(100)); // the new listing alone
    await bell(450);

    await userEvent.click(screen.getByRole('button', { name: 'Load older notifications' }));
    await waitFor(() => expect(articles()).toHaveLength(200));
    expect(inbox.asked.befores.at(-1)).toBe('351'); // right below the listing
    expect(articles().map((element) => element.getAttribute('aria-label'))).toEqual(
      Array.from({ length: 200 }, (_, i) => `Title n${449 - i}`),
    );
    await waitFor(() => expect(document.activeElement).toBe(article('n349')));
    await bell(450);
  });

  it(`keep more than ${MAX_OLDER_NOTIFICATIONS} older on screen through listings, start again below the listing once out of sight, and page on from there to the oldest`, async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const pages = MAX_OLDER_NOTIFICATIONS / 100 + 1; // older pages of 100 to pass the bound
    const total = 100 * (pages + 2);
    const inbox = serve(total);
    const workspace = await connectTestWorkspace({ random: () => 0 });
    useNotificationsStore.getState().load('alice@demo');
    const view = renderWithWorkspace(<Inbox />, {
      connection: workspace.connection,
      session: ALICE,
    });
    await bell(total);
    const loadOlder = async (shown: number) => {
      fireEvent.click(screen.getByText('Load older notifications'));
      await waitFor(() => expect(articles()).toHaveLength(shown));
    };
    for (let page = 1; page <= pages; page++) await loadOlder(100 * (page + 1));
    let sent = total;
    // Back to the tab a while later: listed again, with one sent meanwhile that it brings.
    const listAgain = async () => {
      inbox.add(sent++);
      vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
      act(() => window.dispatchEvent(new Event('focus')));
      await bell(sent);
    };

    // While they are read, past the bound: every one stays, and focus with it.
    const reading = article('n150');
    act(() => reading.focus());
    await listAgain();
    expect(articles()).toHaveLength(100 * (pages + 1) + 1);
    expect(document.activeElement).toBe(reading);

    // Out of sight, a listing starts the older pages again below it, counted by the server.
    view.rerender(<Inbox panel={false} />);
    await listAgain();
    expect(useNotificationsStore.getState().older).toEqual([]);
    view.rerender(<Inbox />);
    expect(articles()).toHaveLength(100);

    // Load older goes on below the listing, and reaches every one, the oldest too.
    for (let shown = 200; shown < sent + 100; shown += 100) await loadOlder(Math.min(shown, sent));
    expect(screen.queryByText(/Load older/)).toBeNull(); // by text: roles are slow over 800
    expect(articles().map((element) => element.getAttribute('aria-label'))).toEqual(
      Array.from({ length: sent }, (_, i) => `Title n${sent - 1 - i}`),
    );
    await bell(sent);
  });

  it('hold what arrivals push off the newest, to be loaded past and marked read on the server', async () => {
    const inbox = serve(150);
    const workspace = await connectTestWorkspace({ random: () => 0 });
    useNotificationsStore.getState().load('alice@demo');
    renderWithWorkspace(<Inbox />, { connection: workspace.connection, session: ALICE });
    await bell(150);

    // 220 live: 200 are kept newest, the rest, n169 to n50, below them, unread. Of those,
    // n169 to n150 are past the listing's newest.
    deliverRun(inbox, workspace, 150, 369);
    await bell(370);
    expect(articles()).toHaveLength(320);
    await userEvent.click(screen.getByRole('button', { name: 'Load older notifications' }));
    await waitFor(() => expect(articles()).toHaveLength(370));
    expect(inbox.asked.befores).toEqual([null, '51']);
    expect(articles().map((element) => element.getAttribute('aria-label'))).toEqual(
      Array.from({ length: 370 }, (_, i) => `Title n${369 - i}`),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await bell(0);
    await waitFor(() => expect(inbox.read.size).toBe(370));
    // By id only those upTo (the listing's newest, n149) does not cover: the 220 that came live.
    expect(inbox.asked.marks.map((marks) => marks.upTo)).toEqual(['150', undefined, undefined]);
    expect(inbox.asked.marks.flatMap((marks) => marks.ids)).toEqual(
      Array.from({ length: 220 }, (_, i) => `n${369 - i}`),
    );
  });

  it('puts focus on the first of an older page, though one arrived meanwhile', async () => {
    const inbox = serve(150);
    const workspace = await connectTestWorkspace({ random: () => 0 });
    useNotificationsStore.getState().load('alice@demo');
    renderWithWorkspace(<Inbox />, { connection: workspace.connection, session: ALICE });
    await bell(150);
    const older = holdOlderPages();

    await userEvent.click(screen.getByRole('button', { name: 'Load older notifications' }));
    await screen.findByRole('button', { name: 'Loading older notifications…' });
    deliverRun(inbox, workspace, 150, 150);
    await bell(151);
    older.answer();
    await waitFor(() => expect(articles()).toHaveLength(101 + 50));
    await waitFor(() => expect(document.activeElement).toBe(article('n49')));
  });

  it('puts focus on the last held when an older page adds none and there is nothing older', async () => {
    serve(101); // listed: n100 to n1, and one older
    const workspace = await connectTestWorkspace({ random: () => 0 });
    useNotificationsStore.getState().load('alice@demo');
    renderWithWorkspace(<Inbox />, { connection: workspace.connection, session: ALICE });
    await bell(101);
    // The older page brings only what is held (n1), and nothing older: the button goes.
    server.use(
      http.get('/api/notifications', ({ request }) => {
        if (!new URL(request.url).searchParams.has('before')) return; // serve()'s
        return HttpResponse.json({
          account: 'alice@demo',
          notifications: [{ id: 'n1', title: 'Title n1', body: '', createdAt: T, read: false }],
          nextCursor: null,
          unread: 101,
          newestCursor: '101',
        } satisfies InboxPage);
      }),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Load older notifications' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: /older/ })).toBeNull());
    expect(articles()).toHaveLength(100);
    await waitFor(() => expect(document.activeElement).toBe(article('n1')));
  });
});
