import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../../src/client/app/app';
import { REFETCH_AFTER_MS } from '../../../src/client/app/use-refetch-changed-elsewhere';
import type { Session } from '../../../src/client/features/auth/api/get-session';
import { readDraft } from '../../../src/client/features/chat/lib/draft-storage';
import { FakeMqttFactory } from '../support/fake-mqtt';
import { ALICE, apiError, tokenFor } from '../support/fixtures';
import { server } from '../support/msw-server';
import { createTestQueryClient } from '../support/render';

// A sign-in the person did not end (an admin revoked its tokens or disabled the account,
// or it expired) is not a sign-out: the room they were in and what they had typed in it
// wait for them to sign back in. Not for anyone else signing in in this tab.

const LAZY_LOAD_MS = 15_000; // the first lazy import transforms the whole workspace
const BOB: Session = { user: 'bob', org: 'demo', role: 'member' };
const DRAFT = 'half a thought';

/** The server, whose session cookie is `cookie.session` (null: none). */
function serveWorkspace(cookie: { session: Session | null }) {
  server.use(
    http.get('/api/session', () =>
      cookie.session
        ? HttpResponse.json(cookie.session)
        : HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 }),
    ),
    http.post('/api/token', async ({ request }) => {
      const { clientId } = (await request.json()) as { clientId: string };
      return HttpResponse.json(tokenFor(clientId.replace(/-.*/, ''), clientId));
    }),
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
    http.get('/api/rooms/general/messages', () =>
      HttpResponse.json({ messages: [], nextCursor: null }),
    ),
    http.get('/api/notifications', () =>
      HttpResponse.json({ notifications: [], nextCursor: null }),
    ),
  );
}

const composer = () => screen.getByRole('textbox', { name: 'Message #general' });

/** Alice in #general (as after a reload there), with `DRAFT` typed and not sent. */
async function aliceTypingInGeneral(cookie: { session: Session | null }) {
  cookie.session = ALICE;
  serveWorkspace(cookie);
  window.history.replaceState(null, '', '/#/rooms/general');
  const factory = new FakeMqttFactory();
  render(
    <QueryClientProvider client={createTestQueryClient()}>
      <App createClient={factory.create} />
    </QueryClientProvider>,
  );
  await screen.findByRole('textbox', { name: 'Message #general' }, { timeout: LAZY_LOAD_MS });
  await userEvent.type(composer(), DRAFT);
  return factory;
}

/** The ways a sign-in ends without a sign-out, as the app finds out. */
const ENDINGS = {
  'the broker refuses a fresh token (tokens revoked, or expired)': async (
    factory: FakeMqttFactory,
  ) => {
    await waitFor(() => expect(factory.clients).toHaveLength(1));
    act(() => factory.last.refuse(5));
    await waitFor(() => expect(factory.clients).toHaveLength(2));
    act(() => factory.last.refuse(5));
  },
  'the session, asked for again, is gone (the account disabled)': async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + REFETCH_AFTER_MS);
    act(() => window.dispatchEvent(new Event('focus')));
  },
};

async function signInOnThePage(username: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByRole('textbox', { name: 'Username' }), username);
  await user.type(screen.getByLabelText('Password'), 'secret');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('button', { name: 'Sign out' }, { timeout: LAZY_LOAD_MS });
}

describe.each(Object.entries(ENDINGS))('a sign-in ended by the server: %s', (_name, end) => {
  it('keeps the room and the draft for the same person signing back in', async () => {
    const cookie: { session: Session | null } = { session: null };
    const factory = await aliceTypingInGeneral(cookie);
    cookie.session = null;
    await end(factory);
    expect(await screen.findByRole('textbox', { name: 'Username' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Your session has ended.');
    expect(window.location.hash).toBe('#/rooms/general');

    server.use(http.post('/api/session', () => HttpResponse.json(ALICE)));
    cookie.session = ALICE;
    await signInOnThePage('alice@demo');
    expect(window.location.hash).toBe('#/rooms/general');
    expect(await screen.findByRole('textbox', { name: 'Message #general' })).toHaveValue(DRAFT);
  }, 30_000);

  it('shows someone else signing in neither, and keeps no draft of the one before', async () => {
    const cookie: { session: Session | null } = { session: null };
    const factory = await aliceTypingInGeneral(cookie);
    cookie.session = null;
    await end(factory);
    await screen.findByRole('textbox', { name: 'Username' });

    server.use(http.post('/api/session', () => HttpResponse.json(BOB)));
    cookie.session = BOB;
    await signInOnThePage('bob@demo');
    await waitFor(() => expect(window.location.hash).toBe('')); // Welcome
    expect(screen.queryByRole('textbox', { name: 'Message #general' })).toBeNull();
    expect(readDraft(sessionStorage, 'alice@demo', 'general')).toBe('');
    expect(Object.keys(sessionStorage).filter((key) => key.includes('draft'))).toEqual([]);

    const nav = within(screen.getByRole('navigation', { name: 'Workspace' }));
    await userEvent.click(await nav.findByRole('link', { name: '# general' }));
    expect(await screen.findByRole('textbox', { name: 'Message #general' })).toHaveValue('');
  }, 30_000);
});
