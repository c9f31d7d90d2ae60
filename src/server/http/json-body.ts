import type { FastifyInstance } from 'fastify';

/**
 * JSON request bodies: an empty one is "no fields" (POST /api/token takes only optional
 * ones), not an error; everything else goes through Fastify's own parser, which refuses
 * __proto__. That a body must be JSON at all is csrf-guard.ts' rule.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const defaultParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // parseAs 'string' always hands over a string; the type also allows a Buffer.
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') {
      done(null, undefined);
      return;
    }
    defaultParser(request, text, done);
  });
}
