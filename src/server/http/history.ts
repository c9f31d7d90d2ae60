import type { FastifyInstance } from 'fastify';
import { isStorageError } from '../storage';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { authOf, requireSession } from './require-session';
import { assertRoomId } from './rooms';

const DEFAULT_PAGE_LIMIT = 50;
const MAX_PAGE_LIMIT = 200;

function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_PAGE_LIMIT;
  const limit = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_LIMIT)) {
    throw new ApiError(
      400,
      'invalid_limit',
      `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`,
    );
  }
  return limit;
}

function parseCursor(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '') {
    throw new ApiError(400, 'invalid_cursor', 'before must be a nextCursor from an earlier page');
  }
  return raw;
}

export function historyRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;

  app.get<{ Params: { room: string }; Querystring: Record<string, unknown> }>(
    '/api/rooms/:room/messages',
    { preHandler: requireSession(storage, config) },
    async (request) => {
      const { org } = authOf(request);
      const { room } = request.params;
      assertRoomId(room);
      const limit = parseLimit(request.query.limit);
      const before = parseCursor(request.query.before);
      if (!storage.rooms.has(org, room)) {
        throw new ApiError(404, 'room_not_found', `no room "${room}"`);
      }
      try {
        return storage.history.page(org, room, { before, limit });
      } catch (err) {
        if (isStorageError(err, 'invalid_cursor')) {
          throw new ApiError(
            400,
            'invalid_cursor',
            'before must be a nextCursor from an earlier page',
          );
        }
        throw err;
      }
    },
  );
}
