/** The will calls of aedes-persistence, as aedes-persistence-level implements them. */
export interface WillStore {
  putWill(client: WillWriter, packet: object): Promise<void>;
  getWill(client: { id: string }): Promise<{ brokerId?: string } | undefined>;
  delWill(client: { id: string; brokerId?: string }): Promise<unknown>;
}

/** Who stored a will: aedes passes the connection's own client to putWill. */
interface WillWriter {
  id: string;
  closed?: boolean;
}

/**
 * aedes deletes a will it has sent, or that a clean DISCONNECT voided [MQTT-3.1.2-10], as
 * `{ id, brokerId }`: the id, not the connection. aedes-persistence-level ignores the broker
 * and deletes whatever will the id holds by then, which may be a newer connection's:
 * - after a restart, aedes' sweep of the crashed run's wills deletes the one the session,
 *   connected again, has just stored;
 * - an old connection closing as a new one of its id connects (a takeover, or its socket
 *   dropped as its client reconnects) deletes the new one's, which aedes stores before it
 *   registers the new connection, and which may land before the old one's delete.
 * A will deleted so is still sent if its connection drops, but never after a crash.
 *
 * So a delete naming a broker goes only if that broker stored the will and the connection
 * that stored it is closed: a close marks its connection closed before it deletes the will,
 * so a writer still open is a newer connection. aedes' map of connected clients cannot tell:
 * it holds no one between the old connection's unregistering and the new one's registering,
 * when the new one's will may be stored already. And each id's will calls run one after the
 * other: the check and the delete are separate reads and writes, and a will stored between
 * them was deleted unseen.
 *
 * A delete naming no broker (a CONNECT's, before it stores its own will; a session's
 * forgetting) deletes whatever is there, as before.
 */
export function deleteOnlyOwnWills(store: WillStore): void {
  const putWill = store.putWill.bind(store);
  const getWill = store.getWill.bind(store);
  const delWill = store.delWill.bind(store);
  // Of this run only: a will of an earlier run is told by its broker id.
  const writers = new Map<string, WillWriter>();
  const inTurn = oneAtATime();
  const forgetClosedWriter = (id: string) => {
    if (writers.get(id)?.closed) writers.delete(id);
  };
  store.putWill = (client, packet) =>
    inTurn(client.id, async () => {
      // Closed already: its close sends the will from memory, or has deleted it; stored
      // now, it would outlive the connection and go out after the next crash.
      if (client.closed === true) return;
      writers.set(client.id, client);
      return putWill(client, packet);
    });
  store.delWill = (client) =>
    inTurn(client.id, async () => {
      if (client.brokerId !== undefined) {
        const stored = await getWill(client).catch((error: unknown) => {
          forgetClosedWriter(client.id);
          throw error;
        });
        if (stored === undefined || stored.brokerId !== client.brokerId) {
          // Nothing of this run's to delete; a closed writer (a whole connection, with its
          // socket and buffers) must not stay here until the id's next will.
          forgetClosedWriter(client.id);
          return undefined;
        }
        // aedes' clients have `closed`; a writer without it (a tool's) is no connection.
        if (writers.get(client.id)?.closed === false) return undefined;
      }
      writers.delete(client.id);
      return delWill(client);
    });
}

/** Runs each key's work after that key's earlier work has settled. */
function oneAtATime() {
  const last = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const result = (last.get(key) ?? Promise.resolve()).then(work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    last.set(key, settled);
    void settled.then(() => {
      if (last.get(key) === settled) last.delete(key);
    });
    return result;
  };
}
