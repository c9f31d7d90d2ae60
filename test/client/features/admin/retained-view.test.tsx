import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { RetainedMessage } from '../../../../src/client/features/admin/api/get-retained';
import { server } from '../../support/msw-server';
import { errorBody, recorder } from './support/admin-api';
import { renderConsole } from './support/render-console';

const message = (topic: string, preview: string, extra: Partial<RetainedMessage> = {}) => ({
  topic,
  size: new TextEncoder().encode(preview).length,
  qos: 1,
  preview,
  previewTruncated: false,
  ...extra,
});

const HOSTILE = '<img src=x onerror="window.pwned=1">{"status":"idle"}';

function retainedApi(initial: RetainedMessage[], truncated = false) {
  let messages = [...initial];
  const { calls, record } = recorder();
  server.use(
    http.get('/api/admin/retained', async ({ request }) => {
      await record(request);
      const prefix = new URL(request.url).searchParams.get('prefix') ?? '';
      return HttpResponse.json({
        messages: messages.filter((m) => m.topic.startsWith(prefix)),
        truncated,
      });
    }),
    http.delete('/api/admin/retained', async ({ request }) => {
      await record(request);
      const topic = new URL(request.url).searchParams.get('topic');
      if (!messages.some((m) => m.topic === topic)) {
        return HttpResponse.json(
          errorBody('retained_not_found', `no retained message on "${topic}"`),
          { status: 404 },
        );
      }
      messages = messages.filter((m) => m.topic !== topic);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return calls;
}

const demo = () => [
  message('agents/a1/state', HOSTILE),
  message('agents/a2/state', '{"status":"working"}'),
  message('presence/bob/bob-1', '{"status":"online","since":1}'),
];

describe('Retained messages', () => {
  it('browses by topic level and shows a payload as text, never as markup', async () => {
    const user = userEvent.setup();
    retainedApi(demo());
    renderConsole('retained');
    const tree = await screen.findByRole('list', { name: 'Retained topics' });
    expect(within(tree).getByText('agents/').closest('summary')).toHaveTextContent('agents/ (2)');
    expect(within(tree).getByText('presence/').closest('summary')).toHaveTextContent(
      'presence/ (1)',
    );

    await user.click(within(tree).getByText('agents/'));
    await user.click(within(tree).getByText('a1/'));
    await user.click(within(tree).getByRole('button', { name: 'agents/a1/state' }));
    expect(within(tree).getByRole('button', { name: 'agents/a1/state' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    const view = screen.getByRole('region', { name: 'agents/a1/state' });
    const payload = within(view).getByLabelText('Payload');
    expect(payload.tagName).toBe('PRE');
    expect(payload.textContent).toBe(HOSTILE);
    expect(view.querySelector('img')).toBeNull();
    expect(view).toHaveTextContent(`${HOSTILE.length} B · QoS 1`);
  });

  it('narrows to a topic prefix', async () => {
    const user = userEvent.setup();
    const calls = retainedApi(demo());
    renderConsole('retained');
    await screen.findByRole('list', { name: 'Retained topics' });
    await user.type(screen.getByRole('searchbox', { name: 'Topic prefix' }), 'presence/');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(screen.queryByText('agents/')).not.toBeInTheDocument());
    expect(screen.getByText('presence/')).toBeInTheDocument();
    expect(calls.map((c) => c.search)).toEqual(['?limit=1000', '?limit=1000&prefix=presence%2F']);
  });

  it('clears one after confirming', async () => {
    const user = userEvent.setup();
    const calls = retainedApi(demo());
    renderConsole('retained');
    const tree = await screen.findByRole('list', { name: 'Retained topics' });
    await user.click(within(tree).getByText('agents/'));
    await user.click(within(tree).getByText('a2/'));
    await user.click(within(tree).getByRole('button', { name: 'agents/a2/state' }));
    await user.click(
      screen.getByRole('button', { name: 'Clear the retained message on agents/a2/state' }),
    );
    await user.click(screen.getByRole('button', { name: 'Clear it' }));

    expect(await screen.findByRole('status')).toHaveTextContent(
      'Cleared the retained message on agents/a2/state.',
    );
    await waitFor(() => expect(screen.queryByText('a2/')).not.toBeInTheDocument());
    expect(screen.queryByRole('region', { name: 'agents/a2/state' })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.search)).toEqual([
      '?topic=agents%2Fa2%2Fstate',
    ]);
  });

  it('shows a 404 when the message was cleared meanwhile', async () => {
    const user = userEvent.setup();
    retainedApi([message('status', 'up')]);
    server.use(
      http.delete('/api/admin/retained', () =>
        HttpResponse.json(errorBody('retained_not_found', 'no retained message on "status"'), {
          status: 404,
        }),
      ),
    );
    renderConsole('retained');
    await user.click(await screen.findByRole('button', { name: 'status' }));
    await user.click(screen.getByRole('button', { name: 'Clear the retained message on status' }));
    await user.click(screen.getByRole('button', { name: 'Clear it' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not clear: no retained message on "status" (retained_not_found)',
    );
  });

  it('says when the list is cut short, and when a payload is', async () => {
    const user = userEvent.setup();
    retainedApi([message('big', 'x'.repeat(1_024), { size: 5_000, previewTruncated: true })], true);
    renderConsole('retained');
    expect(
      await screen.findByText('Showing the first 1000; narrow the prefix to see the rest.'),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'big' }));
    expect(screen.getByRole('region', { name: 'big' })).toHaveTextContent(
      '4.9 KB · QoS 1 · only its beginning is shown',
    );
  });

  it('shows the server’s 403', async () => {
    server.use(
      http.get('/api/admin/retained', () =>
        HttpResponse.json(errorBody('forbidden', 'only an admin of this org can do this'), {
          status: 403,
        }),
      ),
    );
    renderConsole('retained');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load retained messages: only an admin of this org can do this (forbidden)',
    );
  });
});
