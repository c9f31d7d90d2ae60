import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AdminUser } from '../../../../src/client/features/admin/api/get-users';
import { emulateFocusFixup } from '../../support/focus-fixup';
import { server } from '../../support/msw-server';
import { adminUser, errorBody, T0, usersHandler } from './support/admin-api';
import { renderConsole } from './support/render-console';

// A keyboard or screen-reader user acts on a control; while its request runs and after it
// settles, focus stays on that control (or moves to the field the server refused), never
// to <body>. jsdom keeps focus on a disabled control, so the browser's rule is emulated.
beforeEach(() => emulateFocusFixup());

/** An answer held until the test releases it: the request's pending state, observable. */
function held(answer: () => Response | Promise<Response>) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const resolver = async () => {
    await released;
    return answer();
  };
  return { resolver, release: () => release() };
}

/** While its request runs, a control says it is unavailable and keeps focus. */
async function expectFocusKeptWhilePending(control: HTMLElement) {
  await waitFor(() => expect(control).toHaveAttribute('aria-disabled', 'true'));
  expect(control).toHaveFocus();
}

const refusal = (status: number, code: string, message: string) => () =>
  HttpResponse.json(errorBody(code, message), { status });

function rowOf(name: string) {
  const table = screen.getByRole('table', { name: 'Users of this organisation' });
  const row = within(table)
    .getByRole('rowheader', { name: new RegExp(`^${name}\\b`) })
    .closest('tr');
  if (!row) throw new Error(`no row for ${name}`);
  return within(row);
}

function usersApi(): AdminUser[] {
  const users = [adminUser('admin', { role: 'admin' }), adminUser('alice')];
  server.use(
    usersHandler(users),
    http.patch('/api/admin/users/:user', async ({ request, params }) => {
      const target = users.find((u) => u.user === params.user);
      if (!target) throw new Error('unknown user');
      Object.assign(target, await request.json());
      return HttpResponse.json(target);
    }),
  );
  return users;
}

