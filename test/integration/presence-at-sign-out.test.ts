import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/client/lib/api/api-error';
import type {
  BrokerToken,
  ClientFactory,
  MqttClientLike,
} from '../../src/client/lib/mqtt/client-types';
import { Connection } from '../../src/client/lib/mqtt/connection';
import { createMqttClient } from '../../src/client/lib/mqtt/mqtt-client-factory';
import { roleRules } from '../../src/shared/acl';
import { eventually } from '../server/support/eventually';
import { connect, record, subscribeGrants } from '../server/support/mqtt-clients';
import { startTestServer, type TestServer } from '../server/support/test-server';

// What everyone else sees of a tab's presence once it has signed out (or its session
// ended) in the middle of a broker-token renewal, the few seconds in which the renewal
// has said DISCONNECT on the old client (which discards its offline Last Will) and the
// new client is not up yet. Real mqtt.js, real WebSocket, real broker.

const USER = 'alice';
const CLIENT_ID = 'alice-renewing';
// The token the app is told about lives this long, so the renewal starts after 80 % of
// it; the JWT itself lives the server's TTL, so every CONNECT here is accepted.
const REPORTED_LIFETIME_MS = 1_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Hooks {
  /** Called with each token request (1: the first connect, 2: the renewal, …). */
  onTokenRequest?(request: number): Promise<void> | void;
  /** Called just after each client is created (1: the first, 2: the renewal's, …). */
  onClientCreated?(index: number): void;
  /** Called when a client is ended gracefully (the renewal ends the first one so). */
  onGracefulEnd?(index: number): void;
}

function openConnection(server: TestServer, hooks: Hooks): Connection {
  let requests = 0;
  let created = 0;
  const createClient: ClientFactory = (options, events) => {
    const index = ++created;
    const client = createMqttClient(options, events);
    const watched: MqttClientLike = {
      subscribe: (subscriptions, done) => client.subscribe(subscriptions, done),
      publish: (topic, payload, publishOptions, done) =>
        client.publish(topic, payload, publishOptions, done),
      ping: (done) => client.ping(done),
      end: (force, done) => {
        client.end(force, done);
        if (!force) hooks.onGracefulEnd?.(index);
      },
    };
    queueMicrotask(() => hooks.onClientCreated?.(index));
    return watched;
  };
  const connection = new Connection({
    createClient,
    subscriptions: [{ filter: 'presence/+/+', qos: 0 }],
    async getToken(): Promise<BrokerToken> {
      const request = ++requests;
      await hooks.onTokenRequest?.(request);
      const { token, issuedAt } = await server.tokens.mint({
        org: 'demo',
        user: USER,
        clientId: CLIENT_ID,
        acl: roleRules('member'),
      });
      return {
        url: server.wsUrl,
        username: `${USER}@demo`,
        password: token,
        clientId: CLIENT_ID,
        issuedAt,
        expiresAt: issuedAt + REPORTED_LIFETIME_MS,
        protocolVersion: 4,
      };
    },
    onMessage: () => {},
    network: { isOnline: () => true, subscribe: () => () => {} },
    random: () => 0,
  });
  cleanups.push(async () => connection.dispose());
  return connection;
}

let observers = 0;

/** What a member who subscribes now is sent retained on presence/alice/+. */
async function retainedPresence(server: TestServer): Promise<Record<string, string>> {
  const clientId = `bob-${++observers}`;
  const { token } = await server.tokens.mint({
    org: 'demo',
    user: 'bob',
    clientId,
    acl: roleRules('member'),
  });
  const bob = await connect(server.wsUrl, {
    username: 'bob@demo',
    password: token,
    clientId,
    clean: true,
  });
  try {
    const seen = record(bob);
    expect(await subscribeGrants(bob, [`presence/${USER}/+`], 0)).toEqual([0]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // retained come after the SUBACK
    const statuses: Record<string, string> = {};
    for (const message of seen) {
      if (!message.retain) continue;
      const status = message.payload === '' ? 'cleared' : JSON.parse(message.payload).status;
      statuses[message.topic.split('/')[2] ?? ''] = status;
    }
    return statuses;
  } finally {
    await bob.endAsync(true);
  }
}

function aliceConnections(server: TestServer): number {
  return server.broker.connections().filter((identity) => identity.user === USER).length;
}

function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const poll = () => {
      if (condition()) return resolve();
      if (Date.now() - startedAt > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(poll, 10);
    };
    poll();
  });
}

