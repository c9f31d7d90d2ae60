import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  REFETCH_AFTER_MS,
  useRefetchChangedElsewhere,
} from '../../../../src/client/app/use-refetch-changed-elsewhere';
import { NotificationsLink } from '../../../../src/client/features/notifications/components/notifications-link';
import { NotificationsPanel } from '../../../../src/client/features/notifications/components/notifications-panel';
import { useSyncInbox } from '../../../../src/client/features/notifications/hooks/use-sync-inbox';
import { sessionQueryKey } from '../../../../src/client/features/auth/api/get-session';
import { notificationsQueryKey } from '../../../../src/client/features/notifications/api/get-notifications';
import {
  NOTIFICATIONS_READ_CHANNEL,
  type NotificationsReadMessage,
} from '../../../../src/client/features/notifications/lib/read-broadcast';
import {
  notificationsStorageKey,
  useNotificationsStore,
} from '../../../../src/client/features/notifications/stores/notifications-store';
import type {
  InboxPage,
  MarkNotificationsReadRequest,
} from '../../../../src/shared/notifications-api';
import { ALICE, apiError } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// Which notifications were read is kept on the server: the bell counts its total, marks
// made here go to it, and reads made on another device show up here.

const T = 1_735_725_600_000;
const note = (id: string, minutes: number) => ({
  id,
  title: `Title ${id}`,
  body: '',
  createdAt: T + minutes * 60_000,
});

/** The server's side: its notifications (newest last), which are read, and how many older. */
interface ServerInbox {
  ids: string[];
  read: Set<string>;
  /** Unread notifications older than the inbox's page. */
  olderUnread: number;
  /** POST /api/notifications/read answers this status instead of recording the marks. */
  failMarks?: number;
  /** Whose the cookie is (alice@demo unless another tab signed someone else in). */
  session?: string;
}

