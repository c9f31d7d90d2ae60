import type { Aedes, Client } from 'aedes';

// What-if changes to the server, applied only inside the benchmark's server process, to
// measure a proposed change before anyone makes it in src/. Each names what it would change.

export const EXPERIMENTS = {
  /**
   * aedes looks up every PUBACK in the persistence (a LevelDB get on disk) to clear the
   * stored outgoing packet; a clean session never stores one (aedes writes its QoS 1
   * deliveries without outgoingUpdate), so the lookup always misses. Switchboard now
   * answers "not found" for clean sessions at once (src/server/broker/persistence.ts);
   * this applies the same to the plain-Aedes reference.
   */
  'clean-puback': (aedes: Aedes) => {
    // aedes' types leave the persistence out; it is the instance given at creation.
    const { persistence } = aedes as unknown as {
      persistence: {
        outgoingClearMessageId(client: Client, packet: unknown): Promise<unknown>;
      };
    };
    const clearMessageId = persistence.outgoingClearMessageId.bind(persistence);
    persistence.outgoingClearMessageId = (client, packet) =>
      client.clean ? Promise.resolve(undefined) : clearMessageId(client, packet);
  },
} satisfies Record<string, (aedes: Aedes) => void>;

export type ExperimentName = keyof typeof EXPERIMENTS;

export function applyExperiments(aedes: Aedes, names: string[]): void {
  for (const name of names) {
    const experiment = EXPERIMENTS[name as ExperimentName];
    if (!experiment)
      throw new Error(`unknown experiment ${name}: ${Object.keys(EXPERIMENTS).join(', ')}`);
    experiment(aedes);
  }
}
