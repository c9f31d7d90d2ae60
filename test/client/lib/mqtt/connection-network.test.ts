import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_DELAYS_MS } from '../../../../src/client/lib/mqtt/backoff';
import type { BrokerToken } from '../../../../src/client/lib/mqtt/client-types';
import { Connection, LIVENESS_TIMEOUT_MS } from '../../../../src/client/lib/mqtt/connection';
import type { ConnectionState } from '../../../../src/client/lib/mqtt/connection-state';
import { Outbox } from '../../../../src/client/lib/mqtt/outbox';
import { FakeMqttFactory } from '../../support/fake-mqtt';
import { FakeNetwork } from '../../support/fake-network';
import { tokenFor } from '../../support/fixtures';

// The browser's offline and online events: said at once, and recovered from promptly.
const CLIENT_ID = 'alice-tab1';
const PRESENCE = `presence/alice/${CLIENT_ID}`;
const ROOM_TOPIC = 'chat/general/messages';
const TTL_MS = 60_000;
const RENEW_AFTER_MS = TTL_MS * 0.8;

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function setup(options: { getToken?: () => Promise<BrokerToken>; holdSubacks?: boolean } = {}) {
  const factory = new FakeMqttFactory({ holdSubacks: options.holdSubacks });
  const network = new FakeNetwork();
  const states: ConnectionState[] = [];
  const outbox = new Outbox(sessionStorage, 'test-outbox');
  const connection = new Connection({
    getToken: options.getToken ?? (async () => tokenFor('alice', CLIENT_ID, Date.now(), TTL_MS)),
    createClient: factory.create,
    subscriptions: [{ filter: 'chat/+/+', qos: 1 }],
    onMessage: () => {},
    onStateChange: (state) => states.push(state),
    outbox,
    network,
    random: () => 0.5,
  });
  return { connection, factory, network, states, outbox };
}

async function connected() {
  const parts = setup();
  parts.connection.start();
  await settle();
  parts.factory.last.acceptConnect();
  expect(parts.states.at(-1)).toEqual({ status: 'connected' });
  return parts;
}

const chatSent = <T extends { topic: string }>(published: T[]) =>
  published.filter((p) => p.topic !== PRESENCE);

