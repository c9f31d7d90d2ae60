import type { FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import type { TokenIssuer } from '../auth/tokens';
import type { Config } from '../config';
import type { Storage } from '../storage';

export interface HttpDeps {
  config: Config;
  storage: Storage;
  tokens: TokenIssuer;
  logger: Logger;
  /** The lead's app.ts passes this to share one server between HTTP and /mqtt upgrades. */
  serverFactory?: FastifyServerFactory;
  /**
   * The built browser app. Default: `dist/` at the repository root, served only when it
   * holds an index.html; null serves no app at all (API only).
   */
  staticDir?: string | null;
}
