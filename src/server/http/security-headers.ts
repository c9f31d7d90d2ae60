import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { brokerOrigin, webSocketOriginOf } from './broker-origin';

export async function registerSecurityHeaders(app: FastifyInstance, config: Config): Promise<void> {
  // Helmet hands directive functions the raw request, which knows nothing of TRUST_PROXY:
  // the broker's origin is worked out from Fastify's request first, in a hook before its own.
  const brokerOrigins = new WeakMap<IncomingMessage, string>();
  app.addHook('onRequest', async (request) => {
    const origin = brokerOrigin(request, config);
    if (origin !== undefined) brokerOrigins.set(request.raw, origin);
  });
  // A page of this server connects to the broker where POST /api/token says (the ws: or
  // wss: form of the host it was loaded from). 'self' covers that in CSP3 browsers; it is
  // named as well for those that take 'self' to be the page's own scheme only. The origins
  // ALLOWED_ORIGINS lists may be where its WebSocket is reached too (another port, a relay).
  // Not `ws: wss:`: an injected script could then send anything to any host.
  const ownBroker = (req: IncomingMessage) => brokerOrigins.get(req) ?? "'self'";
  const allowedBrokers = config.allowedOrigins.map(webSocketOriginOf);

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'", ownBroker, ...allowedBrokers],
        // React and the virtualiser set inline style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // mqtt.js runs its keepalive timers in a Worker made from a blob URL, so a tab in
        // the background (where timers are throttled) still pings the broker in time.
        workerSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Over plain http (localhost, a LAN address) upgrading subresources to https would
        // break the app; with TLS there is nothing insecure left to upgrade.
        upgradeInsecureRequests: null,
      },
    },
    // HSTS only where the server itself speaks TLS; sent over http it would be ignored
    // anyway, and behind a proxy the proxy owns that decision.
    strictTransportSecurity:
      config.tls !== null ? { maxAge: 15_552_000, includeSubDomains: false } : false,
  });
}
