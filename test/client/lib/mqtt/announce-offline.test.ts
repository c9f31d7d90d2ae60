import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  announceOffline,
  OFFLINE_CONNECT_TIMEOUT_MS,
  OFFLINE_END_TIMEOUT_MS,
  OFFLINE_PUBLISH_TIMEOUT_MS,
} from '../../../../src/client/lib/mqtt/announce-offline';
import type { BrokerToken, ClientOptions } from '../../../../src/client/lib/mqtt/client-types';
import { Connection } from '../../../../src/client/lib/mqtt/connection';
import { Outbox } from '../../../../src/client/lib/mqtt/outbox';
import { FakeMqttFactory } from '../../support/fake-mqtt';
import { tokenFor } from '../../support/fixtures';

// The broker-level check (what another member sees retained) is
// test/integration/presence-at-sign-out.test.ts; these pin the order and the time limits.

const CLIENT_ID = 'alice-tab1';
const PRESENCE = `presence/alice/${CLIENT_ID}`;
const TTL_MS = 10_000;
const OFFLINE = JSON.stringify({ status: 'offline', since: 1 });

const OPTIONS: ClientOptions = {
  url: 'ws://localhost:3000/mqtt',
  clientId: CLIENT_ID,
  username: 'alice@demo',
  password: 'jwt',
  protocolVersion: 4,
  clean: false,
  reconnectPeriod: 0,
  keepaliveSeconds: 30,
  connectTimeoutMs: 10_000,
  will: { topic: PRESENCE, payload: OFFLINE, qos: 1, retain: true },
};

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function resolvedFlag(promise: Promise<void>): () => boolean {
  let resolved = false;
  void promise.then(() => (resolved = true));
  return () => resolved;
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2025-01-01T10:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('announceOffline', () => {
  it('publishes offline retained after the CONNACK, then disconnects cleanly', async () => {
    const factory = new FakeMqttFactory();
    const done = resolvedFlag(announceOffline(factory.create, OPTIONS, PRESENCE, OFFLINE));
    const client = factory.last;
    expect(client.options.will).toEqual(OPTIONS.will); // dropped after its CONNACK, it still says offline
    client.acceptConnect();
    expect(client.publishedOn(PRESENCE)).toEqual([
      expect.objectContaining({ payload: OFFLINE, qos: 1, retain: true }),
    ]);
    expect(client.ended).toBeNull(); // waits for the PUBACK
    client.ackAll();
    await settle();
    expect(client.ended).toEqual({ force: false });
    expect(done()).toBe(true);
  });

  it('gives up, closing the socket, when the broker never answers the CONNECT', async () => {
    const factory = new FakeMqttFactory();
    const done = resolvedFlag(announceOffline(factory.create, OPTIONS, PRESENCE, OFFLINE));
    await vi.advanceTimersByTimeAsync(OFFLINE_CONNECT_TIMEOUT_MS - 1);
    expect(done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(factory.last.ended).toEqual({ force: true });
    expect(done()).toBe(true);
  });

  it('stops at a refused CONNECT', async () => {
    const factory = new FakeMqttFactory();
    const done = resolvedFlag(announceOffline(factory.create, OPTIONS, PRESENCE, OFFLINE));
    factory.last.refuse(5);
    await settle();
    expect(done()).toBe(true);
    expect(factory.last.published).toEqual([]);
  });

  it('does not wait more than its limits for a PUBACK and a DISCONNECT', async () => {
    const factory = new FakeMqttFactory();
    const done = resolvedFlag(announceOffline(factory.create, OPTIONS, PRESENCE, OFFLINE));
    const client = factory.last;
    client.acceptConnect();
    const end = vi.fn();
    client.end = end; // a dead socket: no PUBACK, no close
    await vi.advanceTimersByTimeAsync(OFFLINE_PUBLISH_TIMEOUT_MS);
    expect(end).toHaveBeenCalledWith(false, expect.any(Function));
    expect(done()).toBe(false);
    await vi.advanceTimersByTimeAsync(OFFLINE_END_TIMEOUT_MS);
    expect(end).toHaveBeenLastCalledWith(true, expect.any(Function));
    expect(done()).toBe(true);
  });
});

describe('Connection.signOut during a token renewal', () => {
  function setup() {
    const factory = new FakeMqttFactory();
    const tokens: BrokerToken[] = [];
    const connection = new Connection({
      getToken: async () => {
        const token = tokenFor('alice', CLIENT_ID, Date.now(), TTL_MS, `jwt-${tokens.length + 1}`);
        tokens.push(token);
        return token;
      },
      createClient: factory.create,
      subscriptions: [{ filter: 'presence/+/+', qos: 0 }],
      onMessage: () => {},
      outbox: new Outbox(null),
      network: { isOnline: () => true, subscribe: () => () => {} },
      random: () => 0.5,
    });
    return { connection, factory };
  }

  /** Connected, then at the renewal: its new client (`renewed`) is connecting. */
  async function renewing() {
    const { connection, factory } = setup();
    connection.start();
    await settle();
    factory.last.acceptConnect();
    await vi.advanceTimersByTimeAsync(TTL_MS * 0.8);
    await settle();
    return { connection, factory, renewed: factory.last };
  }

  it('after the old client’s DISCONNECT, connects once more with the newest token to say offline', async () => {
    const { connection, factory } = setup();
    connection.start();
    await settle();
    const first = factory.last;
    first.acceptConnect();
    first.ackAll();
    const end = first.end.bind(first);
    let finishEnd!: () => void;
    first.end = (force, done) => (finishEnd = () => end(force, done)); // DISCONNECT in progress
    await vi.advanceTimersByTimeAsync(TTL_MS * 0.8);
    await settle();

    const signedOut = resolvedFlag(connection.signOut());
    await settle();
    expect(factory.clients).toHaveLength(1); // never two clients of this id at once
    finishEnd();
    await settle();
    expect(factory.clients).toHaveLength(2);
    const goodbye = factory.last;
    expect(goodbye.options).toMatchObject({ clientId: CLIENT_ID, password: 'jwt-2' });
    goodbye.acceptConnect();
    const published = goodbye.publishedOn(PRESENCE);
    expect(published).toHaveLength(1);
    expect(JSON.parse(published[0]?.payload ?? '{}')).toMatchObject({ status: 'offline' });
    expect(goodbye.subscribeCalls).toEqual([]); // only a goodbye
    goodbye.ackAll();
    await settle();
    expect(goodbye.ended).toEqual({ force: false });
    expect(signedOut()).toBe(true);
    expect(connection.getState()).toEqual({ status: 'signed-out' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(factory.clients).toHaveLength(2);
  });

  it('says offline after a renewal whose new client never connected', async () => {
    const { connection, factory, renewed } = await renewing();
    expect(factory.clients).toHaveLength(2); // connecting, no CONNACK yet

    const signedOut = resolvedFlag(connection.signOut());
    await settle();
    // Closed outright: mqtt.js would only queue a DISCONNECT behind a CONNACK still to come.
    expect(renewed.ended).toEqual({ force: true });
    const goodbye = factory.last;
    expect(goodbye).not.toBe(renewed);
    goodbye.acceptConnect();
    expect(JSON.parse(goodbye.publishedOn(PRESENCE)[0]?.payload ?? '{}')).toMatchObject({
      status: 'offline',
    });
    goodbye.ackAll();
    await settle();
    expect(signedOut()).toBe(true);
  });

  it('needs no extra connection once the renewal’s new client is up', async () => {
    const { connection, factory, renewed } = await renewing();
    renewed.acceptConnect();

    const done = connection.signOut();
    renewed.ackAll(); // its online, then its offline
    await done;
    expect(factory.clients).toHaveLength(2);
    const states = renewed.publishedOn(PRESENCE).map((p) => JSON.parse(p.payload).status);
    expect(states).toEqual(['online', 'offline']);
  });
});
