import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '../../support/msw-server';
import { adminUser, errorBody, recorder, trackRequests, usersHandler } from './support/admin-api';
import { renderConsole } from './support/render-console';

const users = [adminUser('admin', { role: 'admin' }), adminUser('alice'), adminUser('bob')];

async function ask(
  user: ReturnType<typeof userEvent.setup>,
  question: { user: string; action: 'publish' | 'subscribe'; topic: string; clientId?: string },
) {
  await screen.findByRole('option', { name: question.user });
  await user.selectOptions(screen.getByRole('combobox', { name: 'User' }), question.user);
  await user.click(screen.getByRole('radio', { name: question.action }));
  await user.type(screen.getByRole('textbox', { name: /^Topic/ }), question.topic);
  if (question.clientId) {
    await user.type(screen.getByRole('textbox', { name: /^Client id/ }), question.clientId);
  }
  await user.click(screen.getByRole('button', { name: 'Check' }));
}

describe('ACL check', () => {
  it.each([
    [
      'allowed by the role',
      {
        allowed: true,
        rule: { permission: 'allow', action: 'publish', topic: 'chat/+/messages' },
        source: 'role',
      },
      'Allowed: alice can publish to chat/general/messages',
      "Decided by the rule allow publish chat/+/messages, from the member role's rules.",
    ],
    [
      'denied by an extra rule',
      {
        allowed: false,
        rule: { permission: 'deny', action: 'publish', topic: 'chat/general/messages' },
        source: 'extra',
      },
      'Denied: alice cannot publish to chat/general/messages',
      "Decided by the rule deny publish chat/general/messages, from alice's extra rules.",
    ],
    [
      'denied by default',
      { allowed: false, rule: null, source: 'default' },
      'Denied: alice cannot publish to chat/general/messages',
      'Decided by no rule matched, so the default (deny) decided.',
    ],
  ])('answers with the deciding rule and its source: %s', async (_name, answer, verdict, why) => {
    const user = userEvent.setup();
    const { calls, record } = recorder();
    server.use(
      usersHandler(users),
      http.post('/api/admin/acl-check', async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          excluded: [],
          clientIdRules: [],
          ...answer,
          role: 'member',
          disabled: false,
        });
      }),
    );
    renderConsole('acl');
    await ask(user, { user: 'alice', action: 'publish', topic: 'chat/general/messages' });
    const result = await screen.findByRole('region', { name: 'Answer' });
    expect(
      within(result)
        .getByText(/^(Allowed|Denied):/)
        .closest('p'),
    ).toHaveTextContent(verdict);
    expect(result).toHaveTextContent(why);
    expect(calls.map((c) => c.body)).toEqual([
      { user: 'alice', action: 'publish', topic: 'chat/general/messages' },
    ]);
  });

  it('asks about a subscription filter with a client id and notes a disabled user', async () => {
    const user = userEvent.setup();
    const { calls, record } = recorder();
    server.use(
      usersHandler(users),
      http.post('/api/admin/acl-check', async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          allowed: true,
          rule: { permission: 'allow', action: 'subscribe', topic: 'chat/+/+' },
          excluded: [],
          clientIdRules: [],
          source: 'role',
          role: 'member',
          disabled: true,
        });
      }),
    );
    renderConsole('acl');
    await ask(user, { user: 'bob', action: 'subscribe', topic: 'chat/#', clientId: 'bob-1' });
    const result = await screen.findByRole('region', { name: 'Answer' });
    expect(result).toHaveTextContent('bob is disabled: they cannot connect at all.');
    expect(calls[0]?.body).toEqual({
      user: 'bob',
      action: 'subscribe',
      topic: 'chat/#',
      clientId: 'bob-1',
    });
  });

  it('lists the rules a granted subscription excludes part of its topics by', async () => {
    const user = userEvent.setup();
    const deny = { permission: 'deny', action: 'all', topic: 'chat/secret/#' };
    server.use(
      usersHandler(users),
      http.post('/api/admin/acl-check', () =>
        HttpResponse.json({
          allowed: true,
          rule: { permission: 'allow', action: 'subscribe', topic: 'chat/+/+' },
          excluded: [deny],
          clientIdRules: [],
          source: 'role',
          role: 'member',
          disabled: false,
        }),
      ),
    );
    renderConsole('acl');
    await ask(user, { user: 'alice', action: 'subscribe', topic: 'chat/+/+' });
    const result = await screen.findByRole('region', { name: 'Answer' });
    expect(result).toHaveTextContent('Allowed: alice can subscribe to chat/+/+');
    expect(result).toHaveTextContent(
      'Messages on topics these earlier rules deny are not delivered through it:',
    );
    const excluded = within(result).getByRole('list', { name: 'Excluded' });
    expect(
      within(excluded)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['deny all chat/secret/#']);
    expect(within(result).queryByRole('list', { name: /client id/ })).not.toBeInTheDocument();
  });

  it('names the rules a check without a client id skipped', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler(users),
      http.post('/api/admin/acl-check', () =>
        HttpResponse.json({
          allowed: false,
          rule: { permission: 'deny', action: 'all', topic: '#' },
          excluded: [],
          clientIdRules: [
            { permission: 'allow', action: 'publish', topic: 'presence/${username}/${clientid}' },
          ],
          source: 'role',
          role: 'member',
          disabled: false,
        }),
      ),
    );
    renderConsole('acl');
    await ask(user, { user: 'alice', action: 'publish', topic: 'presence/alice/tab-1' });
    const result = await screen.findByRole('region', { name: 'Answer' });
    expect(result).toHaveTextContent('Without a client id, these rules were skipped');
    const skipped = within(result).getByRole('list', { name: 'Skipped without a client id' });
    expect(skipped).toHaveTextContent('allow publish presence/${username}/${clientid}');
    expect(within(result).queryByRole('list', { name: 'Excluded' })).not.toBeInTheDocument();
  });

  it('clears the last answer when the next question is not one to ask', async () => {
    const user = userEvent.setup();
    server.use(
      usersHandler(users),
      http.post('/api/admin/acl-check', () =>
        HttpResponse.json({
          allowed: false,
          rule: null,
          excluded: [],
          clientIdRules: [],
          source: 'default',
          role: 'member',
          disabled: false,
        }),
      ),
    );
    renderConsole('acl');
    await ask(user, { user: 'bob', action: 'subscribe', topic: 'notifications/alice' });
    expect(await screen.findByRole('region', { name: 'Answer' })).toHaveTextContent(
      'Denied: bob cannot subscribe to notifications/alice',
    );

    const topic = screen.getByRole('textbox', { name: 'Topic filter' });
    await user.clear(topic);
    await user.type(topic, 'chat/#/x');
    await user.click(screen.getByRole('button', { name: 'Check' }));
    expect(topic).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByRole('region', { name: 'Answer' })).not.toBeInTheDocument();
    // Nor does it come back with a topic that can be asked, until that is asked.
    await user.clear(topic);
    await user.type(topic, 'notifications/alice');
    expect(screen.queryByRole('region', { name: 'Answer' })).not.toBeInTheDocument();
  });

  it('checks the topic as it is typed: wildcards only in a subscription filter', async () => {
    const user = userEvent.setup();
    server.use(usersHandler(users));
    const requests = trackRequests();
    renderConsole('acl');
    const topic = await screen.findByRole('textbox', { name: 'Topic' });
    await user.type(topic, 'chat/+/messages');
    expect(topic).toHaveAttribute('aria-invalid', 'true');
    expect(topic).toHaveAccessibleDescription('a topic name must not contain + or #');
    await user.click(screen.getByRole('button', { name: 'Check' }));
    expect(screen.queryByRole('region', { name: 'Answer' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('radio', { name: 'subscribe' }));
    expect(screen.getByRole('textbox', { name: 'Topic filter' })).toHaveAttribute(
      'aria-invalid',
      'false',
    );
    expect(requests.filter((r) => !r.startsWith('GET'))).toEqual([]);
  });

  it.each([
    [404, 'user_not_found', 'no user "alice" in this org'],
    [400, 'invalid_topic', 'topic must not contain NUL'],
    [403, 'forbidden', 'only an admin of this org can do this'],
  ])('shows the server’s %i %s', async (status, code, message) => {
    const user = userEvent.setup();
    server.use(
      usersHandler(users),
      http.post('/api/admin/acl-check', () =>
        HttpResponse.json(errorBody(code, message), { status }),
      ),
    );
    renderConsole('acl');
    await ask(user, { user: 'alice', action: 'publish', topic: 'x' });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      `Could not check: ${message} (${code})`,
    );
  });
});