async function started(): Promise<TestServer> {
  const server = await startTestServer();
  cleanups.push(() => server.cleanup());
  return server;
}

/** Starts the connection and waits until the broker holds alice's retained "online". */
async function online(server: TestServer, connection: Connection): Promise<void> {
  connection.start();
  await until(() => connection.getState().status === 'connected');
  await until(() => aliceConnections(server) === 1);
  expect(await retainedPresence(server)).toEqual({ [CLIENT_ID]: 'online' });
}

/** A sign-out a hook starts at the moment under test; `done` settles when it has. */
function deferredSignOut(): { start(connection: Connection): void; done: Promise<void> } {
  let resolve!: (promise: Promise<void>) => void;
  const started = new Promise<Promise<void>>((r) => (resolve = r));
  return {
    start: (connection) => resolve(connection.signOut()),
    done: started.then((signingOut) => signingOut),
  };
}

describe('presence after signing out during a token renewal', () => {
  it('is offline when sign-out comes while the renewal ends the old client', async () => {
    const server = await started();
    const signOut = deferredSignOut();
    const connection: Connection = openConnection(server, {
      onGracefulEnd: (index) => {
        if (index === 1) signOut.start(connection);
      },
    });
    await online(server, connection);

    await signOut.done;
    expect(connection.getState().status).toBe('signed-out');
    expect(await retainedPresence(server)).toEqual({ [CLIENT_ID]: 'offline' });
    await until(() => aliceConnections(server) === 0);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing comes up again
    expect(aliceConnections(server)).toBe(0);
    expect(await retainedPresence(server)).toEqual({ [CLIENT_ID]: 'offline' });
  });

  it('is offline when sign-out comes while the renewal’s new client is connecting', async () => {
    const server = await started();
    const signOut = deferredSignOut();
    const connection: Connection = openConnection(server, {
      onClientCreated: (index) => {
        if (index === 2) signOut.start(connection);
      },
    });
    await online(server, connection);

    await signOut.done;
    expect(await retainedPresence(server)).toEqual({ [CLIENT_ID]: 'offline' });
    await until(() => aliceConnections(server) === 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(aliceConnections(server)).toBe(0);
    expect(await retainedPresence(server)).toEqual({ [CLIENT_ID]: 'offline' });
  });

  it('is offline when sign-out comes while the renewal waits for its token, and nothing reconnects', async () => {
    const server = await started();
    let releaseToken!: () => void;
    const tokenHeld = new Promise<void>((resolve) => (releaseToken = resolve));
    const signOut = deferredSignOut();
    const connection: Connection = openConnection(server, {
      onTokenRequest: async (request) => {
        if (request !== 2) return;
        signOut.start(connection);
        await tokenHeld;
      },
    });
    await online(server, connection);

    await signOut.done;
    releaseToken(); // the renewal's token arrives after sign-out
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(aliceConnections(server)).toBe(0);
    expect(await retainedPresence(server)).toEqual({ [CLIENT_ID]: 'offline' });
  });

  it('is offline when the session ends at renewal (the token request is refused)', async () => {
    const server = await started();
    const connection = openConnection(server, {
      onTokenRequest: (request) => {
        if (request === 2) throw new ApiError(401, 'unauthorized', 'session ended');
      },
    });
    await online(server, connection);

    await until(() => connection.getState().status === 'auth-error');
    // The live client was closed without DISCONNECT, so the broker publishes its Last Will.
    await until(() => aliceConnections(server) === 0);
    await eventually(
      async () => (await retainedPresence(server))[CLIENT_ID] === 'offline',
      5_000,
      'a retained offline',
    );
  });

  it('leaves no connection behind when sign-out comes before the first CONNACK', async () => {
    const server = await started();
    const signOut = deferredSignOut();
    const connection: Connection = openConnection(server, {
      onClientCreated: (index) => {
        if (index === 1) signOut.start(connection);
      },
    });
    connection.start();

    await signOut.done;
    // Long enough for the broker to have accepted the CONNECT that was on its way.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(aliceConnections(server)).toBe(0);
    expect(await retainedPresence(server)).not.toEqual({ [CLIENT_ID]: 'online' });
  });
});
