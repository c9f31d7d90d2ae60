import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { AdminUser } from '../../../../src/client/features/admin/api/get-users';
import { server } from '../../support/msw-server';
import {
  adminUser,
  errorBody,
  forbidden,
  recorder,
  trackRequests,
  usersHandler,
} from './support/admin-api';
import { renderConsole } from './support/render-console';

const usersTable = () => screen.getByRole('table', { name: 'Users of this organisation' });
const rowOf = (user: string) => {
  const header = within(usersTable()).getByRole('rowheader', { name: new RegExp(`^${user}\\b`) });
  const row = header.closest('tr');
  if (!row) throw new Error(`no row for ${user}`);
  return row;
};

function demoUsers(): AdminUser[] {
  return [
    adminUser('admin', { role: 'admin', connections: 1 }),
    adminUser('alice', { connections: 2 }),
    adminUser('agent-01', { role: 'agent' }),
  ];
}

describe('Users', () => {
  it('lists the org’s users with role, status and connections; one’s own row offers no changes', async () => {
    server.use(usersHandler(demoUsers()));
    renderConsole('users');
    await screen.findByRole('table', { name: 'Users of this organisation' });

    const alice = within(rowOf('alice'));
    expect(alice.getByRole('combobox', { name: 'Role of alice' })).toHaveValue('member');
    expect(alice.getByText('Active')).toBeInTheDocument();
    expect(alice.getByRole('cell', { name: '2' })).toBeInTheDocument();
    expect(alice.getByRole('button', { name: 'Disable alice' })).toBeEnabled();
    expect(within(rowOf('agent-01')).getByRole('combobox')).toHaveValue('agent');

    const me = within(rowOf('admin'));
    expect(me.getByText('(you)')).toBeInTheDocument();
    expect(me.getByRole('rowheader', { name: 'admin (you)' })).toBeInTheDocument();
    // The server refuses each (409 cannot_modify_self); each says why it is not offered.
    for (const control of [
      me.getByRole('combobox', { name: 'Role of admin' }),
      me.getByRole('button', { name: 'Disable admin' }),
      me.getByRole('button', { name: 'Delete admin' }),
      me.getByRole('button', { name: 'Reset password of admin' }),
    ]) {
      expect(control).toBeDisabled();
      expect(control).toHaveAccessibleDescription('You cannot change this on your own account');
    }
    // Its extra rules the server lets one change, one's own included.
    expect(me.getByRole('button', { name: /^Extra rules of admin/ })).toBeEnabled();
  });

  it('shows the server’s refusal when the caller is not an admin (403)', async () => {
    server.use(http.get('/api/admin/users', forbidden));
    renderConsole('users');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load users: only an admin of this org can do this (forbidden)',
    );
  });

  it('creates a user with a generated password, shown once with a copy button', async () => {
    const user = userEvent.setup();
    const users = demoUsers();
    const { calls, record } = recorder();
    server.use(
      usersHandler(users),
      http.post('/api/admin/users', async ({ request }) => {
        await record(request);
        const created = adminUser('svc-1', { role: 'service' });
        users.push(created);
        return HttpResponse.json({ ...created, password: 'Gen3ratedPassw0rdXyz' }, { status: 201 });
      }),
    );
    renderConsole('users');
    await screen.findByRole('table');

    await user.type(screen.getByRole('textbox', { name: 'User id' }), 'svc-1');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'Service');
    await user.click(screen.getByRole('button', { name: 'Create user' }));

    const secret = await screen.findByRole('region', { name: 'Password for svc-1' });
    expect(calls).toEqual([
      {
        method: 'POST',
        path: '/api/admin/users',
        search: '',
        body: { user: 'svc-1', role: 'service' },
      },
    ]);
    expect(within(secret).getByLabelText('Password')).toHaveTextContent('Gen3ratedPassw0rdXyz');
    expect(within(secret).getByRole('heading')).toHaveFocus();
    await user.click(within(secret).getByRole('button', { name: 'Copy' }));
    expect(within(secret).getByRole('status')).toHaveTextContent('Copied');
    expect(await navigator.clipboard.readText()).toBe('Gen3ratedPassw0rdXyz');
    // The list is fetched again and shows the new user.
    await waitFor(() => expect(rowOf('svc-1')).toBeInTheDocument());
    expect(screen.getByRole('textbox', { name: 'User id' })).toHaveValue('');

    await user.click(within(secret).getByRole('button', { name: 'Done, hide it' }));
    expect(screen.queryByText('Gen3ratedPassw0rdXyz')).not.toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create user' })).toHaveFocus();
  });

  it('sends a password the admin chose and shows no secret then', async () => {
    const user = userEvent.setup();
    const { calls, record } = recorder();
    server.use(
      usersHandler(demoUsers()),
      http.post('/api/admin/users', async ({ request }) => {
        await record(request);
        return HttpResponse.json(adminUser('dev-1', { role: 'agent' }), { status: 201 });
      }),
    );
    renderConsole('users');
    await user.type(await screen.findByRole('textbox', { name: 'User id' }), 'dev-1');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'Agent');
    await user.type(screen.getByLabelText(/^Password/), 'a-good-password');
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Created dev-1.');
    expect(calls[0]?.body).toEqual({ user: 'dev-1', role: 'agent', password: 'a-good-password' });
    expect(screen.queryByRole('region', { name: /Password for/ })).not.toBeInTheDocument();
  });

  it('checks the user id as it is typed and sends nothing invalid', async () => {
    const user = userEvent.setup();
    server.use(usersHandler(demoUsers()));
    const requests = trackRequests();
    renderConsole('users');
    const id = await screen.findByRole('textbox', { name: 'User id' });

    await user.type(id, 'Bad/Name');
    expect(id).toHaveAttribute('aria-invalid', 'true');
    expect(id).toHaveAccessibleDescription(/lowercase letters, digits/);
    await user.click(screen.getByRole('button', { name: 'Create user' }));

    await user.clear(id);
    expect(id).toHaveAttribute('aria-invalid', 'true'); // empty after a submit attempt
    expect(id).toHaveAccessibleDescription('Give the user an id');
    await user.type(id, 'good-name');
    expect(id).toHaveAttribute('aria-invalid', 'false');
    expect(requests.filter((r) => !r.startsWith('GET'))).toEqual([]);
  });

  it('shows the server’s refusal of a new user’s id at the field (409 user_exists)', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler(demoUsers()),
      http.post('/api/admin/users', () =>
        HttpResponse.json(errorBody('user_exists', 'user "alice" already exists'), {
          status: 409,
        }),
      ),
    );
    renderConsole('users');
    const id = await screen.findByRole('textbox', { name: 'User id' });
    await user.type(id, 'alice');
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    await waitFor(() => expect(id).toHaveAccessibleDescription('user "alice" already exists'));
    expect(id).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument(); // said once, at the field
    await user.type(id, '-2'); // a new id: the old answer no longer applies
    expect(id).toHaveAttribute('aria-invalid', 'false');
  });

  it('shows a refused password at its field (400 invalid_password)', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler(demoUsers()),
      http.post('/api/admin/users', () =>
        HttpResponse.json(errorBody('invalid_password', 'use at least 12 characters'), {
          status: 400,
        }),
      ),
    );
    renderConsole('users');
    await user.type(await screen.findByRole('textbox', { name: 'User id' }), 'dev-2');
    const password = screen.getByLabelText(/^Password/);
    await user.type(password, 'short');
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    await waitFor(() => expect(password).toHaveFocus());
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription('use at least 12 characters');
  });

  it('disables and enables a user, and changes a role', async () => {
    const user = userEvent.setup();
    const users = demoUsers();
    const { calls, record } = recorder();
    server.use(
      usersHandler(users),
      http.patch('/api/admin/users/:user', async ({ request, params }) => {
        await record(request);
        const target = users.find((u) => u.user === params.user);
        if (!target) throw new Error('unknown user');
        Object.assign(target, calls.at(-1)?.body);
        return HttpResponse.json(target);
      }),
    );
    renderConsole('users');
    await screen.findByRole('table');

    await user.click(within(rowOf('alice')).getByRole('button', { name: 'Disable alice' }));
    await within(rowOf('alice')).findByText('Disabled');
    await user.click(within(rowOf('alice')).getByRole('button', { name: 'Enable alice' }));
    await within(rowOf('alice')).findByText('Active');
    await user.selectOptions(
      within(rowOf('alice')).getByRole('combobox', { name: 'Role of alice' }),
      'service',
    );
    await waitFor(() =>
      expect(within(rowOf('alice')).getByRole('combobox')).toHaveValue('service'),
    );
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['PATCH', '/api/admin/users/alice', { disabled: true }],
      ['PATCH', '/api/admin/users/alice', { disabled: false }],
      ['PATCH', '/api/admin/users/alice', { role: 'service' }],
    ]);
  });

  it('shows a 404 when the user is gone meanwhile', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler(demoUsers()),
      http.patch('/api/admin/users/:user', () =>
        HttpResponse.json(errorBody('user_not_found', 'no user "alice" in this org'), {
          status: 404,
        }),
      ),
    );
    renderConsole('users');
    await screen.findByRole('table');
    await user.click(within(rowOf('alice')).getByRole('button', { name: 'Disable alice' }));
    expect(await within(rowOf('alice')).findByRole('alert')).toHaveTextContent(
      'Could not change alice: no user "alice" in this org (user_not_found)',
    );
  });

  it('deletes a user only after confirming; Cancel and Escape leave it', async () => {
    const user = userEvent.setup();
    let users = demoUsers();
    const { calls, record } = recorder();
    server.use(
      http.get('/api/admin/users', () => HttpResponse.json({ users })),
      http.delete('/api/admin/users/:user', async ({ request, params }) => {
        await record(request);
        users = users.filter((u) => u.user !== params.user);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderConsole('users');
    await screen.findByRole('table');

    const deleteButton = within(rowOf('alice')).getByRole('button', { name: 'Delete alice' });
    await user.click(deleteButton);
    const question = within(rowOf('alice')).getByRole('group', { name: /^Delete alice\?/ });
    expect(within(question).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(question).getByRole('button', { name: 'Cancel' }));
    expect(within(rowOf('alice')).getByRole('button', { name: 'Delete alice' })).toHaveFocus();

    await user.click(within(rowOf('alice')).getByRole('button', { name: 'Delete alice' }));
    await user.keyboard('{Escape}');
    expect(within(rowOf('alice')).queryByRole('group')).not.toBeInTheDocument();
    expect(calls).toEqual([]);

    await user.click(within(rowOf('alice')).getByRole('button', { name: 'Delete alice' }));
    await user.click(within(rowOf('alice')).getByRole('button', { name: 'Delete alice' }));
    await waitFor(() =>
      expect(screen.queryByRole('rowheader', { name: 'alice' })).not.toBeInTheDocument(),
    );
    expect(calls.map((c) => [c.method, c.path])).toEqual([['DELETE', '/api/admin/users/alice']]);
  });

  it('resets a password after confirming, shows the new one once, and hiding it puts focus back on the row', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler(demoUsers()),
      http.post('/api/admin/users/:user/password', ({ params }) =>
        HttpResponse.json({ user: params.user, password: 'N3wPasswordForAlice0' }),
      ),
    );
    renderConsole('users');
    await screen.findByRole('table');
    await user.click(
      within(rowOf('alice')).getByRole('button', { name: 'Reset password of alice' }),
    );
    await user.click(within(rowOf('alice')).getByRole('button', { name: 'Reset password' }));
    const secret = await screen.findByRole('region', { name: 'New password for alice' });
    expect(within(secret).getByLabelText('Password')).toHaveTextContent('N3wPasswordForAlice0');
    expect(within(secret).getByRole('heading')).toHaveFocus();

    await user.click(within(secret).getByRole('button', { name: 'Done, hide it' }));
    expect(screen.queryByText('N3wPasswordForAlice0')).not.toBeInTheDocument();
    // Not the section's heading at the top: the keyboard user is back where they were.
    expect(
      within(rowOf('alice')).getByRole('button', { name: 'Reset password of alice' }),
    ).toHaveFocus();
  });
});
