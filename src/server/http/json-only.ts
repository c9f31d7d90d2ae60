import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/**
 * CSRF defence in depth (the cookie is already SameSite=Strict): a cross-site HTML form
 * can only send form or text content types, and a cross-site fetch with JSON needs a CORS
 * preflight this server never grants. So state-changing requests must say JSON.
 */
export function registerJsonOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.method === 'GET' || request.method === 'HEAD') {
      return;
    }
    const hasBody =
      request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
    const needsJson =
      BODY_METHODS.has(request.method) ||
      hasBody ||
      request.headers['transfer-encoding'] !== undefined;
    if (needsJson && !isJson(request.headers['content-type'])) {
      throw new ApiError(
        415,
        'unsupported_media_type',
        'send the request body as application/json',
      );
    }
  });

  // An empty JSON body is "no fields" (POST /api/token takes only optional ones), not an
  // error; everything else goes through Fastify's own parser, which refuses __proto__.
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
