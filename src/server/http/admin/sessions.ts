import type { FastifyInstance } from 'fastify';
import { isValidId } from '../../../shared/ids';
import { ApiError } from '../errors';
import type { HttpDeps } from '../http-deps';
import { refuseFields } from '../parse-body';
import { authOf } from '../require-session';
import { requireBroker } from '../require-broker';
import { optionalString } from './query-params';

// A client id is unique per user, not per org: `?user=` narrows to one user's.
interface SessionRequest {
  Params: { clientId: string };
  Querystring: Record<string, unknown>;
}

function parseUserFilter(raw: unknown): string | undefined {
  const user = optionalString(raw, 'user');
  if (user !== undefined && !isValidId(user)) {
    throw new ApiError(400, 'invalid_user', 'user must be a user id');
  }
  return user;
}

const notFound = (clientId: string) =>
  new ApiError(404, 'session_not_found', `no session "${clientId}" in this org`);

export function sessionRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage } = deps;

  app.get('/sessions', async (request) => {
    const { org } = authOf(request);
    const broker = requireBroker(deps);
    const [live, offline] = await Promise.all([
      broker.admin.liveSessions(org),
      broker.admin.storedSessions(org),
    ]);
    return { live, offline };
  });

  app.post<SessionRequest>('/sessions/:clientId/disconnect', async (request) => {
    refuseFields(request.body);
    const auth = authOf(request);
    const broker = requireBroker(deps);
    const { clientId } = request.params;
    const user = parseUserFilter(request.query.user);
    const users = new Set<string>();
    const disconnected = broker.disconnect((identity) => {
      const match =
        identity.org === auth.org &&
        identity.clientId === clientId &&
        (user === undefined || identity.user === user);
      if (match) users.add(identity.user);
      return match;
    });
    if (disconnected === 0) throw notFound(clientId);
    storage.audit.record(auth.org, {
      actor: auth.user,
      action: 'session.disconnect',
      target: clientId,
      detail: { users: [...users], disconnected },
    });
    return { disconnected };
  });

  // Forgets a persistent session whose client is away: its subscriptions and queue.
  app.delete<SessionRequest>('/sessions/:clientId', async (request, reply) => {
    const auth = authOf(request);
    const broker = requireBroker(deps);
    const { clientId } = request.params;
    const user = parseUserFilter(request.query.user);
    const connected = broker
      .connections()
      .some(
        (identity) =>
          identity.org === auth.org &&
          identity.clientId === clientId &&
          (user === undefined || identity.user === user),
      );
    if (connected) {
      throw new ApiError(
        409,
        'session_connected',
        `session "${clientId}" is connected: disconnect it first`,
      );
    }
    const cleared = await broker.admin.clearStoredSession(auth.org, clientId, user);
    if (cleared === 0) throw notFound(clientId);
    storage.audit.record(auth.org, {
      actor: auth.user,
      action: 'session.clear',
      target: clientId,
      detail: { user, cleared },
    });
    return reply.code(204).send();
  });
}
