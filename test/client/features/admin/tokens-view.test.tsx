import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { IssuedToken } from '../../../../src/client/features/admin/api/get-tokens';
import type { Revocation } from '../../../../src/client/features/admin/api/revoke-token';
import { describeRevocation } from '../../../../src/client/features/admin/components/tokens/tokens-view';
import { server } from '../../support/msw-server';
import { adminUser, errorBody, recorder, T0, usersHandler } from './support/admin-api';
import { renderConsole } from './support/render-console';

const HOUR_MS = 3_600_000;
const token = (jti: string, user: string, clientId: string, connections = 1): IssuedToken => ({
  jti,
  user,
  clientId,
  issuedAt: T0,
  expiresAt: T0 + HOUR_MS,
  connections,
});

/** A fake of GET /tokens (with ?user=) over a list the revocation handlers change. */
function tokensApi(initial: IssuedToken[]) {
  let tokens = [...initial];
  const { calls, record } = recorder();
  server.use(
    usersHandler([adminUser('admin', { role: 'admin' }), adminUser('alice'), adminUser('bob')]),
    http.get('/api/admin/tokens', async ({ request }) => {
      await record(request);
      const user = new URL(request.url).searchParams.get('user');
      return HttpResponse.json({ tokens: tokens.filter((t) => user === null || t.user === user) });
    }),
    http.post('/api/admin/tokens/:jti/revoke', async ({ request, params }) => {
      await record(request);
      const found = tokens.find((t) => t.jti === params.jti);
      if (!found) {
        return HttpResponse.json(errorBody('token_not_found', 'no such token in this org'), {
          status: 404,
        });
      }
      tokens = tokens.filter((t) => t !== found);
      // The sign-in that minted it ends with it.
      return HttpResponse.json({
        revoked: [found.jti],
        disconnected: found.connections,
        signedOut: 1,
      });
    }),
    http.post('/api/admin/users/:user/revoke-tokens', async ({ request, params }) => {
      await record(request);
      const mine = tokens.filter((t) => t.user === params.user);
      tokens = tokens.filter((t) => t.user !== params.user);
      return HttpResponse.json({
        revoked: mine.map((t) => t.jti),
        disconnected: mine.reduce((n, t) => n + t.connections, 0),
        signedOut: 2, // their laptop's and their phone's
      });
    }),
  );
  return calls;
}

const table = () => screen.getByRole('table', { name: 'Live tokens' });
const rowOfClient = (clientId: string) => {
  const row = within(table()).getByText(clientId).closest('tr');
  if (!row) throw new Error(`no row for ${clientId}`);
  return row;
};

