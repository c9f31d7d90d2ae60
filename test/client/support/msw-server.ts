import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { AgentCommandLog } from '../../../src/shared/agent-commands-api';
import type { NotificationsPage } from '../../../src/shared/notifications-api';

/**
 * What every signed-in workspace asks of the server as a side line, whatever a test is
 * about: the badges' starting counts (nothing unread), the read marks of an open room, the
 * notifications inbox (empty) and its read marks, an open agent's command log (empty), who
 * may be mentioned in a room whose composer is used (nobody). A
 * test about them overrides these with server.use().
 */
export const workspaceSideRequests = [
  http.get('/api/unread', () => HttpResponse.json({ asOf: 0, rooms: [] })),
  http.put('/api/rooms/:room/read', () => new HttpResponse(null, { status: 204 })),
  http.get('/api/notifications', () =>
    HttpResponse.json({
      notifications: [],
      nextCursor: null,
      unread: 0,
      newestCursor: null,
    } satisfies NotificationsPage),
  ),
  http.post('/api/notifications/read', () => new HttpResponse(null, { status: 204 })),
  http.get('/api/rooms/:room/people', () => HttpResponse.json({ people: [] })),
  http.get('/api/agents/:agent/commands', () =>
    HttpResponse.json({ commands: [], nextCursor: null } satisfies AgentCommandLog),
  ),
];

// Handlers are added per test with server.use(); any other request without one fails the
// test. resetHandlers() between tests keeps the ones above.
export const server = setupServer(...workspaceSideRequests);
