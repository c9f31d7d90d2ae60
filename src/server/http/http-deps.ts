import type { FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import type { TokenIssuer } from '../auth/tokens';
import type { Broker } from '../broker/broker';
import type { Config } from '../config';
import type { Storage } from '../storage';

export interface HttpDeps {
  config: Config;
  storage: Storage;
  tokens: TokenIssuer;
  logger: Logger;
  /**
   * The embedded broker, for the admin console's sessions, retained messages, health and
   * live effects. Absent when the HTTP side runs alone (an external MQTT cluster, or the
   * API tests): those endpoints answer 503 and changes apply from the next connection.
   */
  broker?: Broker;
  /**
   * When recording a message into the history last failed (ms since the epoch), if it has:
   * a message missing from the history then proves nothing (app.ts keeps it).
   */
  historyFailedAt?(): number | null;
  /**
   * Whether every listener is up (`GET /healthz` says "starting" until then). Absent: ready
   * (the HTTP side alone).
   */
  ready?(): boolean;
  /** The lead's app.ts passes this to share one server between HTTP and /mqtt upgrades. */
  serverFactory?: FastifyServerFactory;
  /**
   * The built browser app. Default: `dist/` at the repository root, served only when it
   * holds an index.html; null serves no app at all (API only).
   */
  staticDir?: string | null;
}
