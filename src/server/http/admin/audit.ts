import type { FastifyInstance } from 'fastify';
import { isStorageError } from '../../storage';
import { ApiError } from '../errors';
import type { HttpDeps } from '../http-deps';
import { authOf } from '../require-session';
import { optionalString, parseLimit } from './query-params';

const DEFAULT_AUDIT_LIMIT = 50;
const MAX_AUDIT_LIMIT = 200;

export function auditRoutes(app: FastifyInstance, deps: HttpDeps): void {
  // Newest first; `before` is a nextCursor from an earlier page.
  app.get<{ Querystring: Record<string, unknown> }>('/audit', async (request) => {
    const { org } = authOf(request);
    const limit = parseLimit(request.query.limit, DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT);
    const before = optionalString(request.query.before, 'cursor');
    try {
      return deps.storage.audit.page(org, { before, limit });
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
  });
}