describe('Tokens', () => {
  it('lists live tokens with user, client, issue and expiry times and connections', async () => {
    tokensApi([token('j1', 'alice', 'alice-laptop', 2), token('j2', 'bob', 'bob-phone', 0)]);
    renderConsole('tokens');
    await screen.findByRole('table', { name: 'Live tokens' });
    const row = within(rowOfClient('alice-laptop'));
    expect(row.getByRole('rowheader')).toHaveTextContent('alice');
    expect(row.getByRole('cell', { name: '2' })).toBeInTheDocument();
    const times = rowOfClient('alice-laptop').querySelectorAll('time');
    expect([...times].map((t) => t.dateTime)).toEqual([
      new Date(T0).toISOString(),
      new Date(T0 + HOUR_MS).toISOString(),
    ]);
    expect(within(rowOfClient('bob-phone')).getByRole('rowheader')).toHaveTextContent('bob');
  });

  it('revokes one token and says how many connections closed', async () => {
    const user = userEvent.setup();
    const calls = tokensApi([token('j1', 'alice', 'alice-laptop'), token('j2', 'bob', 'bob-1')]);
    renderConsole('tokens');
    await screen.findByRole('table');
    await user.click(screen.getByRole('button', { name: "Revoke alice's token for alice-laptop" }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Revoked 1 token; 1 connection closed. 1 sign-in ended: the app signs in again only with the password.',
    );
    await waitFor(() => expect(screen.queryByText('alice-laptop')).not.toBeInTheDocument());
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/admin/tokens/j1/revoke',
    ]);
  });

  it('narrows to one user and revokes all of theirs after confirming', async () => {
    const user = userEvent.setup();
    const calls = tokensApi([
      token('j1', 'alice', 'alice-laptop'),
      token('j2', 'alice', 'alice-phone'),
      token('j3', 'bob', 'bob-1'),
    ]);
    renderConsole('tokens');
    await screen.findByRole('option', { name: 'alice' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'User' }), 'alice');
    await waitFor(() => expect(screen.queryByText('bob-1')).not.toBeInTheDocument());
    expect(calls.some((c) => c.search === '?user=alice')).toBe(true);

    await user.click(screen.getByRole('button', { name: "Revoke all of alice's tokens" }));
    await user.click(screen.getByRole('button', { name: 'Revoke all' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Revoked 2 tokens; 2 connections closed. 2 sign-ins ended: the app signs in again only with the password.',
    );
    expect(await screen.findByText('No live tokens for alice.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/admin/users/alice/revoke-tokens',
    ]);
  });

  it('shows a 404 for a token that is already gone', async () => {
    const user = userEvent.setup();
    tokensApi([token('j1', 'alice', 'alice-laptop')]);
    server.use(
      http.post('/api/admin/tokens/:jti/revoke', () =>
        HttpResponse.json(errorBody('token_not_found', 'no such token in this org'), {
          status: 404,
        }),
      ),
    );
    renderConsole('tokens');
    await user.click(
      await screen.findByRole('button', { name: "Revoke alice's token for alice-laptop" }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "Could not revoke alice's token for alice-laptop: no such token in this org (token_not_found)",
    );
  });

  it('says a token is no longer live, and the stale row leaves the list', async () => {
    const user = userEvent.setup();
    tokensApi([]);
    let live = true; // expired since the list was fetched
    server.use(
      http.get('/api/admin/tokens', () =>
        HttpResponse.json({
          tokens: [
            ...(live ? [token('j1', 'alice', 'alice-laptop')] : []),
            token('j2', 'bob', 'bob-1'),
          ],
        }),
      ),
      http.post('/api/admin/tokens/:jti/revoke', () => {
        live = false;
        return HttpResponse.json(
          errorBody('token_not_live', 'this token has already expired or been revoked'),
          { status: 409 },
        );
      }),
    );
    renderConsole('tokens');
    await user.click(
      await screen.findByRole('button', { name: "Revoke alice's token for alice-laptop" }),
    );
    await waitFor(() => expect(screen.queryByText('alice-laptop')).not.toBeInTheDocument());
    expect(screen.getByRole('alert')).toHaveTextContent(
      "Could not revoke alice's token for alice-laptop: this token has already expired or been revoked (token_not_live)",
    );
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('shows the refusal of a token of the admin’s own sign-in, in place of an earlier result', async () => {
    const user = userEvent.setup();
    tokensApi([token('j1', 'alice', 'alice-laptop'), token('mine', 'admin', 'admin-tab')]);
    renderConsole('tokens');
    await user.click(
      await screen.findByRole('button', { name: "Revoke alice's token for alice-laptop" }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent('Revoked 1 token');
    server.use(
      http.post('/api/admin/tokens/mine/revoke', () =>
        HttpResponse.json(
          errorBody(
            'cannot_modify_self',
            'you cannot revoke a token of the sign-in you are using; it would sign you out',
          ),
          { status: 409 },
        ),
      ),
    );
    await user.click(screen.getByRole('button', { name: "Revoke admin's token for admin-tab" }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "Could not revoke admin's token for admin-tab: you cannot revoke a token of the sign-in you are using; it would sign you out (cannot_modify_self)",
    );
    // Nothing left saying a revocation went through, and the token still listed.
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(within(table()).getByText('admin-tab')).toBeInTheDocument();
  });

  it('does not offer to revoke all of the admin’s own tokens, and says why', async () => {
    const user = userEvent.setup();
    const calls = tokensApi([token('mine', 'admin', 'admin-tab')]);
    renderConsole('tokens');
    await screen.findByRole('option', { name: 'admin' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'User' }), 'alice');
    expect(screen.getByRole('button', { name: "Revoke all of alice's tokens" })).toBeEnabled();

    await user.selectOptions(screen.getByRole('combobox', { name: 'User' }), 'admin');
    const revokeAll = screen.getByRole('button', { name: "Revoke all of admin's tokens" });
    expect(revokeAll).toBeDisabled();
    const note =
      'You cannot revoke all of your own tokens: it would end this sign-in. Revoke the others one by one, or sign out.';
    expect(revokeAll).toHaveAccessibleDescription(note);
    // On the page too: a disabled button's tooltip is out of a keyboard's reach.
    expect(screen.getByText(note)).toBeVisible();
    await user.click(revokeAll);
    expect(screen.queryByRole('button', { name: 'Revoke all' })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('does not offer to revoke a token of the admin’s current sign-in, only of their others', async () => {
    tokensApi([
      { ...token('this-tab', 'admin', 'admin-tab'), currentSignIn: true },
      { ...token('lost-phone', 'admin', 'admin-phone'), currentSignIn: false },
    ]);
    renderConsole('tokens');
    const mine = await screen.findByRole('button', { name: "Revoke admin's token for admin-tab" });
    expect(mine).toBeDisabled();
    expect(mine).toHaveAccessibleDescription(
      'You cannot revoke your own sign-in here; sign out instead',
    );
    expect(within(rowOfClient('admin-tab')).getByText('(this sign-in)')).toBeVisible();
    expect(
      within(rowOfClient('admin-tab')).getByRole('cell', { name: 'admin-tab (this sign-in)' }),
    ).toBeInTheDocument();
    const phone = screen.getByRole('button', { name: "Revoke admin's token for admin-phone" });
    expect(phone).toBeEnabled();
    expect(phone).not.toHaveAccessibleDescription();
    expect(within(rowOfClient('admin-phone')).queryByText('(this sign-in)')).toBeNull();
  });
});

describe('describeRevocation', () => {
  const revocation = (revoked: number, disconnected: number, signedOut?: number): Revocation => ({
    revoked: Array.from({ length: revoked }, (_, i) => `j${i}`),
    disconnected,
    ...(signedOut === undefined ? {} : { signedOut }),
  });
  it.each([
    [
      revocation(1, 1, 1),
      'Revoked 1 token; 1 connection closed. 1 sign-in ended: the app signs in again only with the password.',
    ],
    [
      revocation(3, 2, 2),
      'Revoked 3 tokens; 2 connections closed. 2 sign-ins ended: the app signs in again only with the password.',
    ],
    // A token whose sign-in is not known (minted before that was recorded) is revoked alone.
    [revocation(1, 0, 0), 'Revoked 1 token; 0 connections closed.'],
    // A server older than signedOut.
    [revocation(2, 1), 'Revoked 2 tokens; 1 connection closed.'],
  ])('%o: %s', (result, sentence) => {
    expect(describeRevocation(result)).toBe(sentence);
  });
});
