import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type {
  LiveSession,
  Sessions,
  StoredSession,
} from '../../../../src/client/features/admin/api/get-sessions';
import { server } from '../../support/msw-server';
import { errorBody, recorder, T0 } from './support/admin-api';
import { renderConsole } from './support/render-console';

const live = (clientId: string, user: string, extra: Partial<LiveSession> = {}): LiveSession => ({
  clientId,
  user,
  address: '127.0.0.1',
  transport: 'ws',
  secure: false,
  protocolVersion: 4,
  persistent: true,
  connectedAt: T0,
  jti: 'j1',
  expiresAt: T0 + 3_600_000,
  subscriptions: ['chat/+/+', 'presence/+/+'],
  queued: 0,
  ...extra,
});

const stored = (
  clientId: string,
  user: string,
  queued: number,
  lastSeenAt: number | null = null,
): StoredSession => ({
  clientId,
  user,
  subscriptions: ['notifications/' + user],
  queued,
  lastSeenAt,
});

const liveTable = () => screen.getByRole('table', { name: 'Live connections' });
const storedTable = () =>
  screen.getByRole('table', { name: 'Stored sessions of clients that are away' });
const row = (table: HTMLElement, clientId: string) => {
  const cell = within(table).getByRole('rowheader', { name: clientId });
  const tr = cell.closest('tr');
  if (!tr) throw new Error(`no row for ${clientId}`);
  return within(tr);
};

