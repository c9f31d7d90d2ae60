import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './http-deps';

// External brokers (EMQX JWT auth) fetch this to verify the tokens this server mints.
const JWKS_MAX_AGE_SECONDS = 300;

export function jwksRoutes(app: FastifyInstance, { tokens }: HttpDeps): void {
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    return tokens.jwks();
  });
}
