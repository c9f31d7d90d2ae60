import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { useEffect, useState } from 'react';
import { Shell } from '../../../src/client/app/shell';
import { useViewInLocation } from '../../../src/client/app/view-location';
import { accountOf, type Session } from '../../../src/client/features/auth/api/get-session';
import { ALICE } from './fixtures';
import { server } from './msw-server';
import { connectTestWorkspace, renderWithWorkspace } from './render';

/** As the workspace does it: the location is read before the shell first renders. */
export function LocatedShell({ session = ALICE }: { session?: Session }) {
  useViewInLocation(accountOf(session), session.role === 'admin');
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return ready ? <Shell session={session} /> : null;
}

/**
 * The workspace opened at `url`, as by a reload or a followed link, with one room
 * (#general, empty) and nobody else; the workspace menu, to find its entries in.
 */
export async function openAt(url: string, session: Session = ALICE) {
  window.history.replaceState(null, '', url);
  server.use(
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
    http.get('/api/rooms/general/messages', () =>
      HttpResponse.json({ messages: [], nextCursor: null }),
    ),
    http.get('/api/people', () => HttpResponse.json({ people: [] })),
  );
  const workspace = await connectTestWorkspace({ me: session.user });
  renderWithWorkspace(<LocatedShell session={session} />, {
    connection: workspace.connection,
    session,
  });
  return within(screen.getByRole('navigation', { name: 'Workspace' }));
}
