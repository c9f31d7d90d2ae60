import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/client/app/app';
import { sessionQueryKey, type Session } from '../../../src/client/features/auth/api/get-session';
import {
  SESSION_CHANNEL,
  type SessionChange,
  type SessionMessage,
} from '../../../src/client/features/auth/lib/session-broadcast';
import { readDraft, saveDraft } from '../../../src/client/features/chat/lib/draft-storage';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { FakeMqttFactory } from '../support/fake-mqtt';
import { ALICE, apiError, tokenFor } from '../support/fixtures';
import { server } from '../support/msw-server';
import { createTestQueryClient } from '../support/render';

// The tabs of one browser share its session cookie: a sign-out (or sign-in) in one is the
// others' too, and they follow at once (session-broadcast.ts), not at their next focus or
// poll. Here the "other tab" is a BroadcastChannel of the same name.

const LAZY_LOAD_MS = 15_000; // the first lazy import transforms the whole workspace

const otherTab = new BroadcastChannel(SESSION_CHANNEL);
const heard: SessionMessage[] = [];
otherTab.onmessage = (event: MessageEvent<SessionMessage>) => heard.push(event.data);
afterEach(() => {
  heard.length = 0;
});
afterAll(() => otherTab.close());

const tellFromOtherTab = (change: SessionChange) =>
  act(() => otherTab.postMessage({ change, from: 'another-tab' } satisfies SessionMessage));

/** GET /api/session answers what `answer()` gives at the time; counts the requests. */
function serveWorkspace(answer: () => Session | null) {
  const asked = { session: 0 };
  server.use(
    http.get('/api/session', () => {
      asked.session += 1;
      const session = answer();
      return session
        ? HttpResponse.json(session)
        : HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 });
    }),
    http.delete('/api/session', () => new HttpResponse(null, { status: 204 })),
    http.post('/api/token', async ({ request }) => {
      const { clientId } = (await request.json()) as { clientId: string };
      return HttpResponse.json(tokenFor(clientId.replace(/-.*/, ''), clientId));
    }),
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
  );
  return asked;
}

/** The app, with the session already known as `session` (as after a reload). */
function renderApp(session: Session | null) {
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(sessionQueryKey, session);
  const factory = new FakeMqttFactory({ autoConnect: true, autoAck: true });
  render(
    <QueryClientProvider client={queryClient}>
      <App createClient={factory.create} />
    </QueryClientProvider>,
  );
  return factory;
}

async function openWorkspace() {
  await screen.findByRole('button', { name: 'Sign out' }, { timeout: LAZY_LOAD_MS });
  await waitFor(() => expect(screen.getByText('Connected')).toBeInTheDocument());
}

describe('another tab of this browser', () => {
  it('signed out: this one asks for the session at once and leaves for the sign-in page', async () => {
    let signedIn = true;
    const asked = serveWorkspace(() => (signedIn ? ALICE : null));
    const factory = renderApp(ALICE);
    await openWorkspace();
    act(() =>
      factory.last.deliver('chat/general/messages', {
        id: 'g1',
        from: 'bob',
        text: 'hi',
        sentAt: 1,
      }),
    );
    await waitFor(() => expect(useChatStore.getState().live.general?.length).toBe(1));
    expect(asked.session).toBe(0);

    signedIn = false;
    tellFromOtherTab('signed-out');
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(asked.session).toBe(1);
    expect(screen.getByRole('status')).toHaveTextContent(
      'Your session has ended. Please sign in again.',
    );
    expect(factory.last.ended).toEqual({ force: true }); // nothing more of alice's arrives
    expect(useChatStore.getState().live).toEqual({});
  }, 30_000);

  it('signed out: this one forgets the drafts it kept, as its own sign-out does', async () => {
    let signedIn = true;
    serveWorkspace(() => (signedIn ? ALICE : null));
    saveDraft(sessionStorage, 'alice@demo', 'general', 'half a thought');
    renderApp(ALICE);
    await openWorkspace();
    expect(readDraft(sessionStorage, 'alice@demo', 'general')).toBe('half a thought');

    signedIn = false;
    tellFromOtherTab('signed-out');
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(readDraft(sessionStorage, 'alice@demo', 'general')).toBe('');
    expect(Object.keys(sessionStorage).filter((key) => key.includes('draft'))).toEqual([]);
  }, 30_000);

  it('signed in: this one’s sign-in page opens the workspace of whoever it was', async () => {
    let session: Session | null = null;
    serveWorkspace(() => session);
    renderApp(null);
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();

    session = ALICE;
    tellFromOtherTab('signed-in');
    await openWorkspace();
    expect(screen.getByTitle('alice@demo')).toBeInTheDocument();
  }, 30_000);

  it('signed in while this one signs in as someone else: this one’s own answer wins', async () => {
    const bob: Session = { user: 'bob', org: 'demo', role: 'member' };
    let cookie: Session | null = null;
    let releasePost = () => {};
    let releaseGet = () => {};
    const postHeld = new Promise<void>((resolve) => (releasePost = resolve));
    const getHeld = new Promise<void>((resolve) => (releaseGet = resolve));
    let getsSent = 0;
    serveWorkspace(() => cookie);
    server.use(
      http.post('/api/session', async () => {
        await postHeld;
        cookie = bob;
        return HttpResponse.json(bob);
      }),
      // What the cookie said as the request left, answered only later.
      http.get('/api/session', async () => {
        const sentWith = cookie;
        getsSent += 1;
        await getHeld;
        return sentWith
          ? HttpResponse.json(sentWith)
          : HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 });
      }),
    );
    renderApp(null);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'bob@demo');
    await user.type(screen.getByLabelText('Password'), 'a-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    cookie = ALICE; // alice signs in in another tab
    tellFromOtherTab('signed-in');
    await waitFor(() => expect(getsSent).toBe(1)); // left with alice's cookie
    releasePost(); // this tab's sign-in lands: the cookie is bob's
    await openWorkspace();
    releaseGet();
    await act(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(screen.getByTitle('bob@demo')).toBeInTheDocument();
  }, 30_000);

  it('is told when this one signs out, once the server has answered, and this one is not', async () => {
    let signedIn = true;
    let signedOutWhenTold: boolean | null = null;
    const asked = serveWorkspace(() => (signedIn ? ALICE : null));
    server.use(
      http.delete('/api/session', () => {
        signedIn = false;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    otherTab.addEventListener('message', () => (signedOutWhenTold ??= !signedIn), { once: true });
    renderApp(ALICE);
    await openWorkspace();

    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    await waitFor(() =>
      expect(heard).toEqual([{ change: 'signed-out', from: expect.any(String) }]),
    );
    expect(signedOutWhenTold).toBe(true);
    // Its own message does not send this tab asking for what it already knows.
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(asked.session).toBe(0);
  }, 30_000);
});
