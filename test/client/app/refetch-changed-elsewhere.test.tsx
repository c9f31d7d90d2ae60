import { QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  POLL_INTERVAL_MS,
  RECOUNT_DELAY_MS,
  RECOUNT_GAP_MS,
  REFETCH_AFTER_MS,
  REFUSAL_REFETCH_GAP_MS,
  useRefetchChangedElsewhere,
} from '../../../src/client/app/use-refetch-changed-elsewhere';
import { useSignOutRequest } from '../../../src/client/features/auth/api/delete-session';
import { sessionQueryKey } from '../../../src/client/features/auth/api/get-session';
import { RoomList } from '../../../src/client/features/chat/components/room-list';
import {
  COUNTED_QUEUE_WINDOW_MS,
  useChatStore,
} from '../../../src/client/features/chat/stores/chat-store';
import { apiFetch } from '../../../src/client/lib/api/api-fetch';
import type { UnreadCounts } from '../../../src/shared/unread-api';
import { ALICE, apiError, roomHref } from '../support/fixtures';
import { server } from '../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../support/render';

/** What the server has now; each test changes it as someone elsewhere would. */
interface ServerState {
  role: string;
  rooms: string[];
  unread: Record<string, number>;
  /** GET /api/unread refuses (403). */
  unreadRefused?: boolean;
}

function serve(state: ServerState) {
  const asked = { session: 0, rooms: 0, unread: 0 };
  server.use(
    http.get('/api/session', () => {
      asked.session += 1;
      return HttpResponse.json({ ...ALICE, role: state.role });
    }),
    http.get('/api/rooms', () => {
      asked.rooms += 1;
      return HttpResponse.json({ rooms: state.rooms.map((id) => ({ id, name: id })) });
    }),
    http.get('/api/unread', () => {
      asked.unread += 1;
      if (state.unreadRefused) {
        return HttpResponse.json(apiError('forbidden', 'no'), { status: 403 });
      }
      return HttpResponse.json({
        asOf: Date.now(),
        rooms: Object.entries(state.unread).map(([room, unread]) => ({ room, unread })),
      } satisfies UnreadCounts);
    }),
  );
  return asked;
}

function Refetching() {
  useRefetchChangedElsewhere();
  return <RoomList activeRoom={null} roomHref={roomHref} onOpenRoom={() => {}} />;
}

async function renderRefetching(state: ServerState, options?: { random(): number }) {
  const asked = serve(state);
  const workspace = await connectTestWorkspace(options);
  const view = renderWithWorkspace(<Refetching />, { connection: workspace.connection });
  await waitFor(() => expect(asked).toEqual({ session: 0, rooms: 1, unread: 1 }));
  return { asked, workspace, view };
}

/** Whether the page is shown; and tells the page it changed. */
function showPage(visible: boolean) {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue(visible ? 'visible' : 'hidden');
  act(() => document.dispatchEvent(new Event('visibilitychange')));
}

/** Long enough for a request that was going to be made to have been answered. */
const settle = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 50)));

/** Only the clock the data is dated by moves; HTTP and the UI keep real timers. */
function useFakeDate() {
  vi.useFakeTimers({ toFake: ['Date'] });
  return (ms: number) => vi.setSystemTime(Date.now() + ms);
}

