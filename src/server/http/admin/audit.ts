import type { FastifyInstance } from 'fastify';
import { isStorageError } from '../../storage';
import type { HttpDeps } from '../http-deps';
import { parseCursor, parseLimit, withCursorErrors } from '../paging';
import { authOf } from '../require-session';

const DEFAULT_AUDIT_LIMIT = 50;
const MAX_AUDIT_LIMIT = 200;

export function auditRoutes(app: FastifyInstance, deps: HttpDeps): void {
  // Newest first; `before` is a nextCursor from an earlier page.
  app.get<{ Querystring: Record<string, unknown> }>('/audit', async (request) => {
    const { org } = authOf(request);
    const limit = parseLimit(request.query.limit, DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT);
    const before = parseCursor(request.query.before);
    return withCursorErrors(
      (error) => isStorageError(error, 'invalid_cursor'),
      () => deps.storage.audit.page(org, { before, limit }),
    );
  });
}
