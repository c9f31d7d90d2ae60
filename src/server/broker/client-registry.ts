import type { Aedes, Client } from 'aedes';

// aedes' own bookkeeping of registered clients, which it keeps by client id.
interface Registry {
  clients: Record<string, Client>;
  connectedClients: number;
  _finishRegisterClient(client: Client): void;
  unregisterClient(client: Client): void;
  emit(event: 'clientDisconnect', client: Client): boolean;
}

/**
 * Keeps aedes from unregistering a client of the same id as the one closing.
 *
 * A closing client unregisters whichever client holds its id (lib/client.js, close: "if
 * (broker.clients[that.id] && that._authorized)"). So a client that closes while aedes
 * sets it up drops the registration of the live one it was about to take over, which then
 * never reports its own disconnect (its session is never flushed, it stays counted), and
 * an old client whose close completes after its successor registered drops the successor.
 * Here only a registered client is unregistered, once, and the id's entry only by the
 * client it names; one already replaced is reported gone without touching its successor.
 * And a client that closed while aedes set it up is not registered at all (aedes goes on
 * setting it up and registers it, where nothing would ever unregister it).
 */
export function guardClientRegistry(aedes: Aedes): void {
  const broker = aedes as unknown as Registry;
  const registered = new WeakSet<Client>();
  const gone = new WeakSet<Client>();
  const finish = broker._finishRegisterClient.bind(broker);
  broker._finishRegisterClient = (client) => {
    // Closed while aedes set it up (it goes on regardless): registered, it would stay.
    if (client.closed) return;
    registered.add(client);
    finish(client);
  };
  const unregister = broker.unregisterClient.bind(broker);
  broker.unregisterClient = (client) => {
    if (!registered.has(client) || gone.has(client)) return;
    gone.add(client);
    if (broker.clients[client.id] === client) {
      unregister(client);
      return;
    }
    broker.connectedClients--;
    broker.emit('clientDisconnect', client);
  };
}
