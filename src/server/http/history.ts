import type { FastifyInstance } from 'fastify';
import { MAX_PAYLOAD_ID_LENGTH } from '../../shared/schemas';
import { roomReader } from '../auth/topic-reader';
import { isStorageError } from '../storage';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseCursor, parseLimit, withCursorErrors } from './paging';
import { requireBroker } from './require-broker';
import { authOf, requireSession } from './require-session';
import { assertRoomId } from './rooms';

const DEFAULT_PAGE_LIMIT = 50;
const MAX_PAGE_LIMIT = 200;
// After a failed history write, how long a message missing from the history proves nothing.
const HISTORY_FAILURE_DOUBT_MS = 10 * 60_000;

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

  // One of the caller's own messages, by id: whether the broker routed it. The broker
  // records a message before its PUBACK leaves (docs/decisions.md), so once the sender has
  // the PUBACK, 404 means the broker refused it; so does 409, another sender's message
  // under the id, as the broker routes no message under an id it keeps (record-history.ts).
  // The caller compares what it gets with what it sent: an earlier message of theirs under
  // the id means this one was refused too. No read check: a sender who lost the room
  // entirely must still learn that, and learns only about their own messages (another
  // sender's id is "not found" to one who may not read the room). 503 whenever a missing
  // message would prove nothing: no embedded broker (this server records no history), or
  // history writes failing lately.
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
      const failedAt = deps.historyFailedAt?.() ?? null;
      if (failedAt !== null && Date.now() - failedAt < HISTORY_FAILURE_DOUBT_MS) {
        throw new ApiError(
          503,
          'history_unavailable',
          'the history could not record every message lately',
        );
      }
      const message = storage.history.get(auth.org, room, id);
      const notFound = () => new ApiError(404, 'message_not_found', `no message "${id}" of yours`);
      if (!message) throw notFound();
      if (message.from !== auth.user) {
        // Only someone who may read the room may learn that the id is someone else's.
        if (!roomReader(storage, auth)(room)) throw notFound();
        throw new ApiError(409, 'message_id_taken', `another sender's message has the id "${id}"`);
      }
      return message;
    },
  );
}
