import type { Aedes, Client } from 'aedes';
import { describe, expect, it } from 'vitest';
import { guardClientRegistry } from '../../../src/server/broker/client-registry';

/** aedes' registry as lib/aedes.js keeps it: by client id, with a count. */
function registry() {
  const events: string[] = [];
  const broker = {
    clients: {} as Record<string, Client>,
    connectedClients: 0,
    _finishRegisterClient(client: Client) {
      this.connectedClients++;
      this.clients[client.id] = client;
    },
    unregisterClient(client: Client) {
      this.connectedClients--;
      delete this.clients[client.id];
      this.emit('clientDisconnect', client);
    },
    emit(event: string, client: Client) {
      events.push(`${event} ${(client as unknown as { name: string }).name}`);
      return true;
    },
  };
  guardClientRegistry(broker as unknown as Aedes);
  const client = (name: string) => ({ id: 'demo:alice:tab', name }) as unknown as Client;
  return { broker, events, client };
}

describe('guardClientRegistry', () => {
  it('ignores the unregistering of a client aedes never registered', () => {
    const { broker, events, client } = registry();
    const live = client('live');
    broker._finishRegisterClient(live);
    broker.unregisterClient(client('newcomer gone during set-up'));
    expect(broker.clients[live.id]).toBe(live);
    expect(broker.connectedClients).toBe(1);
    expect(events).toEqual([]);
  });

  it('reports a replaced client gone without dropping its successor', () => {
    const { broker, events, client } = registry();
    const old = client('old');
    const successor = client('successor');
    broker._finishRegisterClient(old);
    broker._finishRegisterClient(successor); // a takeover whose old close finishes late
    broker.unregisterClient(old);
    expect(broker.clients[old.id]).toBe(successor);
    expect(broker.connectedClients).toBe(1);
    broker.unregisterClient(successor);
    expect(broker.clients).toEqual({});
    expect(broker.connectedClients).toBe(0);
    expect(events).toEqual(['clientDisconnect old', 'clientDisconnect successor']);
  });

  it('unregisters a client once', () => {
    const { broker, events, client } = registry();
    const tab = client('tab');
    broker._finishRegisterClient(tab);
    broker.unregisterClient(tab);
    broker.unregisterClient(tab);
    expect(broker.connectedClients).toBe(0);
    expect(events).toEqual(['clientDisconnect tab']);
  });
});