describe('focus while an admin request runs', () => {
  it('stays on Disable/Enable, which ignores presses until its change is done', async () => {
    const user = userEvent.setup();
    const users = usersApi();
    let patches = 0;
    const answer = held(() => {
      const alice = users[1];
      if (!alice) throw new Error('no alice');
      alice.disabled = !alice.disabled;
      return HttpResponse.json(alice);
    });
    server.use(
      http.patch('/api/admin/users/:user', () => {
        patches++;
        return answer.resolver();
      }),
    );
    renderConsole('users');
    await screen.findByRole('table');

    const button = rowOf('alice').getByRole('button', { name: 'Disable alice' });
    button.focus();
    await user.keyboard('{Enter}');
    await expectFocusKeptWhilePending(button);
    await user.keyboard('{Enter}'); // again, while it runs: ignored
    answer.release();
    await rowOf('alice').findByText('Disabled');
    expect(rowOf('alice').getByRole('button', { name: 'Enable alice' })).toHaveFocus();
    expect(patches).toBe(1);

    await user.keyboard('{Enter}');
    await rowOf('alice').findByText('Active');
    expect(rowOf('alice').getByRole('button', { name: 'Disable alice' })).toHaveFocus();
    expect(patches).toBe(2);
  });

  it('stays on the role being changed', async () => {
    const user = userEvent.setup();
    const users = usersApi();
    const answer = held(() => {
      const alice = users[1];
      if (!alice) throw new Error('no alice');
      alice.role = 'service';
      return HttpResponse.json(alice);
    });
    server.use(http.patch('/api/admin/users/:user', answer.resolver));
    renderConsole('users');
    await screen.findByRole('table');
    const role = rowOf('alice').getByRole('combobox', { name: 'Role of alice' });
    await user.selectOptions(role, 'service');
    await expectFocusKeptWhilePending(role);
    answer.release();
    await waitFor(() => expect(role).toHaveValue('service'));
    expect(role).toHaveFocus();
  });

  it('moves to the user id the server refused, described by its answer', async () => {
    const user = userEvent.setup();
    usersApi();
    const answer = held(refusal(409, 'user_exists', 'user "alice" already exists'));
    server.use(http.post('/api/admin/users', answer.resolver));
    renderConsole('users');
    const id = await screen.findByRole('textbox', { name: 'User id' });
    await user.type(id, 'alice');
    const create = screen.getByRole('button', { name: 'Create user' });
    await user.click(create);
    await expectFocusKeptWhilePending(create);
    expect(create).toHaveTextContent('Creating…');
    answer.release();
    await waitFor(() => expect(id).toHaveFocus());
    expect(id).toHaveAttribute('aria-invalid', 'true');
    expect(id).toHaveAccessibleDescription('user "alice" already exists');
  });

  it('stays on Create user when the refusal is not about a field', async () => {
    const user = userEvent.setup();
    usersApi();
    const answer = held(refusal(403, 'forbidden', 'only an admin of this org can do this'));
    server.use(http.post('/api/admin/users', answer.resolver));
    renderConsole('users');
    await user.type(await screen.findByRole('textbox', { name: 'User id' }), 'dave');
    const create = screen.getByRole('button', { name: 'Create user' });
    await user.click(create);
    await expectFocusKeptWhilePending(create);
    answer.release();
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not create the user');
    expect(create).toHaveFocus();
  });

  it('returns to a confirmed action’s button, kept while its request runs', async () => {
    const user = userEvent.setup();
    usersApi();
    const answer = held(refusal(500, 'internal', 'the server failed'));
    server.use(http.delete('/api/admin/users/:user', answer.resolver));
    renderConsole('users');
    await screen.findByRole('table');
    await user.click(rowOf('alice').getByRole('button', { name: 'Delete alice' }));
    await user.click(rowOf('alice').getByRole('button', { name: 'Delete alice' })); // confirm
    const busy = rowOf('alice').getByRole('button', { name: 'Delete alice' });
    expect(busy).toHaveTextContent('Working…');
    await expectFocusKeptWhilePending(busy);
    answer.release();
    expect(await rowOf('alice').findByRole('alert')).toHaveTextContent('Could not change alice');
    expect(rowOf('alice').getByRole('button', { name: 'Delete alice' })).toHaveFocus();
  });

  it('in the rules editor: stays on Save, then moves to the rule the server refused', async () => {
    const user = userEvent.setup();
    const answer = held(() =>
      HttpResponse.json(
        errorBody('invalid_rule', 'rule 1: reserved', { index: 1, reason: 'reserved' }),
        { status: 400 },
      ),
    );
    server.use(
      usersHandler([
        adminUser('carol', {
          rules: [
            { permission: 'allow', action: 'subscribe', topic: 'sensors/#' },
            { permission: 'allow', action: 'subscribe', topic: 'reserved/#' },
          ],
        }),
      ]),
      http.put('/api/admin/users/:user/rules', answer.resolver),
    );
    renderConsole('users');
    await user.click(await screen.findByRole('button', { name: /^Extra rules of carol/ }));
    const panel = screen.getByRole('region', { name: 'Extra rules for carol' });

    // Moved to the top, a rule's Move up button keeps focus (and does nothing more).
    const moveUp = within(panel).getByRole('button', { name: 'Move rule 2 up' });
    await user.click(moveUp);
    expect(moveUp).toHaveAccessibleName('Move rule 1 up');
    expect(moveUp).toHaveAttribute('aria-disabled', 'true');
    expect(moveUp).toHaveFocus();
    await user.click(moveUp);
    expect(within(panel).getByRole('textbox', { name: 'Rule 1 Topic filter' })).toHaveValue(
      'reserved/#',
    );
    await user.click(within(panel).getByRole('button', { name: 'Move rule 1 down' }));

    const save = within(panel).getByRole('button', { name: 'Save rules' });
    await user.click(save);
    await expectFocusKeptWhilePending(save);
    answer.release();
    const refusedTopic = within(panel).getByRole('textbox', { name: 'Rule 2 Topic filter' });
    await waitFor(() => expect(refusedTopic).toHaveFocus());
    expect(refusedTopic).toHaveAccessibleDescription('The server refused this rule: reserved');
  });

  it('stays on Check in the ACL checker', async () => {
    const user = userEvent.setup();
    usersApi();
    const answer = held(() =>
      HttpResponse.json({
        allowed: true,
        rule: { permission: 'allow', action: 'publish', topic: 'chat/+/messages' },
        excluded: [],
        clientIdRules: [],
        source: 'role',
        role: 'member',
        disabled: false,
      }),
    );
    server.use(http.post('/api/admin/acl-check', answer.resolver));
    renderConsole('acl');
    await screen.findByRole('option', { name: 'alice' });
    await user.type(screen.getByRole('textbox', { name: /^Topic/ }), 'chat/general/messages');
    const check = screen.getByRole('button', { name: 'Check' });
    await user.click(check);
    await expectFocusKeptWhilePending(check);
    answer.release();
    await screen.findByRole('region', { name: 'Answer' });
    expect(check).toHaveFocus();
  });

  it('stays on Disconnect in Sessions when it fails', async () => {
    const user = userEvent.setup();
    const answer = held(refusal(404, 'session_not_found', 'no such connection'));
    server.use(
      http.get('/api/admin/sessions', () =>
        HttpResponse.json({
          live: [
            {
              clientId: 'alice-1',
              user: 'alice',
              address: '127.0.0.1',
              transport: 'ws',
              secure: false,
              protocolVersion: 4,
              persistent: true,
              connectedAt: T0,
              jti: 'j1',
              expiresAt: T0 + 3_600_000,
              subscriptions: [],
              queued: 0,
            },
          ],
          offline: [],
        }),
      ),
      http.post('/api/admin/sessions/:clientId/disconnect', answer.resolver),
    );
    renderConsole('sessions');
    const disconnect = await screen.findByRole('button', { name: 'Disconnect alice-1 (alice)' });
    await user.click(disconnect);
    await expectFocusKeptWhilePending(disconnect);
    answer.release();
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not disconnect');
    expect(disconnect).toHaveFocus();
  });

  it('stays on Revoke in Tokens when it fails', async () => {
    const user = userEvent.setup();
    usersApi();
    const answer = held(refusal(404, 'token_not_found', 'no such token in this org'));
    server.use(
      http.get('/api/admin/tokens', () =>
        HttpResponse.json({
          tokens: [
            {
              jti: 'j1',
              user: 'alice',
              clientId: 'alice-1',
              issuedAt: T0,
              expiresAt: T0 + 3_600_000,
              connections: 1,
            },
          ],
        }),
      ),
      http.post('/api/admin/tokens/:jti/revoke', answer.resolver),
    );
    renderConsole('tokens');
    const revoke = await screen.findByRole('button', { name: "Revoke alice's token for alice-1" });
    await user.click(revoke);
    await expectFocusKeptWhilePending(revoke);
    answer.release();
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not revoke');
    expect(revoke).toHaveFocus();
  });
});
