import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import { eventually } from '../support/eventually';
import { holdNextConnect } from '../support/hold-connect';
import { subscribeGrants } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';

// A connection can go while aedes is still setting it up (its credentials accepted, its
// session being restored). aedes then registers it all the same, or never finishes: the
// broker must keep neither a dead client nor its session "in use" for ever.

const HOUR_MS = 3_600_000;
const fixture = useTestServer();
const { member } = fixture;

const clients = () =>
  (fixture.server.broker.aedes as unknown as { clients: Record<string, unknown> }).clients;

/** alice's tab connecting with a token, without waiting for the CONNACK. */
async function startConnecting(clientId: string): Promise<mqtt.MqttClient> {
  const { token } = await fixture.server.tokens.mint({
    org: 'demo',
    user: 'alice',
    clientId,
    acl: roleRules('member'),
  });
  return mqtt.connect(fixture.server.wsUrl, {
    username: 'alice@demo',
    password: token,
    clientId,
    clean: false,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
}

type SetUpStep = Parameters<typeof holdNextConnect>[2];

/**
 * alice's tab starts connecting and is gone while aedes holds its set-up at `step`, as
 * the broker sees it; then aedes goes on.
 */
async function goneWhileSetUp(clientId: string, step: SetUpStep): Promise<void> {
  const hold = holdNextConnect(fixture.server.broker.aedes, clientId, step);
  try {
    const client = await startConnecting(clientId);
    await hold.reached;
    client.end(true);
    await eventually(() => hold.connection()?.closed === true, 2_000, 'seen closed');
  } finally {
    hold.restore(); // releases it
  }
}

/** Resolves when aedes goes on to register the client id (lib/aedes.js). */
function registering(clientId: string): Promise<void> {
  const registry = fixture.server.broker.aedes as unknown as {
    _finishRegisterClient(client: { id: string }): void;
  };
  const finish = registry._finishRegisterClient.bind(registry);
  return new Promise((resolve) => {
    registry._finishRegisterClient = (client) => {
      finish(client);
      if (client.id !== `demo:alice:${clientId}`) return;
      registry._finishRegisterClient = finish;
      resolve();
    };
  });
}

const connectedClients = () => fixture.server.broker.aedes.connectedClients;

describe('a connection gone while aedes sets it up', () => {
  it('is not kept registered', async () => {
    const clientId = 'alice-gone-early';
    const before = connectedClients();
    const registered = registering(clientId);
    await goneWhileSetUp(clientId, 'subscriptionsByClient');
    await registered; // aedes finishes setting the closed client up, and would register it
    await eventually(() => !(`demo:alice:${clientId}` in clients()), 2_000, 'unregistered');
    expect(connectedClients()).toBe(before);
  });

  it('does not keep its stored session from expiring', async () => {
    const clientId = 'alice-gone-restoring';
    const first = await member('alice', { clientId, clean: false });
    await subscribeGrants(first, ['chat/+/+']);
    await first.endAsync();
    await eventually(async () =>
      (await fixture.server.broker.admin.storedSessions('demo')).some(
        (s) => s.clientId === clientId,
      ),
    );
    // Gone while its subscriptions were being fetched: aedes never finishes its set-up.
    await goneWhileSetUp(clientId, 'subscriptionsByClient');
    await eventually(
      async () =>
        (await fixture.server.broker.expireSessions(Date.now() + 1, HOUR_MS)).some(
          (session) => session.clientId === clientId,
        ),
      2_000,
      'expired',
    );
  });

  it('still takes over the live client of its id, and aedes’ registry stays right', async () => {
    const clientId = 'alice-taken-over';
    const before = connectedClients();
    const live = await member('alice', { clientId, clean: false });
    await subscribeGrants(live, ['chat/+/+']);
    const liveClosed = new Promise<void>((resolve) => live.once('close', () => resolve()));
    // aedes' close of the newcomer used to drop the id's registration, the live client's,
    // which then stayed connected, unknown to aedes, and was never reported gone.
    await goneWhileSetUp(clientId, 'delWill');
    await liveClosed; // taken over, as a CONNECT of its id does [MQTT-3.1.4-2]
    await eventually(async () =>
      (await fixture.server.broker.admin.storedSessions('demo')).some(
        (s) => s.clientId === clientId,
      ),
    );
    expect(`demo:alice:${clientId}` in clients()).toBe(false);
    await eventually(() => connectedClients() === before, 2_000, 'count back');
  });
});
