import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_PAYLOAD_ID_LENGTH } from '../../shared/schemas';
import {
  MAX_READ_CANDIDATES,
  type MarkReadRequest,
  type UnreadCounts,
} from '../../shared/unread-api';
import { roomReader } from '../auth/topic-reader';
import { isStorageError } from '../storage';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseBody } from './parse-body';
import { authOf, requireSession } from './require-session';
import { assertRoomId } from './rooms';

const markReadSchema = z.strictObject({
  upTo: z.array(z.string().min(1).max(MAX_PAYLOAD_ID_LENGTH)).min(1).max(MAX_READ_CANDIDATES),
}) satisfies z.ZodType<MarkReadRequest>;

/**
 * Unread counts per room, from each person's read positions on the server: the same after
 * a reload, a new sign-in or on another device.
 */
export function readPositionRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;
  const signedIn = requireSession(storage, config);

  // The rooms the caller may read, as GET /api/rooms lists them.
  app.get(
    '/api/unread',
    { preHandler: signedIn },
    async (request, reply): Promise<UnreadCounts> => {
      const auth = authOf(request);
      const canRead = roomReader(storage, auth);
      const rooms = storage.rooms
        .list(auth.org)
        .filter((room) => canRead(room.id))
        .map((room) => room.id);
      reply.header('cache-control', 'no-store');
      return storage.readPositions.unread(auth.org, auth.user, rooms);
    },
  );

  // Messages are named by id, not by seq: a tab knows only the ids of what it has shown,
  // so a message it has not been sent yet can never be marked read by this.
  app.put<{ Params: { room: string } }>(
    '/api/rooms/:room/read',
    { preHandler: signedIn },
    async (request, reply) => {
      const auth = authOf(request);
      const { room } = request.params;
      assertRoomId(room);
      const { upTo } = parseBody(markReadSchema, request.body);
      // As for the room's history: reading first, then whether it exists.
      if (!roomReader(storage, auth)(room)) {
        throw new ApiError(403, 'forbidden', `reading room "${room}" is not allowed`);
      }
      if (!storage.rooms.has(auth.org, room)) {
        throw new ApiError(404, 'room_not_found', `no room "${room}"`);
      }
      try {
        storage.readPositions.markRead(auth.org, auth.user, room, upTo);
      } catch (err) {
        if (isStorageError(err, 'not_found')) {
          throw new ApiError(
            404,
            'message_not_found',
            `none of those messages is in the history of "${room}"`,
          );
        }
        throw err;
      }
      return reply.code(204).send();
    },
  );
}
