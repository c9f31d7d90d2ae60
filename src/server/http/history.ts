import type { FastifyInstance } from 'fastify';
import { MAX_PAYLOAD_ID_LENGTH } from '../../shared/schemas';
import { isStorageError, type Storage } from '../storage';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseCursor, parseLimit, withCursorErrors } from './paging';
import { requireBroker } from './require-broker';
import { authOf, requireSession, type AuthContext } from './require-session';
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
      assertReadableRoom(storage, auth, room);
      return withCursorErrors(
        (error) => isStorageError(error, 'invalid_cursor'),
        () => storage.history.page(org, room, { before, limit }),
      );
    },
  );

  // One message by id: whether the broker accepted it. The broker records an accepted
  // message before its PUBACK leaves (docs/decisions.md), so once a client has the PUBACK,
  // 404 means the broker refused the message. Only this server's broker records history:
  // without it, 503 rather than a 404 that would mean nothing.
  app.get<{ Params: { room: string; id: string } }>(
    '/api/rooms/:room/messages/:id',
    { preHandler: requireSession(storage, config) },
    async (request) => {
      const auth = authOf(request);
      const { room, id } = request.params;
      assertRoomId(room);
      if (id.length > MAX_PAYLOAD_ID_LENGTH) {
        throw new ApiError(
          400,
          'invalid_message_id',
          `a message id has at most ${MAX_PAYLOAD_ID_LENGTH} characters`,
        );
      }
      requireBroker(deps);
      assertReadableRoom(storage, auth, room);
      const message = storage.history.get(auth.org, room, id);
      if (!message) throw new ApiError(404, 'message_not_found', `no message "${id}" in "${room}"`);
      return message;
    },
  );
}

/**
 * As the broker would refuse the room's messages live (their ACL's subscribe); before the
 * room's existence, which is not theirs to learn either.
 */
function assertReadableRoom(storage: Storage, auth: AuthContext, room: string): void {
  if (!roomReader(storage, auth)(room)) {
    throw new ApiError(403, 'forbidden', `reading room "${room}" is not allowed`);
  }
  if (!storage.rooms.has(auth.org, room)) {
    throw new ApiError(404, 'room_not_found', `no room "${room}"`);
  }
}
