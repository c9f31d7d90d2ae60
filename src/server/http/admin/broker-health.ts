import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http-deps';
import { authOf } from '../require-session';
import { requireBroker } from '../require-broker';

export function brokerHealthRoutes(app: FastifyInstance, deps: HttpDeps): void {
  // The org's own figures; memory and uptime are the process's (see OrgHealth).
  app.get('/health', async (request) => requireBroker(deps).admin.health(authOf(request).org));
}
