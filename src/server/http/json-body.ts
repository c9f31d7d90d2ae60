import type { FastifyInstance } from 'fastify';
import { clipped } from '../broker/clipped';
import { ApiError } from './errors';

/**
 * JSON request bodies: an empty one is "no fields" (POST /api/token takes only optional
 * ones), not an error; everything else goes through Fastify's own parser (secure-json-parse),
 * which refuses a `__proto__` key and a `constructor` object with a `prototype`. Fastify
 * answers both as it answers text that is not JSON at all; a body that is valid JSON with
 * such a key is then refused as what it is, `forbidden_key` naming the key and where it
 * is, and anything else stays `invalid_json`. Before any of that, the body must be UTF-8
 * (utf8Text). That a body must be JSON at all is csrf-guard.ts' rule.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const secureParser = app.getDefaultJsonParser('error', 'error');
  // The same parse (a byte-order mark skipped alike), keeping whatever keys it finds: only
  // to say why the secure one refused a body, never to hand a body on.
  const plainParser = app.getDefaultJsonParser('ignore', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8Text(request.headers['content-type'], body);
    } catch (error) {
      done(error as ApiError, undefined);
      return;
    }
    if (text === '') {
      done(null, undefined);
      return;
    }
    secureParser(request, text, (error, parsed) => {
      if (error === null) {
        done(null, parsed);
        return;
      }
      plainParser(request, text, (plainError, plain) => {
        const forbidden = plainError === null ? forbiddenKey(plain) : undefined;
        done(forbidden ? forbiddenKeyError(forbidden) : error, undefined);
      });
    });
  });
}

// JSON is UTF-8 (RFC 8259 §8.1); `fatal`: a byte sequence that is not UTF-8 throws, where
// Buffer's toString would put U+FFFD in its place, to be stored as if the client sent it.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as text, if it says no charset or UTF-8's and is UTF-8: 415 `unsupported_charset`
 * for another charset (read as UTF-8, UTF-16 or Latin-1 text would be garbled, not refused),
 * 400 `invalid_utf8` for bytes that are not UTF-8.
 */
function utf8Text(contentType: string | undefined, body: string | Buffer): string {
  const charset = charsetOf(contentType ?? '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(
      415,
      'unsupported_charset',
      `send the body as UTF-8 (charset=utf-8), not ${clipped(JSON.stringify(charset))}`,
    );
  }
  if (typeof body === 'string') return body; // parseAs 'buffer' hands over a Buffer
  try {
    return utf8.decode(body);
  } catch {
    throw new ApiError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  }
}

/** The charset parameter of a Content-Type, lowercased and unquoted; undefined if none. */
function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(';').slice(1)) {
    const [name = '', ...value] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset') {
      return value
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return undefined;
}

/** Where a key that would reach an object's prototype is: the key, and its path from the body. */
export interface ForbiddenKey {
  key: '__proto__' | 'constructor.prototype';
  /** Dot-separated, as parseBody names a field (array items by index); '' for the body. */
  path: string;
}

/** A node met on the way down, with how it was reached (so a path is built only when needed). */
interface Visit {
  node: object;
  parent: Visit | null;
  key: string;
}

/**
 * The first key in a parsed body that secure-json-parse refuses: an own `__proto__`, or a
 * `constructor` object with its own `prototype`; undefined when there is none. Breadth
 * first, as secure-json-parse looks, and without recursion or a path per node (a body
 * nests as deep as its size allows).
 */
export function forbiddenKey(value: unknown): ForbiddenKey | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  let level: Visit[] = [{ node: value, parent: null, key: '' }];
  while (level.length > 0) {
    const next: Visit[] = [];
    for (const visit of level) {
      const { node } = visit;
      if (Object.prototype.hasOwnProperty.call(node, '__proto__')) {
        return { key: '__proto__', path: pathOf(visit, ['__proto__']) };
      }
      const constructor: unknown = Object.prototype.hasOwnProperty.call(node, 'constructor')
        ? (node as { constructor: unknown }).constructor
        : undefined;
      if (
        constructor !== null &&
        typeof constructor === 'object' &&
        Object.prototype.hasOwnProperty.call(constructor, 'prototype')
      ) {
        return {
          key: 'constructor.prototype',
          path: pathOf(visit, ['constructor', 'prototype']),
        };
      }
      for (const [key, child] of Object.entries(node)) {
        if (child !== null && typeof child === 'object') {
          next.push({ node: child as object, parent: visit, key });
        }
      }
    }
    level = next;
  }
  return undefined;
}

function pathOf(visit: Visit, tail: string[]): string {
  const keys = [...tail].reverse();
  for (let at: Visit | null = visit; at?.parent; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

function forbiddenKeyError({ key, path }: ForbiddenKey): ApiError {
  // Both are the client's text: a body of 16 KB could name a path as long.
  const where = path === key ? '' : ` (at ${clipped(path)})`;
  return new ApiError(
    400,
    'forbidden_key',
    `the key "${key}" is not allowed in a request body${where}`,
  );
}