function serve(inbox: ServerInbox) {
  const asked = { lists: 0, marks: [] as MarkNotificationsReadRequest[], failedMarks: 0 };
  server.use(
    // Asked for again with the inbox (app/use-refetch-changed-elsewhere.ts).
    http.get('/api/session', () => HttpResponse.json(ALICE)),
    http.get('/api/rooms', () => HttpResponse.json({ rooms: [] })),
    http.get('/api/notifications', () => {
      asked.lists += 1;
      const listed = [...inbox.ids].reverse();
      return HttpResponse.json({
        account: inbox.session ?? 'alice@demo',
        notifications: listed.map((id) => ({
          ...note(id, inbox.ids.indexOf(id)),
          read: inbox.read.has(id),
        })),
        nextCursor: inbox.olderUnread > 0 ? '1' : null,
        unread: inbox.olderUnread + listed.filter((id) => !inbox.read.has(id)).length,
        newestCursor: String(100 + inbox.ids.length),
      } satisfies InboxPage);
    }),
    http.post('/api/notifications/read', async ({ request }) => {
      const body = (await request.json()) as MarkNotificationsReadRequest;
      if (body.account !== (inbox.session ?? 'alice@demo')) {
        asked.failedMarks += 1;
        return HttpResponse.json(apiError('session_changed', 'signed in as another'), {
          status: 409,
        });
      }
      if (inbox.failMarks !== undefined) {
        asked.failedMarks += 1;
        return HttpResponse.json(apiError('oops', 'not now'), { status: inbox.failMarks });
      }
      asked.marks.push(body);
      for (const id of body.ids ?? []) inbox.read.add(id);
      if (body.upTo !== undefined) {
        const upTo = Number(body.upTo) - 100;
        inbox.ids.slice(0, upTo).forEach((id) => inbox.read.add(id));
        inbox.olderUnread = 0;
      }
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return asked;
}

function Inbox() {
  useSyncInbox();
  useRefetchChangedElsewhere();
  return (
    <>
      <NotificationsLink href="#/notifications" current={false} onOpen={() => {}} />
      <NotificationsPanel isAdmin={false} />
    </>
  );
}

async function renderInbox(inbox: ServerInbox) {
  return renderInboxServed(serve(inbox));
}

async function renderInboxServed(asked: ReturnType<typeof serve>) {
  const workspace = await connectTestWorkspace({ random: () => 0 });
  useNotificationsStore.getState().load('alice@demo');
  const { queryClient } = renderWithWorkspace(<Inbox />, {
    connection: workspace.connection,
    session: ALICE,
  });
  await waitFor(() => expect(asked.lists).toBe(1));
  return { asked, workspace, queryClient };
}

const bell = (unread: number) =>
  screen.findByRole('link', {
    name: unread === 0 ? 'Notifications' : `Notifications, ${unread} unread`,
  });

describe('notification read state on the server', () => {
  it('counts the server’s unread total, sends marks to it, and shows reads made on another device', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const inbox: ServerInbox = { ids: ['n1', 'n2', 'n3'], read: new Set(['n1']), olderUnread: 4 };
    const { asked, workspace } = await renderInbox(inbox);
    // Four unread older than the page, n2 and n3: not just what this browser holds.
    await bell(6);
    expect(screen.getByText('6 unread')).toBeInTheDocument();
    // The broker delivers what it has recorded.
    const deliver = (id: string) => {
      inbox.ids.push(id);
      act(() => workspace.client().deliver('notifications/alice', note(id, inbox.ids.length - 1)));
    };
    deliver('live');
    await bell(7);

    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n2' }));
    await bell(6);
    await waitFor(() => expect(asked.marks).toEqual([{ account: 'alice@demo', ids: ['n2'] }]));

    // Read on another device meanwhile: n3, and the older ones.
    inbox.read.add('n3');
    inbox.olderUnread = 0;
    vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
    act(() => window.dispatchEvent(new Event('focus')));
    await bell(1); // "live"
    expect(asked.lists).toBe(2);
    expect(screen.getByRole('button', { name: 'Mark read: Title live' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Mark read: Title n3' })).toBeNull();

    // All read: up to the newest listed (the server's 104th, "live": listed since), and what
    // arrived since by id, only that.
    deliver('later');
    await bell(2);
    await userEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await bell(0);
    await waitFor(() => expect(asked.marks).toHaveLength(2));
    expect(asked.marks[1]).toEqual({ account: 'alice@demo', ids: ['later'], upTo: '104' });
    expect(inbox.read).toEqual(new Set(inbox.ids));
  });

  it('keeps a mark that could not get through, shown as read, and sends it when it can', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const inbox: ServerInbox = { ids: ['n1', 'n2'], read: new Set(), olderUnread: 0 };
    const { asked, workspace } = await renderInbox(inbox);
    await bell(2);
    inbox.failMarks = 503;
    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n1' }));
    await bell(1);
    // Tried again at once, twice, before giving up for now.
    await waitFor(() => expect(asked.failedMarks).toBe(3), { timeout: 5_000 });
    expect(useNotificationsStore.getState().unsent.ids).toEqual(['n1']);

    // Back, a while later: the reconnect lists the inbox again, which does not have the mark
    // yet, and sends it again.
    delete inbox.failMarks;
    vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
    act(() => workspace.client().drop());
    await waitFor(() => expect(workspace.factory.clients).toHaveLength(2), { timeout: 5_000 });
    act(() => workspace.client().acceptConnect());
    await waitFor(() => expect(asked.marks).toEqual([{ account: 'alice@demo', ids: ['n1'] }]));
    await waitFor(() => expect(asked.lists).toBe(2));
    expect(screen.getByRole('link', { name: 'Notifications, 1 unread' })).toBeInTheDocument();
    expect(useNotificationsStore.getState().unsent.ids).toEqual([]);
    expect(inbox.read).toEqual(new Set(['n1']));
  });

  it('still pops a desktop notification for a new one only, not for one the inbox listed', async () => {
    const shownOnDesktop: string[] = [];
    class FakeNotification {
      static permission: NotificationPermission = 'granted';
      constructor(title: string) {
        shownOnDesktop.push(title);
      }
    }
    Object.defineProperty(window, 'Notification', { configurable: true, value: FakeNotification });
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    try {
      const inbox: ServerInbox = { ids: ['n1'], read: new Set(['n1']), olderUnread: 0 };
      const { workspace } = await renderInbox(inbox);
      await screen.findByRole('article', { name: 'Title n1' });
      act(() => {
        workspace.client().deliver('notifications/alice', note('n1', 0)); // its queued copy
        workspace.client().deliver('notifications/alice', note('n2', 1));
      });
      await bell(1);
      expect(shownOnDesktop).toEqual(['Title n2']);
    } finally {
      Reflect.deleteProperty(window, 'Notification');
    }
  });

  it('rolls back a mark the server refuses for good, and asks for the inbox again', async () => {
    const inbox: ServerInbox = { ids: ['n1', 'n2'], read: new Set(), olderUnread: 0 };
    const { asked } = await renderInbox(inbox);
    await bell(2);
    inbox.failMarks = 400;
    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n2' }));
    await waitFor(() => expect(asked.failedMarks).toBe(1));
    await bell(2);
    await waitFor(() => expect(asked.lists).toBe(2));
    expect(screen.getByRole('button', { name: 'Mark read: Title n2' })).toBeInTheDocument();
    expect(useNotificationsStore.getState().unsent.ids).toEqual([]);
  });

  it('keeps a mark the server took while an inbox it answered from before the mark was on its way', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const inbox: ServerInbox = { ids: ['n1', 'n2'], read: new Set(), olderUnread: 0 };
    const { asked, workspace, queryClient } = await renderInbox(inbox);
    await bell(2);
    inbox.failMarks = 503;
    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n1' }));
    await waitFor(() => expect(asked.failedMarks).toBe(3), { timeout: 5_000 });
    delete inbox.failMarks;

    // Back, a while later: the mark and the inbox are asked for together. The server lists the inbox as it
    // was before it took the mark, and answers the mark (204) first.
    let listedBeforeMark = () => {};
    const listed = new Promise<void>((resolve) => (listedBeforeMark = resolve));
    let markAnswered = () => {};
    const answered = new Promise<void>((resolve) => (markAnswered = resolve));
    server.use(
      http.get('/api/notifications', async () => {
        asked.lists += 1;
        const before = { ids: [...inbox.ids].reverse(), read: new Set(inbox.read) };
        listedBeforeMark();
        await answered;
        await new Promise((resolve) => setTimeout(resolve, 50)); // the 204 is taken first
        return HttpResponse.json({
          account: 'alice@demo',
          notifications: before.ids.map((id) => ({
            ...note(id, inbox.ids.indexOf(id)),
            read: before.read.has(id),
          })),
          nextCursor: null,
          unread: before.ids.filter((id) => !before.read.has(id)).length,
          newestCursor: '102',
        } satisfies InboxPage);
      }),
      http.post('/api/notifications/read', async ({ request }) => {
        await listed;
        asked.marks.push((await request.json()) as MarkNotificationsReadRequest);
        inbox.read.add('n1');
        markAnswered();
        return new HttpResponse(null, { status: 204 });
      }),
    );
    vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
    act(() => workspace.client().drop());
    await waitFor(() => expect(workspace.factory.clients).toHaveLength(2), { timeout: 5_000 });
    act(() => workspace.client().acceptConnect());
    await waitFor(() => expect(asked.lists).toBe(2));
    await waitFor(() => expect(asked.marks).toHaveLength(1));
    await waitFor(() => expect(useNotificationsStore.getState().unsent.ids).toEqual([]));
    await waitFor(() =>
      expect(queryClient.isFetching({ queryKey: notificationsQueryKey })).toBe(0),
    );
    expect(screen.getByRole('link', { name: 'Notifications, 1 unread' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Mark read: Title n1' })).toBeNull();
  });

  it('neither shows nor keeps another account’s inbox, nor marks it, once another tab signed someone else in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const inbox: ServerInbox = { ids: ['n1', 'n2'], read: new Set(), olderUnread: 0 };
    const { asked, queryClient } = await renderInbox(inbox);
    await bell(2);
    const saved = () => localStorage.getItem(notificationsStorageKey('alice@demo')) ?? '';

    // Bob signs in in another tab: the cookie is his. A mark made here is alice's: refused,
    // kept for her next sign-in, not undone; and the session is asked for again.
    Object.assign(inbox, { session: 'bob@demo', ids: ['b1', 'b2', 'b3'], olderUnread: 4 });
    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n1' }));
    await waitFor(() => expect(asked.failedMarks).toBe(1));
    expect(queryClient.getQueryState(sessionQueryKey)?.isInvalidated).toBe(true);
    expect(inbox.read).toEqual(new Set());
    await bell(1);
    expect(useNotificationsStore.getState().unsent).toEqual({ ids: ['n1'], upTo: null });
    expect(JSON.parse(saved()).unsent).toEqual({ ids: ['n1'], upTo: null });

    // Refocused: bob's inbox answers. Not shown here, nor saved as alice's.
    vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
    act(() => window.dispatchEvent(new Event('focus')));
    await waitFor(() => expect(asked.lists).toBe(2));
    await waitFor(() =>
      expect(queryClient.isFetching({ queryKey: notificationsQueryKey })).toBe(0),
    );
    await bell(1);
    expect(screen.queryByRole('article', { name: 'Title b1' })).toBeNull();
    expect(saved()).not.toContain('b1');
    expect(asked.marks).toEqual([]);
  });

  it('does not take an earlier account’s mark, answered late, off the inbox of whoever signed in since', async () => {
    const inbox: ServerInbox = { ids: ['n1', 'n2'], read: new Set(), olderUnread: 0 };
    const { asked } = await renderInbox(inbox);
    await bell(2);
    let answer = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const posted: string[] = [];
    server.use(
      http.post('/api/notifications/read', async ({ request }) => {
        const body = (await request.json()) as MarkNotificationsReadRequest;
        posted.push(body.account);
        if (body.account !== 'alice@demo') {
          return HttpResponse.json(apiError('session_changed', 'not now'), { status: 409 });
        }
        await answered;
        asked.marks.push(body);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n1' }));
    await waitFor(() => expect(posted).toEqual(['alice@demo']));

    // Signed out, and bob in, while it was on its way; he has a mark of his own, of a
    // notification with the same id (a service's), not sent yet.
    localStorage.setItem(
      notificationsStorageKey('bob@demo'),
      JSON.stringify({ items: [note('n1', 0)], readIds: ['n1'], unsent: { ids: ['n1'] } }),
    );
    act(() => {
      useNotificationsStore.getState().reset();
      useNotificationsStore.getState().load('bob@demo');
    });
    answer();
    // Alice's is taken; then bob's goes out (refused, and kept: the cookie is alice's here).
    await waitFor(() => expect(posted).toEqual(['alice@demo', 'bob@demo']));
    expect(asked.marks).toEqual([{ account: 'alice@demo', ids: ['n1'] }]);
    expect(useNotificationsStore.getState().unsent).toEqual({ ids: ['n1'], upTo: null });
    const savedForBob = localStorage.getItem(notificationsStorageKey('bob@demo')) ?? '{}';
    expect(JSON.parse(savedForBob).unsent).toEqual({ ids: ['n1'] });
  });
});

// The tabs of one browser show the same person's inbox: a read in one is the others' too,
// at once (read-broadcast.ts), not at their next focus or poll. Here the "other tab" is a
// BroadcastChannel of the same name.
describe('notifications read in another tab of this browser', () => {
  const otherTab = new BroadcastChannel(NOTIFICATIONS_READ_CHANNEL);
  const heard: NotificationsReadMessage[] = [];
  otherTab.onmessage = (event: MessageEvent<NotificationsReadMessage>) => heard.push(event.data);
  afterEach(() => {
    heard.length = 0;
  });
  afterAll(() => otherTab.close());

  const tellFromOtherTab = (account: string) =>
    act(() =>
      otherTab.postMessage({ account, from: 'another-tab' } satisfies NotificationsReadMessage),
    );

  it('are read here too, at once: the inbox is asked for again', async () => {
    const inbox: ServerInbox = { ids: ['n1', 'n2', 'n3'], read: new Set(), olderUnread: 2 };
    const { asked } = await renderInbox(inbox);
    await bell(5);

    // Another tab marked n1 read, then all: the server has them, and that tab says so.
    inbox.read.add('n1');
    tellFromOtherTab('alice@demo');
    await bell(4);
    expect(asked.lists).toBe(2);
    expect(screen.queryByRole('button', { name: 'Mark read: Title n1' })).toBeNull();

    inbox.ids.forEach((id) => inbox.read.add(id));
    inbox.olderUnread = 0;
    tellFromOtherTab('alice@demo');
    await bell(0);
    expect(asked.lists).toBe(3);
    expect(screen.getByRole('button', { name: 'Mark all read' })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    expect(screen.queryByRole('button', { name: /^Mark read:/ })).toBeNull();
  });

  it('of another account (signed in there since) ask nothing here', async () => {
    const inbox: ServerInbox = { ids: ['n1'], read: new Set(), olderUnread: 0 };
    const { asked } = await renderInbox(inbox);
    await bell(1);
    tellFromOtherTab('bob@demo');
    act(() => otherTab.postMessage({ account: 'alice@demo' })); // not from a tab of the app
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(asked.lists).toBe(1);
  });

  it('here are told to the other tabs once the server has them', async () => {
    const inbox: ServerInbox = { ids: ['n1', 'n2'], read: new Set(), olderUnread: 0 };
    let take = () => {};
    const taken = new Promise<void>((resolve) => (take = resolve));
    const asked = serve(inbox);
    server.use(
      http.post('/api/notifications/read', async ({ request }) => {
        const body = (await request.json()) as MarkNotificationsReadRequest;
        await taken;
        asked.marks.push(body);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { queryClient } = await renderInboxServed(asked);
    await bell(2);

    await userEvent.click(screen.getByRole('button', { name: 'Mark read: Title n1' }));
    await bell(1);
    // Not before: the inbox they would ask for at once would not have it yet.
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(heard).toEqual([]);
    take();
    await waitFor(() => expect(heard).toHaveLength(1));
    expect(heard[0]).toMatchObject({ account: 'alice@demo' });
    expect(asked.marks).toEqual([{ account: 'alice@demo', ids: ['n1'] }]);
    expect(queryClient.isFetching({ queryKey: notificationsQueryKey })).toBe(0); // nor asks itself

    await userEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(heard).toHaveLength(2));
  });
});
