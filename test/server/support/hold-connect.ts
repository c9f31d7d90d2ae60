import type { Aedes, Client } from 'aedes';

/** The persistence calls aedes makes while it sets a persistent session's CONNECT up. */
type SetUpStep = 'subscriptionsByClient' | 'delWill';

/**
 * Holds `clientId`'s next CONNECT at one step of aedes' set-up (lib/handlers/connect.js):
 * `subscriptionsByClient` (fetchSubs, after its credentials and rules were read) or
 * `delWill` (storeWill, after its stored subscriptions were restored), before aedes
 * registers the connection. Call `restore` when done, in a `finally`: it also releases.
 */
export function holdNextConnect(aedes: Aedes, clientId: string, step: SetUpStep) {
  // The server's side of the connection, from its CONNECT packet on.
  let connection: Client | undefined;
  const preConnect = aedes.preConnect.bind(aedes);
  aedes.preConnect = (client, packet, callback) => {
    if (!connection && packet.clientId === clientId) connection = client;
    preConnect(client, packet, callback);
  };
  const persistence = (aedes as unknown as { persistence: Record<SetUpStep, Step> }).persistence;
  const original = persistence[step].bind(persistence);
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  persistence[step] = async (client, ...rest) => {
    // This CONNECT's call only (an admin's rule change reads an away session's too).
    if (!held && client.id.endsWith(`:${clientId}`)) {
      held = true;
      reach();
      await released;
    }
    return original(client, ...rest);
  };
  return {
    reached,
    release,
    /** The broker's client for this CONNECT (to see when the broker has seen it close). */
    connection: () => connection,
    restore: () => {
      release();
      persistence[step] = original;
      aedes.preConnect = preConnect;
    },
  };
}

type Step = (client: { id: string }, ...rest: unknown[]) => Promise<unknown>;
