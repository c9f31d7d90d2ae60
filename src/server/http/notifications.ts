import type { FastifyInstance } from 'fastify';
import { isStorageError } from '../storage';
import type { HttpDeps } from './http-deps';
import { parseCursor, parseLimit, withCursorErrors } from './paging';
import { authOf, requireSession } from './require-session';

const DEFAULT_PAGE_LIMIT = 50;
const MAX_PAGE_LIMIT = 200;

/** The signed-in person's own notifications, newest first: the inbox on any device. */
export function notificationRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;

  app.get<{ Querystring: Record<string, unknown> }>(
    '/api/notifications',
    { preHandler: requireSession(storage, config) },
    async (request, reply) => {
      const { org, user } = authOf(request);
      const limit = parseLimit(request.query.limit, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT);
      const before = parseCursor(request.query.before);
      reply.header('cache-control', 'no-store');
      return withCursorErrors(
        (error) => isStorageError(error, 'invalid_cursor'),
        () => storage.notifications.page(org, user, { before, limit }),
      );
    },
  );
}
