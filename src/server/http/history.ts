import type { FastifyInstance } from 'fastify';
import { isStorageError } from '../storage';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseCursor, parseLimit, withCursorErrors } from './paging';
import { authOf, requireSession } from './require-session';
import { roomReader } from './room-access';
import { assertRoomId } from './rooms';

const DEFAULT_PAGE_LIMIT = 50;
const MAX_PAGE_LIMIT = 200;

export function historyRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;

  app.get<{ Params: { room: string }; Querystring: Record<string, unknown> }>(
    '/api/rooms/:room/messages',
    { preHandler: requireSession(storage, config) },
    async (request) => {
      const auth = authOf(request);
      const { org } = auth;
      const { room } = request.params;
      assertRoomId(room);
      const limit = parseLimit(request.query.limit, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT);
      const before = parseCursor(request.query.before);
      // As the broker would refuse the room's messages live (their ACL's subscribe); before
      // the room's existence, which is not theirs to learn either.
      if (!roomReader(storage, auth)(room)) {
        throw new ApiError(403, 'forbidden', `reading room "${room}" is not allowed`);
      }
      if (!storage.rooms.has(org, room)) {
        throw new ApiError(404, 'room_not_found', `no room "${room}"`);
      }
      return withCursorErrors(
        (error) => isStorageError(error, 'invalid_cursor'),
        () => storage.history.page(org, room, { before, limit }),
      );
    },
  );
}
