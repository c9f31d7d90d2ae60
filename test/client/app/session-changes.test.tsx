import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../../src/client/app/app';
import { REFETCH_AFTER_MS } from '../../../src/client/app/use-refetch-changed-elsewhere';
import { sessionQueryKey, type Session } from '../../../src/client/features/auth/api/get-session';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { adminUser, usersHandler } from '../features/admin/support/admin-api';
import { FakeMqttFactory } from '../support/fake-mqtt';
import { ALICE, apiError, tokenFor } from '../support/fixtures';
import { server } from '../support/msw-server';
import { createTestQueryClient } from '../support/render';

// The session as the server has it (GET /api/session) changes without a word over MQTT:
// an admin changes a role, the person signs out in another tab, or someone else signs in
// there. An open app follows when it asks again (use-refetch-changed-elsewhere.ts).

const LAZY_LOAD_MS = 15_000; // the first lazy import transforms the whole workspace
const SOON_AFTER_MS = 10_000; // well within REFETCH_AFTER_MS of the last session answer
const ADMIN: Session = { user: 'dana', org: 'demo', role: 'admin' };
const BOB: Session = { user: 'bob', org: 'demo', role: 'member' };

/** GET /api/session answers whatever `answer()` gives at the time. */
function serveWorkspace(answer: () => Response) {
  server.use(
    http.get('/api/session', answer),
    http.post('/api/token', async ({ request }) => {
      const { clientId } = (await request.json()) as { clientId: string };
      return HttpResponse.json(tokenFor(clientId.replace(/-.*/, ''), clientId));
    }),
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
    http.get('/api/notifications', () =>
      HttpResponse.json({ notifications: [], nextCursor: null }),
    ),
    usersHandler([adminUser('dana', { role: 'admin' })]),
  );
}

/** The app, signed in as `session` (as after a reload), at `url`. */
async function openApp(session: Session, url = '/') {
  window.history.replaceState(null, '', url);
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(sessionQueryKey, session);
  const factory = new FakeMqttFactory({ autoConnect: true, autoAck: true });
  render(
    <QueryClientProvider client={queryClient}>
      <App createClient={factory.create} />
    </QueryClientProvider>,
  );
  await screen.findByRole('button', { name: 'Sign out' }, { timeout: LAZY_LOAD_MS });
  await waitFor(() => expect(screen.getByText('Connected')).toBeInTheDocument());
  return { factory, queryClient };
}

const nav = () => within(screen.getByRole('navigation', { name: 'Workspace' }));
const viewHeading = () => within(screen.getByRole('main')).getAllByRole('heading', { level: 2 })[0];

/** The console's code is a chunk of its own, loaded (and, here, transformed) on demand. */
const findAdminHeading = () =>
  screen.findByRole('heading', { name: 'Admin', level: 2 }, { timeout: LAZY_LOAD_MS });

/** The session, now older than REFETCH_AFTER_MS, is asked for again as the window is focused. */
function returnLater() {
  vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
  act(() => window.dispatchEvent(new Event('focus')));
}

