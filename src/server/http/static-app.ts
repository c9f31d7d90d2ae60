import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** `dist/` at the repository root, where `vite build` puts the app. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../dist', import.meta.url));

// Vite fingerprints everything under assets/, so those can be cached forever; the rest
// (index.html above all) must be revalidated so a deploy is picked up at once.
const IMMUTABLE_MAX_AGE_SECONDS = 31_536_000;

/** Serves the built app when `dir` holds one; returns whether it does. */
export async function registerStaticApp(
  app: FastifyInstance,
  dir: string | null,
): Promise<boolean> {
  if (dir === null || !existsSync(join(dir, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root: dir,
    index: ['index.html'],
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header(
        'cache-control',
        /[\\/]assets[\\/]/.test(path)
          ? `public, max-age=${IMMUTABLE_MAX_AGE_SECONDS}, immutable`
          : 'no-cache',
      );
    },
  });
  return true;
}

// A missing /assets/ file is a chunk the page's build named and a later deploy removed:
// a 404 makes the browser's import fail at once, where the app shell (HTML, 200) would
// fail later as a module of the wrong MIME type.
const NOT_APP_PREFIXES = ['/api/', '/assets/', '/mqtt', '/.well-known/', '/healthz'];

/** A client-side route (`/rooms/general`) reloaded in the browser gets the app shell. */
export function isSpaRoute(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  return !NOT_APP_PREFIXES.some(
    (prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix),
  );
}

export function sendAppShell(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-cache').sendFile('index.html');
}
