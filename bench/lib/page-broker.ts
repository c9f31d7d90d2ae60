import type { Page } from 'playwright-core';
import type { LoadBroker } from './load-publishers';
import type { LoadWatch } from './load-watch';
import { startMosquittoTarget, type SwitchboardTarget } from './targets';

// The broker bench:page's page and load talk to. Switchboard's own, as in use; or, with
// --broker=mosquitto, Mosquitto as a reference: the same page, signed in by the same
// server, with its MQTT WebSocket sent to Mosquitto instead, so the figures show what the
// page and the machine cost without Switchboard's broker (no ACL, history or sender check;
// nothing the page shows depends on them).

export interface PageBroker extends LoadBroker {
  name: 'switchboard' | 'mosquitto';
  /** The broker's process, whose CPU is reported as the server's. */
  pid: number;
  /** Registers the agents that publish the load (Switchboard needs them as users). */
  addAgents(names: string[]): Promise<void>;
  seedRetained(topics: string[], payload: string): Promise<void>;
  /** Points the page's MQTT connection at this broker; call before signing in. */
  connectPage(page: Page): Promise<void>;
  /** The broker process' view of the load (Switchboard only; null for Mosquitto). */
  startWatch(options: { stamps: boolean; allocations?: boolean }): Promise<void>;
  stopWatch(): Promise<LoadWatch | null>;
  stop(): Promise<void>;
}

export function switchboardBroker(server: SwitchboardTarget): PageBroker {
  return {
    name: 'switchboard',
    pid: server.pid,
    mqttUrl: server.mqttUrl,
    mint: server.mint,
    addAgents: server.addAgents,
    seedRetained: server.seedRetained,
    connectPage: async () => {},
    startWatch: server.startWatch,
    stopWatch: server.stopWatch,
    stop: async () => {}, // the page's server stops it
  };
}

/** Mosquitto on free loopback ports, anonymous; throws when it is not installed. */
export async function mosquittoBroker(): Promise<PageBroker> {
  const mosquitto = await startMosquittoTarget();
  if (!mosquitto) throw new Error('--broker=mosquitto needs Mosquitto installed');
  return {
    name: 'mosquitto',
    pid: mosquitto.pid,
    mqttUrl: mosquitto.mqttUrl,
    // Mosquitto without a password file takes any credentials.
    mint: async (_user, clientIds) => clientIds.map(() => 'any'),
    addAgents: async () => {},
    seedRetained: (topics, payload) => mosquitto.seedRetained(topics, payload),
    async connectPage(page) {
      // The token names the broker URL (DESIGN.md); every token the page gets, at sign-in
      // and on renewal, names Mosquitto's WebSocket listener instead.
      await page.route('**/api/token', async (route) => {
        const response = await route.fetch();
        const token = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: { ...token, url: mosquitto.wsUrl } });
      });
    },
    startWatch: async () => {},
    stopWatch: async () => null,
    stop: () => mosquitto.stop(),
  };
}
