import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export async function registerSecurityHeaders(app: FastifyInstance, tls: boolean): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The MQTT WebSocket lives on this host, but ws:/wss: are separate schemes to CSP.
        connectSrc: ["'self'", 'ws:', 'wss:'],
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
    strictTransportSecurity: tls ? { maxAge: 15_552_000, includeSubDomains: false } : false,
  });
}