describe('Sessions', () => {
  it('lists live connections and away persistent sessions with their queues', async () => {
    const user = userEvent.setup();
    server.use(
      http.get('/api/admin/sessions', () =>
        HttpResponse.json({
          live: [
            live('alice-1', 'alice', { queued: 3 }),
            live('sensor-7', 'svc', {
              transport: 'tcp',
              secure: true,
              address: '10.0.0.7',
              persistent: false,
              subscriptions: [],
              jti: null,
              expiresAt: null,
            }),
          ],
          offline: [stored('bob-2', 'bob', 12, T0 - 60_000), stored('carol-1', 'carol', 10_000)],
        } satisfies Sessions),
      ),
    );
    renderConsole('sessions');
    await screen.findByRole('table', { name: 'Live connections' });
    expect(screen.getByRole('heading', { name: 'Connected (2)' })).toBeInTheDocument();

    const alice = row(liveTable(), 'alice-1');
    expect(alice.getByRole('cell', { name: 'alice' })).toBeInTheDocument();
    expect(alice.getByRole('cell', { name: 'WebSocket' })).toBeInTheDocument();
    expect(alice.getByRole('cell', { name: /MQTT 3\.1\.1 · persistent/ })).toBeInTheDocument();
    expect(alice.getByRole('cell', { name: '3' })).toBeInTheDocument();
    expect(alice.getByRole('time')).toHaveAttribute('datetime', new Date(T0).toISOString());
    await user.click(alice.getByText('2 filters'));
    expect(alice.getByText('chat/+/+')).toBeVisible();

    const sensor = row(liveTable(), 'sensor-7');
    expect(sensor.getByRole('cell', { name: 'TLS' })).toBeInTheDocument();
    expect(sensor.getByRole('cell', { name: '10.0.0.7' })).toBeInTheDocument();
    expect(sensor.getByText('none')).toBeInTheDocument();

    expect(screen.getByRole('heading', { name: 'Away, with a stored session (2)' })).toBeVisible();
    expect(row(storedTable(), 'bob-2').getByRole('cell', { name: '12' })).toBeInTheDocument();
    expect(row(storedTable(), 'bob-2').getByRole('time')).toHaveAttribute(
      'datetime',
      new Date(T0 - 60_000).toISOString(),
    );
    // A device's session (opened with a password) is kept for good.
    expect(
      row(storedTable(), 'carol-1').getByRole('cell', { name: 'does not expire' }),
    ).toBeVisible();
    // The server stops counting at 10 000.
    expect(row(storedTable(), 'carol-1').getByRole('cell', { name: '10000+' })).toBeVisible();
  });

  it('refreshes on its own every few seconds', async () => {
    let fetches = 0;
    server.use(
      http.get('/api/admin/sessions', () => {
        fetches++;
        return HttpResponse.json({
          live: fetches === 1 ? [] : [live('late-1', 'dana')],
          offline: [],
        });
      }),
    );
    renderConsole('sessions');
    expect(await screen.findByText('Nobody is connected.')).toBeInTheDocument();
    expect(
      await screen.findByRole('rowheader', { name: 'late-1' }, { timeout: 5_000 }),
    ).toBeInTheDocument();
  });

  it('disconnects one connection: its row goes, and a reconnection shows as a new row', async () => {
    const user = userEvent.setup();
    const { calls, record } = recorder();
    let sessions: Sessions = { live: [live('dana-1', 'dana'), live('bob-1', 'bob')], offline: [] };
    server.use(
      http.get('/api/admin/sessions', () => HttpResponse.json(sessions)),
      http.post('/api/admin/sessions/:clientId/disconnect', async ({ request }) => {
        await record(request);
        return HttpResponse.json({ disconnected: 1 });
      }),
    );
    renderConsole('sessions');
    await user.click(await screen.findByRole('button', { name: 'Disconnect dana-1 (dana)' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Disconnected dana-1 (dana).');
    // The refetch right after can still list the closing connection: it stays hidden.
    await waitFor(() =>
      expect(screen.queryByRole('rowheader', { name: 'dana-1' })).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('rowheader', { name: 'bob-1' })).toBeInTheDocument();
    expect(calls).toEqual([
      {
        method: 'POST',
        path: '/api/admin/sessions/dana-1/disconnect',
        search: '?user=dana',
        body: {},
      },
    ]);

    // The app reconnects under the same client id: a new connection, shown again.
    sessions = { live: [live('dana-1', 'dana', { connectedAt: T0 + 5_000 })], offline: [] };
    expect(
      await screen.findByRole('rowheader', { name: 'dana-1' }, { timeout: 5_000 }),
    ).toBeInTheDocument();
  });

  it('clears an away session after confirming', async () => {
    const user = userEvent.setup();
    const { calls, record } = recorder();
    let offline = [stored('bob-2', 'bob', 12)];
    server.use(
      http.get('/api/admin/sessions', () => HttpResponse.json({ live: [], offline })),
      http.delete('/api/admin/sessions/:clientId', async ({ request }) => {
        await record(request);
        offline = [];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderConsole('sessions');
    await user.click(await screen.findByRole('button', { name: 'Clear bob-2 (bob)' }));
    expect(screen.getByRole('group', { name: /^Clear bob-2\?/ })).toHaveTextContent(
      '12 queued messages are dropped',
    );
    await user.click(screen.getByRole('button', { name: 'Clear session' }));
    expect(
      await screen.findByText('No persistent session is waiting for its client.'),
    ).toBeVisible();
    expect(calls.map((c) => [c.method, c.path, c.search])).toEqual([
      ['DELETE', '/api/admin/sessions/bob-2', '?user=bob'],
    ]);
  });

  it.each([
    [
      'disconnect',
      404,
      'session_not_found',
      'no session "dana-1" in this org',
      'Could not disconnect',
    ],
    [
      'clear',
      409,
      'session_connected',
      'session "bob-2" is connected: disconnect it first',
      'Could not clear the session',
    ],
  ])('shows the server’s refusal to %s (%i %s)', async (what, status, code, message, action) => {
    const user = userEvent.setup();
    server.use(
      http.get('/api/admin/sessions', () =>
        HttpResponse.json({ live: [live('dana-1', 'dana')], offline: [stored('bob-2', 'bob', 1)] }),
      ),
      http.post('/api/admin/sessions/:clientId/disconnect', () =>
        HttpResponse.json(errorBody(code, message), { status }),
      ),
      http.delete('/api/admin/sessions/:clientId', () =>
        HttpResponse.json(errorBody(code, message), { status }),
      ),
    );
    renderConsole('sessions');
    if (what === 'disconnect') {
      await user.click(await screen.findByRole('button', { name: 'Disconnect dana-1 (dana)' }));
    } else {
      await user.click(await screen.findByRole('button', { name: 'Clear bob-2 (bob)' }));
      await user.click(screen.getByRole('button', { name: 'Clear session' }));
    }
    expect(await screen.findByRole('alert')).toHaveTextContent(`${action}: ${message} (${code})`);
    expect(screen.getByRole('rowheader', { name: 'dana-1' })).toBeInTheDocument();
  });

  it('says so when the server runs without the embedded broker (503)', async () => {
    server.use(
      http.get('/api/admin/sessions', () =>
        HttpResponse.json(
          errorBody(
            'broker_unavailable',
            'this server runs without the embedded broker; ask the MQTT cluster instead',
          ),
          { status: 503 },
        ),
      ),
    );
    renderConsole('sessions');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load sessions: this server runs without the embedded broker',
    );
  });
});
