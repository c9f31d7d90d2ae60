import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../../src/client/features/admin/api/get-audit';
import { server } from '../../support/msw-server';
import { errorBody, recorder, T0 } from './support/admin-api';
import { renderConsole } from './support/render-console';

const entry = (id: number, action: string, target: string, detail = {}): AuditEntry => ({
  id: String(id),
  at: T0 + id * 1_000,
  actor: 'admin',
  action,
  target,
  detail,
});

const rows = () =>
  within(screen.getByRole('table', { name: 'Audit log' }))
    .getAllByRole('row')
    .slice(1); // the header row

describe('Audit log', () => {
  it('lists who did what and when, newest first, and pages back to the beginning', async () => {
    const user = userEvent.setup();
    const { calls, record } = recorder();
    server.use(
      http.get('/api/admin/audit', async ({ request }) => {
        await record(request);
        const before = new URL(request.url).searchParams.get('before');
        return HttpResponse.json(
          before === null
            ? {
                entries: [
                  entry(4, 'session.disconnect', 'dana-1', { disconnected: 1 }),
                  entry(3, 'user.rules', 'dana', {
                    from: [],
                    to: [{ permission: 'deny', action: 'publish', topic: 'chat/general/messages' }],
                    connections: 1,
                    removedSubscriptions: [],
                  }),
                ],
                nextCursor: '3',
              }
            : { entries: [entry(1, 'user.create', 'dana', { role: 'member' })], nextCursor: null },
        );
      }),
    );
    renderConsole('audit');
    await screen.findByRole('table', { name: 'Audit log' });

    const [first, second] = rows();
    if (!first || !second) throw new Error('two rows expected');
    expect(within(first).getByRole('cell', { name: /Disconnected session/ })).toHaveTextContent(
      'Disconnected session session.disconnect',
    );
    expect(within(first).getByRole('cell', { name: 'admin' })).toBeInTheDocument();
    expect(within(first).getByRole('cell', { name: 'dana-1' })).toBeInTheDocument();
    expect(within(first).getByText('{"disconnected":1}')).toBeInTheDocument();
    expect(within(first).getByRole('time')).toHaveAttribute(
      'datetime',
      new Date(T0 + 4_000).toISOString(),
    );
    // A long detail is folded away.
    await user.click(within(second).getByText('Show'));
    expect(within(second).getByText(/"topic": "chat\/general\/messages"/)).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Load older entries' }));
    expect(await screen.findByText('Beginning of the log.')).toBeInTheDocument();
    expect(rows()).toHaveLength(3);
    expect(within(rows()[2] ?? document.body).getByText(/Created user/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load older entries' })).not.toBeInTheDocument();
    expect(calls.map((c) => c.search)).toEqual(['?limit=50', '?limit=50&before=3']);
  });

  it('shows an action it does not know by its code', async () => {
    server.use(
      http.get('/api/admin/audit', () =>
        HttpResponse.json({ entries: [entry(1, 'org.rename', 'demo')], nextCursor: null }),
      ),
    );
    renderConsole('audit');
    await screen.findByRole('table', { name: 'Audit log' });
    expect(rows()[0]).toHaveTextContent('org.rename org.rename');
  });

  it('shows a change made with the CLI by its OS user, and names an org’s creation', async () => {
    server.use(
      http.get('/api/admin/audit', () =>
        HttpResponse.json({
          entries: [{ ...entry(1, 'org.create', 'demo'), actor: 'cli:root' }],
          nextCursor: null,
        }),
      ),
    );
    renderConsole('audit');
    await screen.findByRole('table', { name: 'Audit log' });
    const [row] = rows();
    if (!row) throw new Error('a row expected');
    expect(within(row).getByRole('cell', { name: 'root (command line)' })).toBeInTheDocument();
    expect(row).toHaveTextContent('Created organisation org.create');
  });

  it('names a room’s creation, by whoever of the org created it', async () => {
    server.use(
      http.get('/api/admin/audit', () =>
        HttpResponse.json({
          entries: [{ ...entry(1, 'room.create', 'design', { name: 'design' }), actor: 'alice' }],
          nextCursor: null,
        }),
      ),
    );
    renderConsole('audit');
    await screen.findByRole('table', { name: 'Audit log' });
    const [row] = rows();
    if (!row) throw new Error('a row expected');
    expect(within(row).getByRole('cell', { name: 'alice' })).toBeInTheDocument();
    expect(row).toHaveTextContent('Created room room.create');
  });

  it('says when nothing has been changed yet', async () => {
    server.use(
      http.get('/api/admin/audit', () => HttpResponse.json({ entries: [], nextCursor: null })),
    );
    renderConsole('audit');
    expect(await screen.findByText('Nothing has been changed yet.')).toBeInTheDocument();
  });

  it('shows the server’s refusal of a page (400 invalid_cursor)', async () => {
    const user = userEvent.setup();
    server.use(
      http.get('/api/admin/audit', ({ request }) =>
        new URL(request.url).searchParams.has('before')
          ? HttpResponse.json(
              errorBody('invalid_cursor', 'before must be a nextCursor from an earlier page'),
              { status: 400 },
            )
          : HttpResponse.json({ entries: [entry(9, 'user.enable', 'bob')], nextCursor: 'x' }),
      ),
    );
    renderConsole('audit');
    await user.click(await screen.findByRole('button', { name: 'Load older entries' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the audit log: before must be a nextCursor from an earlier page (invalid_cursor)',
    );
    expect(rows()).toHaveLength(1); // what was loaded stays
  });
});
