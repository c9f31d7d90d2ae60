import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http-deps';
import { requireSession } from '../require-session';
import { aclCheckRoutes } from './acl-check';
import { auditRoutes } from './audit';
import { brokerHealthRoutes } from './broker-health';
import { requireAdmin } from './require-admin';
import { retainedRoutes } from './retained';
import { sessionRoutes } from './sessions';
import { tokenRoutes } from './tokens';
import { userRulesRoutes } from './user-rules';
import { userRoutes } from './users';

export const ADMIN_PREFIX = '/api/admin';

/**
 * The admin console's API: everything under /api/admin is for admins of the caller's own
 * org. Ids of another org are simply not found there (404), never forbidden, so an admin
 * learns nothing about other orgs.
 */
export async function adminRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  await app.register(
    async (admin) => {
      admin.addHook('preHandler', requireSession(deps.storage, deps.config));
      admin.addHook('preHandler', requireAdmin);
      // Answers carry passwords, token ids and org internals: never cached anywhere.
      admin.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });
      userRoutes(admin, deps);
      userRulesRoutes(admin, deps);
      aclCheckRoutes(admin, deps);
      tokenRoutes(admin, deps);
      sessionRoutes(admin, deps);
      retainedRoutes(admin, deps);
      brokerHealthRoutes(admin, deps);
      auditRoutes(admin, deps);
    },
    { prefix: ADMIN_PREFIX },
  );
}