describe('what changes elsewhere', () => {
  it('is asked for again when the page is shown again, or its window focused, once it is older than REFETCH_AFTER_MS', async () => {
    const later = useFakeDate();
    const state: ServerState = { role: 'member', rooms: ['general'], unread: { general: 1 } };
    const { asked } = await renderRefetching(state);
    expect(await screen.findByRole('link', { name: '# general 1 unread' })).toBeInTheDocument();

    // Back at once: nothing is old enough to ask for.
    showPage(false);
    showPage(true);
    act(() => window.dispatchEvent(new Event('focus')));
    await settle();
    expect(asked).toEqual({ session: 0, rooms: 1, unread: 1 });

    // Meanwhile a room was created, and general read on another device.
    state.rooms = ['general', 'incident'];
    state.unread = { general: 0, incident: 0 };
    later(REFETCH_AFTER_MS);
    showPage(false);
    await settle();
    expect(asked).toEqual({ session: 0, rooms: 1, unread: 1 }); // hidden: nobody to show it to
    showPage(true);
    expect(await screen.findByRole('link', { name: '# incident' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '# general' })).toBeInTheDocument();
    expect(asked).toEqual({ session: 1, rooms: 2, unread: 2 });

    // The focus that follows a tab switch asks nothing more.
    act(() => window.dispatchEvent(new Event('focus')));
    await settle();
    expect(asked).toEqual({ session: 1, rooms: 2, unread: 2 });

    later(REFETCH_AFTER_MS);
    act(() => window.dispatchEvent(new Event('focus')));
    await waitFor(() => expect(asked).toEqual({ session: 2, rooms: 3, unread: 3 }));
  });

  it('is asked for again when the broker connection is back after a drop: messages read, or missed, meanwhile', async () => {
    const later = useFakeDate();
    const state: ServerState = { role: 'member', rooms: ['general'], unread: { general: 3 } };
    const { asked, workspace } = await renderRefetching(state, { random: () => 0 });
    expect(await screen.findByRole('link', { name: '# general 3 unread' })).toBeInTheDocument();

    act(() => workspace.client().drop());
    // While away: two read on another device, and five more past what the broker queued.
    state.unread = { general: 6 };
    later(REFETCH_AFTER_MS);
    await waitFor(() => expect(workspace.factory.clients).toHaveLength(2), { timeout: 3_000 });
    expect(asked).toEqual({ session: 0, rooms: 1, unread: 1 });
    act(() => workspace.client().acceptConnect());
    expect(await screen.findByRole('link', { name: '# general 6 unread' })).toBeInTheDocument();
    expect(asked).toEqual({ session: 1, rooms: 2, unread: 2 });
  });

  it(`is asked for every ${POLL_INTERVAL_MS / 60_000} minutes while the page is shown, and not while it is hidden`, async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('visible');
    const state: ServerState = { role: 'member', rooms: ['general'], unread: {} };
    const { asked } = await renderRefetching(state);

    act(() => vi.advanceTimersByTime(POLL_INTERVAL_MS - 1));
    await settle();
    expect(asked).toEqual({ session: 0, rooms: 1, unread: 1 });
    act(() => vi.advanceTimersByTime(1));
    await vi.waitFor(() => expect(asked).toEqual({ session: 1, rooms: 2, unread: 2 }));

    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    act(() => vi.advanceTimersByTime(POLL_INTERVAL_MS));
    await settle();
    expect(asked).toEqual({ session: 1, rooms: 2, unread: 2 });
  });

  it('is asked for again when the server refuses a request (the role or rules may be narrower now), but never because one of its own was refused', async () => {
    const later = useFakeDate();
    const state: ServerState = { role: 'member', rooms: ['general'], unread: {} };
    const { asked, view } = await renderRefetching(state);
    server.use(
      http.get('/api/admin/users', () =>
        HttpResponse.json(apiError('forbidden', 'admins only'), { status: 403 }),
      ),
      http.put('/api/rooms/general/read', () =>
        HttpResponse.json(apiError('forbidden', 'not allowed'), { status: 403 }),
      ),
    );
    const queryClient = view.queryClient;
    later(REFETCH_AFTER_MS);
    await act(() =>
      queryClient
        .query({ queryKey: ['admin', 'users'], queryFn: () => apiFetch('/api/admin/users') })
        .catch(() => {}),
    );
    await waitFor(() => expect(asked).toEqual({ session: 1, rooms: 2, unread: 2 }));

    later(REFETCH_AFTER_MS);
    const markRead = queryClient.getMutationCache().build(queryClient, {
      mutationFn: () =>
        apiFetch('/api/rooms/general/read', { method: 'PUT', body: { upTo: ['m'] } }),
    });
    await act(() => markRead.execute(undefined).catch(() => {}));
    await waitFor(() => expect(asked).toEqual({ session: 2, rooms: 3, unread: 3 }));

    // Its own refusal would only ask for itself again, and again.
    state.unreadRefused = true;
    later(REFETCH_AFTER_MS);
    showPage(true);
    await waitFor(() => expect(asked).toEqual({ session: 3, rooms: 4, unread: 4 }));
    await settle();
    expect(asked).toEqual({ session: 3, rooms: 4, unread: 4 });
  });

  it(`is asked for at a refusal however fresh it is, at most once per ${REFUSAL_REFETCH_GAP_MS / 1_000} s: one refused sooner is put off, not dropped`, async () => {
    const state: ServerState = { role: 'member', rooms: ['general'], unread: {} };
    const { asked, view } = await renderRefetching(state);
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    server.use(
      http.get('/api/people', () =>
        HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 }),
      ),
    );
    const refused = (key: string) =>
      act(() =>
        view.queryClient
          .query({ queryKey: [key], queryFn: () => apiFetch('/api/people') })
          .catch(() => {}),
      );

    vi.setSystemTime(Date.now() + 10_000); // well within REFETCH_AFTER_MS of the answers
    await refused('first');
    await vi.waitFor(() => expect(asked).toEqual({ session: 1, rooms: 2, unread: 2 }));

    // A burst: put off to the end of the gap, then asked for once.
    await refused('second');
    await refused('third');
    await act(() => vi.advanceTimersByTimeAsync(REFUSAL_REFETCH_GAP_MS - 100));
    expect(asked).toEqual({ session: 1, rooms: 2, unread: 2 });
    await act(() => vi.advanceTimersByTimeAsync(100));
    await vi.waitFor(() => expect(asked).toEqual({ session: 2, rooms: 3, unread: 3 }));
    await act(() => vi.advanceTimersByTimeAsync(REFUSAL_REFETCH_GAP_MS));
    expect(asked).toEqual({ session: 2, rooms: 3, unread: 3 });
  });

  it('asks again at a refusal even while a request that left before the change is on its way', async () => {
    const later = useFakeDate();
    const state: ServerState = { role: 'member', rooms: ['general', 'payroll'], unread: {} };
    const { asked, view } = await renderRefetching(state);
    await screen.findByRole('link', { name: /payroll/ });
    // The room list's next answer is the one of when it was asked, and slow to come.
    let answerSlowOne = () => {};
    server.use(
      http.get('/api/rooms', async () => {
        asked.rooms += 1;
        const rooms = state.rooms.map((id) => ({ id, name: id }));
        if (asked.rooms === 2) await new Promise<void>((resolve) => (answerSlowOne = resolve));
        return HttpResponse.json({ rooms });
      }),
      http.get('/api/people', () =>
        HttpResponse.json(apiError('forbidden', 'not allowed'), { status: 403 }),
      ),
    );
    later(REFETCH_AFTER_MS);
    act(() => window.dispatchEvent(new Event('focus')));
    await waitFor(() => expect(asked.rooms).toBe(2));

    state.rooms = ['general']; // payroll's access removed after that request left
    await act(() =>
      view.queryClient
        .query({ queryKey: ['people'], queryFn: () => apiFetch('/api/people') })
        .catch(() => {}),
    );
    await waitFor(() => expect(asked.rooms).toBe(3));
    answerSlowOne();
    await waitFor(() =>
      expect(screen.queryByRole('link', { name: /payroll/ })).not.toBeInTheDocument(),
    );
  });

  it('asks for nothing at a refusal once signed out: sign-out refused (ended elsewhere) makes no requests', async () => {
    const later = useFakeDate();
    const state: ServerState = { role: 'member', rooms: ['general'], unread: {} };
    const { asked, view } = await renderRefetching(state);
    server.use(
      http.delete('/api/session', () =>
        HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 }),
      ),
    );
    later(REFETCH_AFTER_MS);
    const { result } = renderHook(() => useSignOutRequest(), {
      wrapper: ({ children }) => (
        <QueryClientProvider client={view.queryClient}>{children}</QueryClientProvider>
      ),
    });
    await act(() => result.current.mutateAsync().catch(() => {}));
    await settle();
    expect(view.queryClient.getQueryData(sessionQueryKey)).toBeNull();
    expect(asked).toEqual({ session: 0, rooms: 1, unread: 1 });
  });

  it(`asks for the unread counts again ${RECOUNT_DELAY_MS / 1_000} s after a live message they may lack (written offline, a slow clock), at most once per ${RECOUNT_GAP_MS / 1_000} s, and only in their window for queued messages`, async () => {
    const state: ServerState = { role: 'member', rooms: ['general', 'ops'], unread: { ops: 0 } };
    const { asked, workspace } = await renderRefetching(state);
    expect(await screen.findByRole('link', { name: '# ops' })).toBeInTheDocument();
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const askedAt: number[] = [];
    server.use(
      http.get('/api/unread', () => {
        asked.unread += 1;
        askedAt.push(Date.now());
        return HttpResponse.json({
          asOf: Date.now(),
          rooms: Object.entries(state.unread).map(([room, unread]) => ({ room, unread })),
        } satisfies UnreadCounts);
      }),
    );
    const deliver = (id: string, sentAt: number) =>
      act(() => {
        workspace.client().deliver('chat/ops/messages', { id, from: 'bob', text: id, sentAt });
      });

    // Written offline 40 s ago, recorded just now, after the counts: they lack it, though
    // its date says otherwise.
    state.unread = { ops: 1 };
    deliver('offline', Date.now() - 40_000);
    await act(() => vi.advanceTimersByTimeAsync(RECOUNT_DELAY_MS - 1));
    expect(askedAt).toHaveLength(0);
    expect(screen.getByRole('link', { name: '# ops' })).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(1));
    await vi.waitFor(() =>
      expect(screen.getByRole('link', { name: '# ops 1 unread' })).toBeInTheDocument(),
    );
    expect(askedAt).toHaveLength(1);

    // A slow clock, message after message: one question per gap, however many.
    state.unread = { ops: 3 };
    deliver('slow1', Date.now() - 10_000);
    deliver('slow2', Date.now() - 10_000);
    await act(() => vi.advanceTimersByTimeAsync(RECOUNT_GAP_MS));
    await vi.waitFor(() =>
      expect(screen.getByRole('link', { name: '# ops 3 unread' })).toBeInTheDocument(),
    );
    expect(askedAt).toHaveLength(2);
    expect((askedAt[1] ?? 0) - (askedAt[0] ?? 0)).toBeGreaterThanOrEqual(RECOUNT_GAP_MS);

    // Recounts keep the window of the counts they check: once it is over, what such a
    // sender writes counts as it comes, and nothing more is asked.
    await act(() => vi.advanceTimersByTimeAsync(COUNTED_QUEUE_WINDOW_MS));
    deliver('slow3', Date.now() - 10_000);
    expect(screen.getByRole('link', { name: '# ops 4 unread' })).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(RECOUNT_GAP_MS * 2));
    expect(asked).toEqual({ session: 0, rooms: 1, unread: 3 });
  });

  it('takes the unread counts asked for after a reconnect as counts, with a window for the queue, even with a doubt not yet asked about', async () => {
    const later = useFakeDate();
    const state: ServerState = { role: 'member', rooms: ['general', 'ops'], unread: { ops: 0 } };
    const { asked, workspace } = await renderRefetching(state, { random: () => 0 });
    expect(await screen.findByRole('link', { name: '# ops' })).toBeInTheDocument();
    const deliver = (id: string, sentAt: number) =>
      act(() => {
        workspace.client().deliver('chat/ops/messages', { id, from: 'bob', text: id, sentAt });
      });

    // At the end of the counts' window, one they may lack; then the connection drops before
    // a recount is asked.
    later(COUNTED_QUEUE_WINDOW_MS - 100);
    state.unread = { ops: 1 };
    deliver('offline', Date.now() - 40_000);
    expect(useChatStore.getState().countsInDoubt).toBe(1);
    act(() => workspace.client().drop());
    later(REFETCH_AFTER_MS);
    await waitFor(() => expect(workspace.factory.clients).toHaveLength(2), { timeout: 3_000 });
    act(() => workspace.client().acceptConnect());
    expect(await screen.findByRole('link', { name: '# ops 1 unread' })).toBeInTheDocument();
    await settle();
    expect(asked.unread).toBe(2);

    // The queue the broker kept: in those counts already.
    deliver('queued', Date.now() - 10_000);
    expect(screen.getByRole('link', { name: '# ops 1 unread' })).toBeInTheDocument();
  });
});
