import { screen, waitFor } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import type { IssuedToken } from '../../../../src/client/features/admin/api/get-tokens';
import type { AdminUser } from '../../../../src/client/features/admin/api/get-users';
import type {
  LiveSession,
  StoredSession,
} from '../../../../src/client/features/admin/api/get-sessions';
import { emulateFocusFixup } from '../../support/focus-fixup';
import { server } from '../../support/msw-server';
import { adminUser, T0, usersHandler } from './support/admin-api';
import { renderConsole } from './support/render-console';

// A keyboard or screen-reader user removes something (a user, a token, a session, a
// retained message) from the control that had focus: once it is gone, focus lands on the
// same control of the next row (else the previous one's, else the section's heading),
// never on <body>, and a live region says what was done.
beforeEach(() => emulateFocusFixup());

/** Answers a ConfirmButton's question from the keyboard: Cancel has focus, confirm is before it. */
async function confirmWithKeyboard(user: UserEvent, button: HTMLElement) {
  button.focus();
  await user.keyboard('{Enter}');
  expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
  await user.keyboard('{Shift>}{Tab}{/Shift}{Enter}');
}

const gone = (name: string) =>
  waitFor(() => expect(screen.queryByRole('rowheader', { name })).not.toBeInTheDocument());

describe('focus after a delete user', () => {
  function usersApi(initial: AdminUser[]) {
    let users = initial;
    server.use(
      http.get('/api/admin/users', () => HttpResponse.json({ users })),
      http.delete('/api/admin/users/:user', ({ params }) => {
        users = users.filter((u) => u.user !== params.user);
        return new HttpResponse(null, { status: 204 });
      }),
    );
  }

  it('moves to the next user’s Delete, and says who was deleted', async () => {
    const user = userEvent.setup();
    usersApi([adminUser('admin', { role: 'admin' }), adminUser('alice'), adminUser('bob')]);
    renderConsole('users');
    await confirmWithKeyboard(user, await screen.findByRole('button', { name: 'Delete alice' }));
    await gone('alice');
    expect(screen.getByRole('button', { name: 'Delete bob' })).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Deleted alice.');
  });

  it('moves to the previous user’s Delete when the last row goes', async () => {
    const user = userEvent.setup();
    usersApi([adminUser('admin', { role: 'admin' }), adminUser('alice'), adminUser('bob')]);
    renderConsole('users');
    await confirmWithKeyboard(user, await screen.findByRole('button', { name: 'Delete bob' }));
    await gone('bob');
    expect(screen.getByRole('button', { name: 'Delete alice' })).toHaveFocus();
  });

  it('moves to the heading when no other row can be deleted (one’s own cannot)', async () => {
    const user = userEvent.setup();
    usersApi([adminUser('admin', { role: 'admin' }), adminUser('alice')]);
    renderConsole('users');
    await confirmWithKeyboard(user, await screen.findByRole('button', { name: 'Delete alice' }));
    await gone('alice');
    expect(screen.getByRole('heading', { name: 'Users' })).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Deleted alice.');
  });
});

describe('focus after a revoke token', () => {
  const token = (jti: string, user: string): IssuedToken => ({
    jti,
    user,
    clientId: `${user}-1`,
    issuedAt: T0,
    expiresAt: T0 + 3_600_000,
    connections: 1,
  });

  /** Returns the fake server's list, for a test to change between fetches. */
  function tokensApi(initial: IssuedToken[]): IssuedToken[] {
    const tokens = [...initial];
    server.use(
      usersHandler([adminUser('admin', { role: 'admin' })]),
      http.get('/api/admin/tokens', () => HttpResponse.json({ tokens })),
      http.post('/api/admin/tokens/:jti/revoke', ({ params }) => {
        tokens.splice(
          tokens.findIndex((t) => t.jti === params.jti),
          1,
        );
        return HttpResponse.json({ revoked: [params.jti], disconnected: 1, signedOut: 1 });
      }),
    );
    return tokens;
  }

  it.each([
    ['the next row’s', 'bob', "Revoke carol's token for carol-1"],
    ['the previous row’s, from the last row', 'carol', "Revoke bob's token for bob-1"],
  ])('moves to %s Revoke', async (_, revoked, next) => {
    const user = userEvent.setup();
    tokensApi([token('j1', 'alice'), token('j2', 'bob'), token('j3', 'carol')]);
    renderConsole('tokens');
    const revoke = await screen.findByRole('button', {
      name: `Revoke ${revoked}'s token for ${revoked}-1`,
    });
    revoke.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByText(`${revoked}-1`)).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: next })).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Revoked 1 token; 1 connection closed.');
  });

  it('still finds the next row when newer tokens came in above meanwhile', async () => {
    const user = userEvent.setup();
    const tokens = tokensApi([token('j1', 'alice'), token('j2', 'bob'), token('j3', 'carol')]);
    const { queryClient } = renderConsole('tokens');
    (await screen.findByRole('button', { name: "Revoke bob's token for bob-1" })).focus();
    tokens.unshift(token('j4', 'dave')); // newest first
    await queryClient.invalidateQueries();
    await screen.findByText('dave-1');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByText('bob-1')).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: "Revoke carol's token for carol-1" })).toHaveFocus();
  });

  it('leaves focus alone when it had already left the row on purpose', async () => {
    tokensApi([token('j1', 'alice'), token('j2', 'bob')]);
    const { queryClient } = renderConsole('tokens');
    const revoke = await screen.findByRole('button', { name: "Revoke bob's token for bob-1" });
    revoke.focus();
    revoke.blur(); // a click on the page, say
    server.use(
      http.get('/api/admin/tokens', () => HttpResponse.json({ tokens: [token('j1', 'alice')] })),
    );
    await queryClient.invalidateQueries(); // bob's expired meanwhile
    await waitFor(() => expect(screen.queryByText('bob-1')).not.toBeInTheDocument());
    expect(document.body).toHaveFocus();
  });

  it('moves to the heading when the last token goes', async () => {
    const user = userEvent.setup();
    tokensApi([token('j1', 'alice')]);
    renderConsole('tokens');
    (await screen.findByRole('button', { name: "Revoke alice's token for alice-1" })).focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByText('No live tokens.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Tokens' })).toHaveFocus();
  });
});

