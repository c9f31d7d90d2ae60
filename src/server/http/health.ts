import type { FastifyInstance } from 'fastify';

/**
 * `GET /healthz`: 200 once the server serves everything it listens for, 503 "starting"
 * before. HTTP listens first and MQTT over TCP a moment later: a client (a supervisor, a
 * test harness) told "ok" in between found the MQTT port refusing connections.
 */
export function healthRoutes(app: FastifyInstance, ready: () => boolean = () => true): void {
  app.get('/healthz', async (_request, reply) => {
    if (ready()) return { status: 'ok' };
    return reply.code(503).send({ status: 'starting' });
  });
}