describe('the session changed elsewhere', () => {
  it('takes an admin made a member out of the admin console, and offers it no more', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let role = 'admin';
    serveWorkspace(() => HttpResponse.json({ ...ADMIN, role }));
    await openApp(ADMIN, '/#/admin');
    expect(await findAdminHeading()).toBeInTheDocument();
    expect(nav().getByRole('link', { name: 'Admin' })).toBeInTheDocument();

    role = 'member';
    returnLater();
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Welcome'));
    expect(nav().queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
    expect(window.location.hash).toBe('');
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  }, 30_000);

  it('takes them out as soon as the console is refused, without waiting for a focus', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    serveWorkspace(() => HttpResponse.json({ ...ADMIN, role: 'member' }));
    server.use(
      http.get('/api/admin/users', () =>
        HttpResponse.json(apiError('forbidden', 'only an admin of this org can do this'), {
          status: 403,
        }),
      ),
    );
    await openApp(ADMIN);
    // However fresh the last answer: the refusal says it is out of date.
    vi.setSystemTime(Date.now() + SOON_AFTER_MS);
    act(() => nav().getByRole('link', { name: 'Admin' }).click());
    expect(await findAdminHeading()).toBeInTheDocument();
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Welcome'));
    expect(nav().queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
    expect(window.location.hash).toBe('');
  }, 30_000);

  it('keeps the workspace when the session cannot be asked for (the server unreachable for a moment)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let reachable = true;
    const asked: string[] = [];
    serveWorkspace(() => {
      asked.push(reachable ? 'answered' : 'failed');
      return reachable
        ? HttpResponse.json(ALICE)
        : HttpResponse.json(apiError('unavailable', 'restarting'), { status: 503 });
    });
    await openApp(ALICE);
    reachable = false;
    returnLater();
    await waitFor(() => expect(asked).toEqual(['failed']));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(screen.queryByText(/The server cannot be reached/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  }, 30_000);

  it('returns to the sign-in page, saying why, once signed out elsewhere, and forgets what was shown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let signedIn = true;
    serveWorkspace(() =>
      signedIn
        ? HttpResponse.json(ALICE)
        : HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 }),
    );
    const { factory } = await openApp(ALICE);
    act(() =>
      factory.last.deliver('chat/general/messages', {
        id: 'g1',
        from: 'bob',
        text: 'hi',
        sentAt: 1,
      }),
    );
    await waitFor(() => expect(useChatStore.getState().live.general?.length).toBe(1));

    signedIn = false;
    returnLater();
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(
      'Your session has ended. Please sign in again.',
    );
    expect(useChatStore.getState().live).toEqual({});
    expect(factory.last.ended).toEqual({ force: true });
  }, 30_000);

  it('returns to the sign-in page when a request is refused soon after the session was last asked for', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let signedIn = true;
    serveWorkspace(() =>
      signedIn
        ? HttpResponse.json(ALICE)
        : HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 }),
    );
    server.use(
      http.get('/api/people', () =>
        HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 }),
      ),
    );
    await openApp(ALICE);

    signedIn = false; // in another tab
    vi.setSystemTime(Date.now() + SOON_AFTER_MS);
    act(() => nav().getByRole('link', { name: 'People' }).click());
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(
      'Your session has ended. Please sign in again.',
    );
  }, 30_000);

  it('opens a workspace of its own for the same user id in another org: nothing typed in the one before stays', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let session = ALICE;
    serveWorkspace(() => HttpResponse.json(session));
    await openApp(ALICE);
    const user = userEvent.setup();
    await user.click(screen.getByText('New room'));
    await user.type(screen.getByRole('textbox', { name: 'Room id' }), 'acme-plans');

    session = { ...ALICE, org: 'acme' };
    returnLater();
    await waitFor(() => expect(screen.getByTitle('alice@acme')).toBeInTheDocument());
    expect(screen.getByRole('textbox', { name: 'Room id', hidden: true })).toHaveValue('');
  }, 30_000);

  it('opens the workspace of whoever signed in elsewhere, with nothing of the one before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let session = ALICE;
    serveWorkspace(() => HttpResponse.json(session));
    const { factory } = await openApp(ALICE);
    act(() =>
      factory.last.deliver('chat/general/messages', {
        id: 'g1',
        from: 'bob',
        text: 'hi',
        sentAt: 1,
      }),
    );
    await waitFor(() => expect(useChatStore.getState().live.general?.length).toBe(1));
    const alices = factory.last;

    session = BOB;
    // Each change to the chat store from here: the rooms it has, and whether alice's
    // connection (which could still bring her messages) had ended by then.
    const changes: Array<{ rooms: number; connectionEnded: boolean }> = [];
    const unsubscribe = useChatStore.subscribe((state) =>
      changes.push({ rooms: Object.keys(state.live).length, connectionEnded: !!alices.ended }),
    );
    returnLater();
    await waitFor(() => expect(screen.getByTitle('bob@demo')).toBeInTheDocument());
    unsubscribe();
    expect(alices.ended).toEqual({ force: true });
    expect(useChatStore.getState().me).toBe('bob');
    expect(useChatStore.getState().live).toEqual({});
    // Emptied first, before anything of bob's, with nothing more of alice's to come.
    expect(changes[0]).toEqual({ rooms: 0, connectionEnded: true });
  }, 30_000);
});