describe('focus after a disconnect or clear session', () => {
  const live = (clientId: string, user: string): LiveSession => ({
    clientId,
    user,
    address: '127.0.0.1',
    transport: 'ws',
    secure: false,
    protocolVersion: 4,
    persistent: true,
    connectedAt: T0,
    jti: null,
    expiresAt: null,
    subscriptions: [],
    queued: 0,
  });
  const stored = (clientId: string, user: string): StoredSession => ({
    clientId,
    user,
    subscriptions: [],
    queued: 0,
    lastSeenAt: null,
  });

  function sessionsApi(initial: { live: LiveSession[]; offline: StoredSession[] }) {
    let { live: connected, offline } = initial;
    server.use(
      http.get('/api/admin/sessions', () => HttpResponse.json({ live: connected, offline })),
      http.post('/api/admin/sessions/:clientId/disconnect', ({ params }) => {
        connected = connected.filter((s) => s.clientId !== params.clientId);
        return HttpResponse.json({ disconnected: 1 });
      }),
      http.delete('/api/admin/sessions/:clientId', ({ params }) => {
        offline = offline.filter((s) => s.clientId !== params.clientId);
        return new HttpResponse(null, { status: 204 });
      }),
    );
  }

  it('moves from a disconnected row to the next one’s Disconnect, then to the heading', async () => {
    const user = userEvent.setup();
    sessionsApi({ live: [live('dana-1', 'dana'), live('bob-1', 'bob')], offline: [] });
    renderConsole('sessions');
    (await screen.findByRole('button', { name: 'Disconnect dana-1 (dana)' })).focus();
    await user.keyboard('{Enter}');
    await gone('dana-1');
    expect(screen.getByRole('button', { name: 'Disconnect bob-1 (bob)' })).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Disconnected dana-1 (dana).');

    await user.keyboard('{Enter}');
    await gone('bob-1');
    expect(screen.getByRole('heading', { name: 'Connected (0)' })).toHaveFocus();
  });

  it('moves from a cleared row to the next one’s Clear, then to the heading', async () => {
    const user = userEvent.setup();
    sessionsApi({ live: [], offline: [stored('bob-2', 'bob'), stored('carol-1', 'carol')] });
    renderConsole('sessions');
    await confirmWithKeyboard(
      user,
      await screen.findByRole('button', { name: 'Clear bob-2 (bob)' }),
    );
    await gone('bob-2');
    const next = screen.getByRole('button', { name: 'Clear carol-1 (carol)' });
    expect(next).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Cleared the stored session bob-2 (bob).');

    await confirmWithKeyboard(user, next);
    await gone('carol-1');
    expect(screen.getByRole('heading', { name: 'Away, with a stored session (0)' })).toHaveFocus();
  });
});

describe('focus after a clear retained message', () => {
  it('moves to the section’s heading once the message and its panel are gone', async () => {
    const user = userEvent.setup();
    let messages = [
      { topic: 'agents/a1/state', size: 2, qos: 1, preview: '{}', previewTruncated: false },
    ];
    server.use(
      http.get('/api/admin/retained', () => HttpResponse.json({ messages, truncated: false })),
      http.delete('/api/admin/retained', () => {
        messages = [];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderConsole('retained');
    await user.click(await screen.findByText('agents/'));
    await user.click(screen.getByText('a1/'));
    await user.click(screen.getByRole('button', { name: 'agents/a1/state' }));
    await confirmWithKeyboard(
      user,
      screen.getByRole('button', { name: 'Clear the retained message on agents/a1/state' }),
    );
    expect(await screen.findByText('No retained messages.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Retained messages' })).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent(
      'Cleared the retained message on agents/a1/state.',
    );
  });
});
