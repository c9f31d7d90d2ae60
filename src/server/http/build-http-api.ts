import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin';
import { agentCommandRoutes } from './agent-commands';
import { answerError, ApiError, errorBody, notFoundError, registerErrorHandlers } from './errors';
import { healthRoutes } from './health';
import { registerCsrfGuard } from './csrf-guard';
import { historyRoutes } from './history';
import { notificationRoutes } from './notifications';
import type { HttpDeps } from './http-deps';
import { registerJsonBodyParser } from './json-body';
import { jwksRoutes } from './jwks';
import { lastKnownRoutes } from './last-known';
import { peopleRoutes } from './people';
import { readPositionRoutes } from './read-positions';
import { roomRoutes } from './rooms';
import { registerSecurityHeaders } from './security-headers';
import { sessionRoutes } from './session';
import { DEFAULT_STATIC_DIR, isSpaRoute, registerStaticApp, sendAppShell } from './static-app';
import { tokenRoutes } from './token';
import { registerForwardedHeaders, trustedProxies } from './trusted-proxy';

// Every API body is a few fields; refusing big ones early costs nothing.
const BODY_LIMIT_BYTES = 16 * 1024;
const MAX_PARAM_LENGTH = 1_000;

/**
 * The HTTP side: sign-in, broker tokens, rooms, people, history, agents' command logs, admin
 * console, health, JWKS, and the built app. Does not listen: app.ts owns the server (and its
 * /mqtt upgrades).
 */
export async function buildHttpApi(deps: HttpDeps): Promise<FastifyInstance> {
  const { config, logger } = deps;
  const base = {
    // pino's Logger is a FastifyBaseLogger; naming the base type keeps one instance type.
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request from the onResponse hook below instead of two from Fastify.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Longer than any valid id, percent-encoded: a route's own check then answers 400 with
    // what is wrong, where the router's default (100) answered a bare 404.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors raised before routing (a malformed URL) get the API's error shape too.
    frameworkErrors: answerError(logger),
    // request.ip, .protocol and .host from X-Forwarded-* only when a TRUST_PROXY proxy sent them.
    trustProxy: trustedProxies(config.trustProxy) ?? false,
  };
  const app: FastifyInstance = deps.serverFactory
    ? Fastify({ ...base, serverFactory: deps.serverFactory })
    : config.tls
      ? // An https server is still driven through the same request/reply API; the cast
        // only widens the raw server type the routes never touch.
        (Fastify({
          ...base,
          https: { cert: config.tls.cert, key: config.tls.key },
        }) as unknown as FastifyInstance)
      : Fastify(base);

  app.decorateRequest('auth', null);
  registerErrorHandlers(app, logger);
  // First: every later hook (the CSRF guard, rate limits) reads request.ip and .protocol.
  // Without a trusted proxy Fastify reads no X-Forwarded header: nothing to make plain.
  if (config.trustProxy.length > 0) registerForwardedHeaders(app);
  registerCsrfGuard(app, config.allowedOrigins);
  registerJsonBodyParser(app);
  await registerSecurityHeaders(app, config);
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'rate_limited', `too many attempts; try again in ${context.after}`),
  });

  app.addHook('onResponse', async (request, reply) => {
    logger.info(
      {
        method: request.method,
        url: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'http request',
    );
  });

  healthRoutes(app, deps.ready);
  jwksRoutes(app, deps);
  sessionRoutes(app, deps);
  tokenRoutes(app, deps);
  roomRoutes(app, deps);
  peopleRoutes(app, deps);
  historyRoutes(app, deps);
  readPositionRoutes(app, deps);
  notificationRoutes(app, deps);
  lastKnownRoutes(app, deps);
  agentCommandRoutes(app, deps);
  await adminRoutes(app, deps);

  const servesApp = await registerStaticApp(
    app,
    deps.staticDir === undefined ? DEFAULT_STATIC_DIR : deps.staticDir,
  );
  app.setNotFoundHandler(async (request, reply) => {
    if (servesApp && isSpaRoute(request)) return sendAppShell(reply);
    const err = notFoundError(request.method, request.url);
    return reply.code(404).send(errorBody(err.code, err.message));
  });

  return app;
}
