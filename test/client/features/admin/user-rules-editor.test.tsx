import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '../../support/msw-server';
import { adminUser, errorBody, recorder, trackRequests, usersHandler } from './support/admin-api';
import { renderConsole } from './support/render-console';

const editor = () => screen.getByRole('region', { name: 'Extra rules for carol' });

async function openEditor(user: ReturnType<typeof userEvent.setup>) {
  renderConsole('users');
  await user.click(await screen.findByRole('button', { name: /^Extra rules of carol/ }));
  return editor();
}

const carol = adminUser('carol', {
  rules: [{ permission: 'allow', action: 'subscribe', topic: 'sensors/#' }],
  connections: 1,
});

describe('extra ACL rules', () => {
  it('edits, orders and saves a user’s rules, and says what changed live', async () => {
    const user = userEvent.setup();
    const { calls, record } = recorder();
    server.use(
      usersHandler([carol]),
      http.put('/api/admin/users/:user/rules', async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          user: 'carol',
          rules: calls.at(-1)?.body,
          connections: 1,
          removedSubscriptions: ['chat/+/+'],
        });
      }),
    );
    const panel = await openEditor(user);
    expect(within(panel).getByRole('heading', { name: 'Extra rules for carol' })).toHaveFocus();
    expect(within(panel).getByRole('textbox', { name: 'Rule 1 Topic filter' })).toHaveValue(
      'sensors/#',
    );

    await user.click(within(panel).getByRole('button', { name: 'Add a rule' }));
    await user.selectOptions(within(panel).getByRole('combobox', { name: 'Rule 2 Action' }), 'all');
    await user.type(
      within(panel).getByRole('textbox', { name: 'Rule 2 Topic filter' }),
      'chat/general/+',
    );
    // First match wins: the deny goes first.
    await user.click(within(panel).getByRole('button', { name: 'Move rule 2 up' }));
    expect(within(panel).getByRole('textbox', { name: 'Rule 1 Topic filter' })).toHaveValue(
      'chat/general/+',
    );
    await user.click(within(panel).getByRole('button', { name: 'Save rules' }));

    expect(await within(panel).findByRole('status')).toHaveTextContent(
      'Saved 2 rules for carol; applied to 1 live connection. Removed subscriptions no longer allowed: chat/+/+.',
    );
    expect(calls).toEqual([
      {
        method: 'PUT',
        path: '/api/admin/users/carol/rules',
        search: '',
        body: [
          { permission: 'deny', action: 'all', topic: 'chat/general/+' },
          { permission: 'allow', action: 'subscribe', topic: 'sensors/#' },
        ],
      },
    ]);
  });

  it('checks each topic filter as it is typed, with the shared validator, and sends nothing invalid', async () => {
    const user = userEvent.setup();
    server.use(usersHandler([carol]));
    const requests = trackRequests();
    const panel = await openEditor(user);
    await user.click(within(panel).getByRole('button', { name: 'Add a rule' }));
    const topic = within(panel).getByRole('textbox', { name: 'Rule 2 Topic filter' });
    // Untouched, a new empty rule is not an error yet.
    expect(topic).toHaveAttribute('aria-invalid', 'false');

    await user.type(topic, 'chat/#/x');
    expect(topic).toHaveAttribute('aria-invalid', 'true');
    expect(topic).toHaveAccessibleDescription('# must be the last level and alone in it');
    await user.clear(topic);
    await user.type(topic, 'chat/gen+');
    expect(topic).toHaveAccessibleDescription('+ must occupy a whole level');
    await user.click(within(panel).getByRole('button', { name: 'Save rules' }));
    expect(within(panel).queryByRole('status')).not.toBeInTheDocument();

    await user.clear(topic);
    expect(topic).toHaveAccessibleDescription('topic must not be empty');
    await user.type(topic, '$acme/#');
    expect(topic).toHaveAttribute('aria-invalid', 'true');
    await user.clear(topic);
    await user.type(topic, 'chat/${{user}/+');
    expect(topic).toHaveAccessibleDescription(
      'topic: ${user} is not a placeholder (use ${username} or ${clientid})',
    );
    await user.clear(topic);
    await user.type(topic, 'chat/${username}/+');
    expect(topic).toHaveAttribute('aria-invalid', 'false');
    expect(requests.filter((r) => !r.startsWith('GET'))).toEqual([]);
  });

  it('closing the editor puts focus back on the Rules button of its user’s row', async () => {
    const user = userEvent.setup();
    server.use(usersHandler([adminUser('bob'), carol, adminUser('dave')]));
    const panel = await openEditor(user);
    await user.click(within(panel).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: 'Extra rules for carol' })).not.toBeInTheDocument();
    const rulesOfCarol = screen.getByRole('button', { name: /^Extra rules of carol/ });
    expect(rulesOfCarol).toHaveFocus();
    expect(rulesOfCarol).toHaveAttribute('aria-expanded', 'false');
  });

  it('Escape closes the editor from any of its controls, focus back on the Rules button', async () => {
    const user = userEvent.setup();
    server.use(usersHandler([adminUser('bob'), carol, adminUser('dave')]));
    const panel = await openEditor(user);
    await user.click(within(panel).getByRole('textbox', { name: 'Rule 1 Topic filter' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Extra rules for carol' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Extra rules of carol/ })).toHaveFocus();
  });

  it('"Add a rule" puts focus on the new rule’s first field', async () => {
    const user = userEvent.setup();
    server.use(usersHandler([carol]));
    const panel = await openEditor(user);
    await user.click(within(panel).getByRole('button', { name: 'Add a rule' }));
    expect(within(panel).getByRole('combobox', { name: 'Rule 2 Permission' })).toHaveFocus();
  });

  it('saving with a bad topic puts focus on the first bad one, its error described', async () => {
    const user = userEvent.setup();
    server.use(usersHandler([carol]));
    const requests = trackRequests();
    const panel = await openEditor(user);
    await user.click(within(panel).getByRole('button', { name: 'Add a rule' }));
    await user.click(within(panel).getByRole('button', { name: 'Add a rule' }));
    await user.click(within(panel).getByRole('button', { name: 'Save rules' }));
    const second = within(panel).getByRole('textbox', { name: 'Rule 2 Topic filter' });
    expect(second).toHaveFocus();
    expect(second).toHaveAttribute('aria-invalid', 'true');
    expect(second).toHaveAccessibleDescription('topic must not be empty');
    expect(within(panel).getByRole('textbox', { name: 'Rule 3 Topic filter' })).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(requests.filter((r) => !r.startsWith('GET'))).toEqual([]);
  });

  it('marks the rule the server refused by the index in its 400 answer', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler([carol]),
      http.put('/api/admin/users/:user/rules', () =>
        HttpResponse.json(
          errorBody('invalid_rule', 'rule 0: topic: reserved', { index: 0, reason: 'reserved' }),
          { status: 400 },
        ),
      ),
    );
    const panel = await openEditor(user);
    await user.click(within(panel).getByRole('button', { name: 'Save rules' }));
    const topic = within(panel).getByRole('textbox', { name: 'Rule 1 Topic filter' });
    await waitFor(() => expect(topic).toHaveAttribute('aria-invalid', 'true'));
    expect(topic).toHaveAccessibleDescription('The server refused this rule: reserved');
    expect(within(panel).getByRole('alert')).toHaveTextContent(
      'Could not save: rule 1 was refused.',
    );
    // Editing the list clears an answer about the old one.
    await user.clear(topic);
    await user.type(topic, 'sensors/+');
    expect(topic).toHaveAttribute('aria-invalid', 'false');
    expect(within(panel).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows other refusals (too many rules) as a message', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler([carol]),
      http.put('/api/admin/users/:user/rules', () =>
        HttpResponse.json(errorBody('too_many_rules', 'at most 100 extra rules per user'), {
          status: 400,
        }),
      ),
    );
    const panel = await openEditor(user);
    await user.click(within(panel).getByRole('button', { name: 'Remove rule 1' }));
    expect(within(panel).getByText(/No extra rules/)).toBeInTheDocument();
    await user.click(within(panel).getByRole('button', { name: 'Save rules' }));
    expect(await within(panel).findByRole('alert')).toHaveTextContent(
      'Could not save the rules: at most 100 extra rules per user (too_many_rules)',
    );
  });
});
