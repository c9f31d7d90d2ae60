import net from 'node:net';
import type { BrowserContext } from 'playwright-core';

/** A network path from a browser context to the broker that the test can cut and restore. */
export interface BrokerLink {
  /** Drops the open connections and refuses new ones, as a lost network would. */
  cut(): void;
  /** Lets the next connection attempt through. */
  restore(): void;
}

/**
 * Sends the context's MQTT connections through a TCP relay on loopback to `serverUrl` (the
 * server's HTTP port, which carries its WebSockets): the context's tokens name the relay's
 * port in their broker URL. Playwright's own routeWebSocket cannot carry the app's
 * connection (its stand-in WebSocket sets `bufferedAmount`, which the app's WebSocket
 * subclass only reads), and a relay is closer to what a dropped network does anyway.
 * Call before the context's first page; the relay closes with `onClose`. The page may
 * connect to the relay only if its Content-Security-Policy allows it: start the server with
 * the relay's origin (`relayPort`, from freePort) in ALLOWED_ORIGINS.
 */
export async function routeThroughLink(
  context: BrowserContext,
  serverUrl: string,
  onClose: (close: () => Promise<void>) => void,
  relayPort = 0,
): Promise<BrokerLink> {
  const target = new URL(serverUrl);
  let up = true;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((page) => {
    if (!up) {
      page.destroy();
      return;
    }
    const server = net.connect(Number(target.port), target.hostname);
    for (const [from, to] of [
      [page, server],
      [server, page],
    ] as const) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
  onClose(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => relay.close(resolve));
  });
  const { port } = relay.address() as net.AddressInfo;

  await context.route('**/api/token', async (route) => {
    const response = await route.fetch();
    const token = (await response.json()) as { url: string };
    const url = new URL(token.url);
    url.port = String(port);
    await route.fulfill({ response, json: { ...token, url: url.toString() } });
  });
  return {
    cut() {
      up = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      up = true;
    },
  };
}
