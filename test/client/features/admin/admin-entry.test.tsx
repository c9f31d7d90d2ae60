import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { Shell } from '../../../../src/client/app/shell';
import type { Session } from '../../../../src/client/features/auth/api/get-session';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';
import { adminUser, usersHandler } from './support/admin-api';

const ADMIN: Session = { user: 'admin', org: 'demo', role: 'admin' };
const MEMBER: Session = { user: 'alice', org: 'demo', role: 'member' };

async function renderShell(session: Session) {
  server.use(http.get('/api/rooms', () => HttpResponse.json({ rooms: [] })));
  const workspace = await connectTestWorkspace({ me: session.user });
  renderWithWorkspace(<Shell session={session} />, { connection: workspace.connection, session });
  return within(screen.getByRole('navigation', { name: 'Workspace' }));
}

describe('admin entry in the workspace', () => {
  it('is offered to admins and opens the console, loaded on demand', async () => {
    const user = userEvent.setup();
    server.use(usersHandler([adminUser('admin', { role: 'admin' }), adminUser('bob')]));
    const nav = await renderShell(ADMIN);
    await user.click(nav.getByRole('link', { name: 'Admin' }));
    expect(await screen.findByRole('heading', { name: 'Admin', level: 2 })).toBeInTheDocument();
    expect(nav.getByRole('link', { name: 'Admin' })).toHaveAttribute('aria-current', 'page');
    expect(await screen.findByRole('rowheader', { name: 'bob' })).toBeInTheDocument();
  });

  it('is not offered to members', async () => {
    const nav = await renderShell(MEMBER);
    expect(nav.getByRole('link', { name: 'People' })).toBeInTheDocument();
    expect(nav.queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
  });
});
