import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './http-deps';
import { authOf, requireSession } from './require-session';

// People are who you chat with; agents and services appear on the agents board instead.
const PEOPLE_ROLES: ReadonlySet<string> = new Set(['member', 'admin']);

export function peopleRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;
  app.get('/api/people', { preHandler: requireSession(storage, config) }, async (request) => ({
    people: storage.users
      .listUsers(authOf(request).org)
      .filter((u) => PEOPLE_ROLES.has(u.role) && !u.disabled)
      .map(({ user, role }) => ({ user, role })),
  }));
}
