import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { App } from '../../../../src/client/app/app';
import { resetWorkspaceStores } from '../../../../src/client/app/reset-stores';
import { useChatStore } from '../../../../src/client/features/chat/stores/chat-store';
import {
  notificationsStorageKey,
  useNotificationsStore,
} from '../../../../src/client/features/notifications/stores/notifications-store';
import { FakeMqttFactory } from '../../support/fake-mqtt';
import { ALICE, apiError, tokenFor } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { createTestQueryClient } from '../../support/render';

const LAZY_LOAD_MS = 15_000; // the first lazy import transforms the whole workspace

function serveWorkspace(tokenRequests: unknown[] = []) {
  server.use(
    http.post('/api/token', async ({ request }) => {
      const body = (await request.json()) as { clientId: string };
      tokenRequests.push(body);
      return HttpResponse.json(tokenFor('alice', body.clientId));
    }),
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
    http.get('/api/notifications', () =>
      HttpResponse.json({ notifications: [], nextCursor: null }),
    ),
  );
}

function renderApp(factory: FakeMqttFactory) {
  return render(
    <QueryClientProvider client={createTestQueryClient()}>
      <App createClient={factory.create} />
    </QueryClientProvider>,
  );
}

describe('sign-in', () => {
  it('signs in, loads the workspace and connects with a per-tab client id', async () => {
    const signIns: unknown[] = [];
    const tokenRequests: unknown[] = [];
    server.use(
      http.get('/api/session', () =>
        HttpResponse.json(apiError('not_signed_in', 'Sign in first'), { status: 401 }),
      ),
      http.post('/api/session', async ({ request }) => {
        signIns.push(await request.json());
        return HttpResponse.json(ALICE);
      }),
    );
    serveWorkspace(tokenRequests);
    const factory = new FakeMqttFactory({ autoConnect: true, autoAck: true });
    renderApp(factory);

    const user = userEvent.setup();
    await user.type(await screen.findByRole('textbox', { name: 'Username' }), 'Alice@demo');
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(
      await screen.findByRole('button', { name: 'Sign out' }, { timeout: LAZY_LOAD_MS }),
    ).toBeInTheDocument();
    expect(signIns).toEqual([{ username: 'alice@demo', password: 'secret' }]);
    await waitFor(() => expect(screen.getByText('Connected')).toBeInTheDocument());
    expect(tokenRequests).toEqual([{ clientId: expect.stringMatching(/^alice-[0-9a-f]{12}$/) }]);
    expect(factory.last.options.clientId).toBe((tokenRequests[0] as { clientId: string }).clientId);
    expect(sessionStorage.getItem('switchboard:client-id')).toBe(factory.last.options.clientId);
  });

  it('shows the error and stays on the form when the credentials are wrong', async () => {
    server.use(
      http.get('/api/session', () =>
        HttpResponse.json(apiError('not_signed_in', 'Sign in first'), { status: 401 }),
      ),
      http.post('/api/session', () =>
        HttpResponse.json(apiError('invalid_credentials', 'Invalid username or password'), {
          status: 401,
        }),
      ),
    );
    renderApp(new FakeMqttFactory());
    const user = userEvent.setup();
    await user.type(await screen.findByRole('textbox', { name: 'Username' }), 'alice@demo');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(screen.getByRole('textbox', { name: 'Username' })).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('explains rate limiting', async () => {
    server.use(
      http.get('/api/session', () =>
        HttpResponse.json(apiError('not_signed_in', 'Sign in first'), { status: 401 }),
      ),
      http.post('/api/session', () =>
        HttpResponse.json(apiError('rate_limited', 'Slow down'), { status: 429 }),
      ),
    );
    renderApp(new FakeMqttFactory());
    const user = userEvent.setup();
    await user.type(await screen.findByRole('textbox', { name: 'Username' }), 'alice@demo');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts');
  });

  it.each([
    {
      account: 'a disabled account',
      code: 'account_disabled',
      said: 'This account is disabled. Ask an admin of your organisation to enable it.',
    },
    {
      account: 'an agent or service account',
      code: 'not_an_app_account',
      said: 'This is an agent or service account: it connects over MQTT with its password and cannot sign in to the app.',
    },
  ])(
    'says in a sentence that $account cannot sign in, and marks no field',
    async ({ code, said }) => {
      server.use(
        http.get('/api/session', () =>
          HttpResponse.json(apiError('not_signed_in', 'Sign in first'), { status: 401 }),
        ),
        http.post('/api/session', () =>
          HttpResponse.json(apiError(code, 'the server says so'), { status: 403 }),
        ),
      );
      renderApp(new FakeMqttFactory());
      const user = userEvent.setup();
      await user.type(await screen.findByRole('textbox', { name: 'Username' }), 'alice@demo');
      await user.type(screen.getByLabelText('Password'), 'right');
      await user.click(screen.getByRole('button', { name: 'Sign in' }));
      expect(await screen.findByRole('alert')).toHaveTextContent(said);
      expect(screen.getByRole('textbox', { name: 'Username' })).not.toHaveAttribute('aria-invalid');
      expect(screen.getByLabelText('Password')).not.toHaveAttribute('aria-invalid');
    },
  );

  it.each([
    {
      name: 'nothing typed',
      typed: { username: '', password: '' },
      said: 'Use your name and organisation, for example alice@demo. Enter your password too.',
      invalid: { username: true, password: true },
    },
    {
      name: 'no password',
      typed: { username: 'alice@demo', password: '' },
      said: 'Enter your password.',
      invalid: { username: false, password: true },
    },
    {
      name: 'no organisation',
      typed: { username: 'alice', password: 'pw' },
      said: 'Use your name and organisation, for example alice@demo.',
      invalid: { username: true, password: false },
    },
  ])('says what each field lacks and marks only those: $name', async ({ typed, said, invalid }) => {
    server.use(
      http.get('/api/session', () =>
        HttpResponse.json(apiError('not_signed_in', 'Sign in first'), { status: 401 }),
      ),
    );
    renderApp(new FakeMqttFactory());
    const user = userEvent.setup();
    const username = await screen.findByRole('textbox', { name: 'Username' });
    if (typed.username) await user.type(username, typed.username);
    if (typed.password) await user.type(screen.getByLabelText('Password'), typed.password);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent(said, { normalizeWhitespace: true });
    expect(username.getAttribute('aria-invalid') === 'true').toBe(invalid.username);
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid') === 'true').toBe(
      invalid.password,
    );
  });

  it('checks the username format before asking the server', async () => {
    let posts = 0;
    server.use(
      http.get('/api/session', () =>
        HttpResponse.json(apiError('not_signed_in', 'Sign in first'), { status: 401 }),
      ),
      http.post('/api/session', () => {
        posts += 1;
        return HttpResponse.json(ALICE);
      }),
    );
    renderApp(new FakeMqttFactory());
    const user = userEvent.setup();
    await user.type(await screen.findByRole('textbox', { name: 'Username' }), 'alice');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent('for example alice@demo');
    expect(posts).toBe(0);
  });

  it('returns to sign-in with a notice when the broker refuses a fresh token too', async () => {
    server.use(http.get('/api/session', () => HttpResponse.json(ALICE)));
    const tokenRequests: unknown[] = [];
    serveWorkspace(tokenRequests);
    const factory = new FakeMqttFactory();
    renderApp(factory);
    await screen.findByRole('button', { name: 'Sign out' }, { timeout: LAZY_LOAD_MS });

    await waitFor(() => expect(factory.clients).toHaveLength(1));
    act(() => factory.last.refuse(5));
    await waitFor(() => expect(factory.clients).toHaveLength(2));
    act(() => factory.last.refuse(5));

    expect(await screen.findByRole('textbox', { name: 'Username' })).toBeInTheDocument();
    expect(screen.getByText('Your session has ended. Please sign in again.')).toBeInTheDocument();
    expect(tokenRequests).toHaveLength(2);
  });

  it('asks before signing out with a message still unsent, and keeps it when told to stay', async () => {
    server.use(
      http.get('/api/session', () => HttpResponse.json(ALICE)),
      http.delete('/api/session', () => new HttpResponse(null, { status: 204 })),
      http.get('/api/rooms/general/messages', () =>
        HttpResponse.json({ messages: [], nextCursor: null }),
      ),
    );
    serveWorkspace();
    // The broker never acknowledges: what is written stays in the outbox.
    const factory = new FakeMqttFactory({ autoConnect: true, autoAck: false });
    renderApp(factory);
    const user = userEvent.setup();
    const nav = await screen.findByRole(
      'navigation',
      { name: 'Workspace' },
      { timeout: LAZY_LOAD_MS },
    );
    await user.click(await within(nav).findByRole('link', { name: '# general' }));
    await user.type(
      await screen.findByRole('textbox', { name: 'Message #general' }),
      'not yet sent{Enter}',
    );

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    const warning = screen.getByRole('alertdialog');
    expect(warning).toHaveTextContent('1 message or command is not sent yet and will be lost.');
    expect(screen.getByRole('button', { name: 'Stay' })).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Stay' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(screen.getByText('not yet sent')).toBeInTheDocument();

    const main = document.querySelector('main');
    expect(main).not.toHaveAttribute('inert');
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await user.click(screen.getByRole('button', { name: 'Sign out anyway' }));
    // While it signs out, nothing more can be written: it would be cleared with the outbox.
    expect(main).toHaveAttribute('inert');
    // Presence "offline" is never acknowledged either: signing out waits it out, then goes.
    expect(
      await screen.findByRole('textbox', { name: 'Username' }, { timeout: LAZY_LOAD_MS }),
    ).toBeInTheDocument();
  });

  it('signs out: presence offline first, then the session is deleted', async () => {
    const order: string[] = [];
    server.use(
      http.get('/api/session', () => HttpResponse.json(ALICE)),
      http.delete('/api/session', () => {
        order.push('DELETE /api/session');
        return new HttpResponse(null, { status: 204 });
      }),
    );
    serveWorkspace();
    const factory = new FakeMqttFactory({ autoConnect: true, autoAck: true });
    renderApp(factory);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Sign out' }, { timeout: LAZY_LOAD_MS }),
    );

    expect(await screen.findByRole('textbox', { name: 'Username' })).toBeInTheDocument();
    const client = factory.last;
    const presence = client
      .publishedOn(`presence/alice/${client.options.clientId}`)
      .map((p) => JSON.parse(p.payload).status);
    expect(presence).toEqual(['online', 'offline']);
    expect(client.ended).toEqual({ force: false });
    expect(order).toEqual(['DELETE /api/session']);
  });
  it("keeps an account's inbox and unsent messages to itself: alice of another org gets none", async () => {
    // What alice@demo left in this browser: a notification, and a message still unsent.
    const demoInbox = { id: 'n1', title: 'Demo payroll approved', body: '', createdAt: 1 };
    localStorage.setItem(
      notificationsStorageKey('alice@demo'),
      JSON.stringify({ items: [demoInbox], readIds: [] }),
    );
    const unsent = { id: 'm1', from: 'alice', text: 'demo only', sentAt: 2 };
    sessionStorage.setItem(
      'switchboard:outbox:alice@demo',
      JSON.stringify([
        {
          id: 'm1',
          topic: 'chat/general/messages',
          payload: JSON.stringify(unsent),
          qos: 1,
          retain: false,
        },
      ]),
    );
    const signInAs = async (org: string) => {
      server.use(http.get('/api/session', () => HttpResponse.json({ ...ALICE, org })));
      serveWorkspace();
      // The server's inbox would replace the browser's copy: this is about the copy.
      server.use(http.get('/api/notifications', () => delay('infinite')));
      const factory = new FakeMqttFactory({ autoConnect: true, autoAck: true });
      const view = renderApp(factory);
      await screen.findByRole('button', { name: 'Sign out' }, { timeout: LAZY_LOAD_MS });
      await waitFor(() => expect(screen.getByText('Connected')).toBeInTheDocument());
      return { factory, view };
    };

    const acme = await signInAs('acme');
    expect(useNotificationsStore.getState().items).toEqual([]);
    expect(acme.factory.last.publishedOn('chat/general/messages')).toEqual([]);
    expect(useChatStore.getState().live.general?.toArray() ?? []).toEqual([]);
    acme.view.unmount();
    resetWorkspaceStores();

    // The same browser as alice@demo again: both are still there, and the message goes out.
    const demo = await signInAs('demo');
    expect(useNotificationsStore.getState().items).toEqual([demoInbox]);
    await waitFor(() =>
      expect(demo.factory.last.publishedOn('chat/general/messages').map((p) => p.payload)).toEqual([
        JSON.stringify(unsent),
      ]),
    );
  });
});