describe('Connection and the browser’s network', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-01-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says offline the moment the browser does, keeps the socket, and keeps what is sent meanwhile', async () => {
    const { connection, factory, network, states, outbox } = await connected();
    const socket = factory.last;

    network.set(false);
    expect(states.at(-1)).toEqual({ status: 'offline' });
    expect(socket.ended).toBeNull(); // it may well survive a network switch

    const id = connection.publishReliable(ROOM_TOPIC, '{"text":"hello"}');
    expect(outbox.list().map((entry) => entry.id)).toEqual([id]);
    await vi.advanceTimersByTimeAsync(RENEW_AFTER_MS - 1);
    expect(states.at(-1)).toEqual({ status: 'offline' }); // no retries without a network
    expect(factory.clients).toHaveLength(1);
  });

  it('is connected again at the PINGRESP when the socket survived, with nothing lost', async () => {
    const { connection, factory, network, states, outbox } = await connected();
    const socket = factory.last;
    network.set(false);
    connection.publishReliable(ROOM_TOPIC, '{"text":"hello"}');

    network.set(true);
    expect(states.at(-1)).toEqual({ status: 'connecting' });
    expect(socket.pendingPings).toHaveLength(1);
    socket.answerPings();
    expect(states.at(-1)).toEqual({ status: 'connected' });

    await vi.advanceTimersByTimeAsync(LIVENESS_TIMEOUT_MS * 2);
    expect(factory.clients).toHaveLength(1); // the live socket was not replaced
    expect(socket.ended).toBeNull();
    socket.ackAll();
    expect(outbox.list()).toEqual([]);
  });

  it('takes a PUBACK as the socket’s answer: a paced queue holds the PINGRESP back for seconds', async () => {
    const { connection, factory, network, states, outbox } = await connected();
    const socket = factory.last;
    network.set(false);
    connection.publishReliable(ROOM_TOPIC, '{"text":"before"}');
    chatSent(socket.published)[0]!.ack(); // while offline: vouches for nothing
    connection.publishReliable(ROOM_TOPIC, '{"text":"hello"}');

    network.set(true);
    expect(states.at(-1)).toEqual({ status: 'connecting' });
    chatSent(socket.published)[1]!.ack(); // the PINGREQ still waits behind the queue
    expect(states.at(-1)).toEqual({ status: 'connected' });

    await vi.advanceTimersByTimeAsync(LIVENESS_TIMEOUT_MS * 2);
    expect(factory.clients).toHaveLength(1); // the live socket was not replaced
    expect(socket.ended).toBeNull();
    expect(outbox.list()).toEqual([]);
    socket.answerPings(); // late: changes nothing
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('replaces at once a socket that died while offline, and sends what was composed meanwhile', async () => {
    const { connection, factory, network, states, outbox } = await connected();
    const dead = factory.last;
    network.set(false);
    connection.publishReliable(ROOM_TOPIC, '{"text":"hello"}');

    network.set(true);
    await vi.advanceTimersByTimeAsync(LIVENESS_TIMEOUT_MS - 1);
    expect(factory.clients).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(dead.ended).toEqual({ force: true });
    expect(factory.clients).toHaveLength(2); // no backoff: the network is back
    expect(states.at(-1)).toEqual({ status: 'connecting' });

    const fresh = factory.last;
    fresh.acceptConnect();
    expect(states.at(-1)).toEqual({ status: 'connected' });
    expect(chatSent(fresh.published).map((p) => p.payload)).toEqual(['{"text":"hello"}']);
    fresh.ackAll();
    expect(outbox.list()).toEqual([]);
    dead.answerPings(); // too late: changes nothing
    expect(factory.clients).toHaveLength(2);
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('abandons a connection attempt when the network goes, and starts afresh when it is back', async () => {
    const { connection, factory, network, states } = setup();
    connection.start();
    await settle();
    const attempt = factory.last; // waiting for its CONNACK

    network.set(false);
    expect(states.at(-1)).toEqual({ status: 'offline' });
    expect(attempt.ended).toEqual({ force: true });

    network.set(true);
    await settle();
    expect(factory.clients).toHaveLength(2);
    factory.last.acceptConnect();
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('ignores a token that arrives after the network went', async () => {
    let answer: (token: BrokerToken) => void = () => {};
    const { connection, factory, network, states } = setup({
      getToken: () => new Promise((resolve) => (answer = resolve)),
    });
    connection.start();
    network.set(false);
    answer(tokenFor('alice', CLIENT_ID, Date.now(), TTL_MS));
    await settle();
    expect(factory.clients).toEqual([]);
    expect(states.at(-1)).toEqual({ status: 'offline' });
  });

  it('does not say connected while the browser says offline, even over a socket that answers', async () => {
    const { factory, network, states } = await connected();
    network.set(false);
    // A renewal swaps clients; the new one connects and subscribes while still "offline".
    await vi.advanceTimersByTimeAsync(RENEW_AFTER_MS);
    expect(factory.clients).toHaveLength(2);
    factory.last.acceptConnect();
    expect(states.at(-1)).toEqual({ status: 'offline' });

    network.set(true);
    factory.last.answerPings();
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('drops a check the network interrupted: no reconnect while offline, and its PINGRESP changes nothing', async () => {
    const { factory, network, states } = await connected();
    const socket = factory.last;
    network.set(false);
    network.set(true); // PINGREQ sent
    network.set(false);
    await vi.advanceTimersByTimeAsync(LIVENESS_TIMEOUT_MS * 2);
    expect(factory.clients).toHaveLength(1);
    expect(socket.ended).toBeNull();
    socket.answerPings();
    expect(states.at(-1)).toEqual({ status: 'offline' });
  });

  it.each([
    ['at once', 0],
    // The check's timer would fire before the backoff's retry, and the retry end its client.
    ['late in the check', LIVENESS_TIMEOUT_MS - 500],
  ])(
    'drops a check whose socket closed %s, leaving the reconnect to the usual backoff',
    async (_, closedAfterMs) => {
      const { factory, network, states } = await connected();
      const dead = factory.last;
      network.set(false);
      network.set(true); // PINGREQ sent
      await vi.advanceTimersByTimeAsync(closedAfterMs);
      dead.drop();
      expect(states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1 });
      await vi.advanceTimersByTimeAsync(RECONNECT_DELAYS_MS[0]);
      expect(factory.clients).toHaveLength(2); // one reconnect
      const fresh = factory.last;
      await vi.advanceTimersByTimeAsync(LIVENESS_TIMEOUT_MS * 2); // a slow CONNACK
      expect(factory.clients).toHaveLength(2);
      fresh.acceptConnect();
      expect(fresh.ended).toBeNull();
      expect(states.at(-1)).toEqual({ status: 'connected' });
    },
  );

  it('connects, when the network is back during a renewal, only after the old client’s DISCONNECT', async () => {
    const { factory, network, states } = await connected();
    const old = factory.last;
    const end = old.end.bind(old);
    let finishEnd!: () => void;
    old.end = (force, done) => (finishEnd = () => end(force, done)); // DISCONNECT in progress
    network.set(false);
    await vi.advanceTimersByTimeAsync(RENEW_AFTER_MS);
    await settle();

    network.set(true);
    await settle();
    expect(factory.clients).toHaveLength(1); // never two clients of this id at once
    finishEnd();
    await settle();
    expect(old.ended).toEqual({ force: false }); // its Last Will discarded, not fired
    expect(factory.clients).toHaveLength(2);
    factory.last.acceptConnect();
    expect(states.at(-1)).toEqual({ status: 'connected' });
    await vi.advanceTimersByTimeAsync(RENEW_AFTER_MS - 1);
    expect(factory.clients).toHaveLength(2);
  });

  it('forgets a check at sign-out or page teardown', async () => {
    const { connection, factory, network } = await connected();
    network.set(false);
    network.set(true); // PINGREQ sent
    connection.dispose();
    await vi.advanceTimersByTimeAsync(LIVENESS_TIMEOUT_MS * 2);
    expect(factory.clients).toHaveLength(1);
  });

  describe('when the network comes and goes between CONNACK and SUBACK', () => {
    async function awaitingSuback() {
      const parts = setup({ holdSubacks: true });
      parts.connection.start();
      await settle();
      parts.factory.last.acceptConnect();
      parts.network.set(false);
      parts.network.set(true); // PINGREQ sent
      return parts;
    }
    const connectedCount = (states: ConnectionState[]) =>
      states.filter((state) => state.status === 'connected').length;

    it('is connected once, at the SUBACK, when the PINGRESP comes after it', async () => {
      const { factory, states } = await awaitingSuback();
      factory.last.answerSubscribes();
      factory.last.answerPings();
      expect(states.at(-1)).toEqual({ status: 'connected' });
      expect(connectedCount(states)).toBe(1);
      await vi.advanceTimersByTimeAsync(LIVENESS_TIMEOUT_MS * 2);
      expect(factory.clients).toHaveLength(1);
    });

    it('keeps the socket a PINGRESP vouched for, and is connected at the SUBACK', async () => {
      const { factory, states } = await awaitingSuback();
      factory.last.answerPings();
      expect(states.at(-1)).toEqual({ status: 'connecting' }); // not subscribed yet
      await vi.advanceTimersByTimeAsync(LIVENESS_TIMEOUT_MS * 2);
      expect(factory.clients).toHaveLength(1);
      factory.last.answerSubscribes();
      expect(states.at(-1)).toEqual({ status: 'connected' });
    });
  });
});
