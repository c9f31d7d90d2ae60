import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatUsername } from '../../shared/ids';
import {
  MAX_MARK_READ_IDS,
  NOTIFICATION_CURSOR_PATTERN,
  type InboxPage,
  type MarkNotificationsReadRequest,
  SESSION_CHANGED_CODE,
} from '../../shared/notifications-api';
import { isPayloadId, MAX_PAYLOAD_ID_LENGTH } from '../../shared/schemas';
import { isStorageError } from '../storage';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseCursor, parseLimit, withCursorErrors } from './paging';
import { parseBody } from './parse-body';
import { authOf, requireSession } from './require-session';

const DEFAULT_PAGE_LIMIT = 50;
const MAX_PAGE_LIMIT = 200;

// Strict: a misspelt field is refused, not taken for a request to mark nothing.
const markReadSchema = z
  .strictObject({
    // `user@org`: the user id and org are at most 64 characters each.
    account: z.string().min(3).max(129),
    ids: z
      .array(z.string().refine(isPayloadId, `must be 1 to ${MAX_PAYLOAD_ID_LENGTH} characters`))
      .min(1)
      .max(MAX_MARK_READ_IDS)
      .optional(),
    upTo: z
      .string()
      .regex(NOTIFICATION_CURSOR_PATTERN, 'must be a newestCursor from GET /api/notifications')
      .optional(),
  })
  .refine((body) => body.ids !== undefined || body.upTo !== undefined, {
    message: 'name the notifications to mark read (ids) or read up to (upTo)',
  }) satisfies z.ZodType<MarkNotificationsReadRequest>;

/**
 * The signed-in person's own notifications, newest first, and which of them they have
 * read: the same inbox, and the same unread count, on any device.
 */
export function notificationRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;
  const signedIn = requireSession(storage, config);

  app.get<{ Querystring: Record<string, unknown> }>(
    '/api/notifications',
    { preHandler: signedIn },
    async (request, reply): Promise<InboxPage> => {
      const { org, user } = authOf(request);
      const limit = parseLimit(request.query.limit, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT);
      const before = parseCursor(request.query.before);
      reply.header('cache-control', 'no-store');
      const page = withCursorErrors(
        (error) => isStorageError(error, 'invalid_cursor'),
        () => storage.notifications.page(org, user, { before, limit }),
      );
      return { account: formatUsername(user, org), ...page };
    },
  );

  // Only ever the caller's own: ids of others' notifications (or of none) are passed over,
  // so an answer tells nothing of what anyone else was sent. And only for the account that
  // made the marks: a tab still showing the one signed in before (the cookie is another's
  // since a sign-in in another tab) would otherwise mark the new one's notifications, up to
  // a cursor of the old one's inbox.
  app.post('/api/notifications/read', { preHandler: signedIn }, async (request, reply) => {
    const { org, user } = authOf(request);
    const { account, ids, upTo } = parseBody(markReadSchema, request.body);
    if (account !== formatUsername(user, org)) {
      const message = 'signed in as another account since these marks were made';
      throw new ApiError(409, SESSION_CHANGED_CODE, message);
    }
    storage.transaction(() => {
      if (ids) storage.notifications.markRead(org, user, ids);
      if (upTo) storage.notifications.markReadUpTo(org, user, upTo);
    });
    return reply.code(204).send();
  });
}
