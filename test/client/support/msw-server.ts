import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

/**
 * What every signed-in workspace asks of the server as a side line, whatever a test is
 * about: the badges' starting counts (nothing unread) and the read marks of an open room.
 * A test about them overrides these with server.use().
 */
export const workspaceSideRequests = [
  http.get('/api/unread', () => HttpResponse.json({ asOf: 0, rooms: [] })),
  http.put('/api/rooms/:room/read', () => new HttpResponse(null, { status: 204 })),
];

// Handlers are added per test with server.use(); any other request without one fails the
// test. resetHandlers() between tests keeps the ones above.
export const server = setupServer(...workspaceSideRequests);
