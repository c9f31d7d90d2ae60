import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../../src/client/lib/api/api-error';
import {
  MAX_RECONNECT_DELAY_MS,
  RECONNECT_DELAYS_MS,
} from '../../../../src/client/lib/mqtt/backoff';
import type { BrokerToken } from '../../../../src/client/lib/mqtt/client-types';
import { Connection, GRACEFUL_END_TIMEOUT_MS } from '../../../../src/client/lib/mqtt/connection';
import type { ConnectionState } from '../../../../src/client/lib/mqtt/connection-state';
import {
  MAX_REFUSED,
  MAX_UNCONFIRMED,
  Outbox,
  REFUSED_KEY_SUFFIX,
  type OutboxEntry,
} from '../../../../src/client/lib/mqtt/outbox';
import {
  PublishRefusedError,
  type PublishRefusal,
} from '../../../../src/client/lib/mqtt/publish-refusal';
import { FakeMqttFactory } from '../../support/fake-mqtt';
import { FakeNetwork } from '../../support/fake-network';
import { tokenFor } from '../../support/fixtures';

const CLIENT_ID = 'alice-tab1';
const CLIENT_PRESENCE = `presence/alice/${CLIENT_ID}`;
const TTL_MS = 10_000;

/** Lets pending promise callbacks (getToken) run without moving fake time. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function setup(options: { getToken?: () => Promise<BrokerToken>; random?: () => number } = {}) {
  const factory = new FakeMqttFactory();
  const network = new FakeNetwork();
  const states: ConnectionState[] = [];
  const messages: Array<[string, string]> = [];
  const tokens: BrokerToken[] = [];
  const getToken =
    options.getToken ??
    (async () => {
      const token = tokenFor('alice', CLIENT_ID, Date.now(), TTL_MS, `jwt-${tokens.length + 1}`);
      tokens.push(token);
      return token;
    });
  const outbox = new Outbox(sessionStorage, 'test-outbox');
  const stops: number[] = [];
  const connection = new Connection({
    getToken,
    createClient: factory.create,
    subscriptions: [
      { filter: 'chat/+/+', qos: 1 },
      { filter: 'notifications/alice', qos: 1 },
    ],
    onMessage: (topic, payload) => messages.push([topic, new TextDecoder().decode(payload)]),
    onStateChange: (state) => states.push(state),
    onStop: () => stops.push(states.length),
    outbox,
    network,
    random: options.random ?? (() => 0.5),
  });
  return { connection, factory, network, states, messages, tokens, outbox, stops };
}

describe('Connection', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-01-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects with the token, a persistent session and a retained offline Last Will, then subscribes and goes online', async () => {
    const { connection, factory, states } = setup();
    connection.start();
    expect(states.at(-1)).toEqual({ status: 'connecting' });
    await settle();

    const client = factory.last;
    expect(client.options).toMatchObject({
      clientId: CLIENT_ID,
      username: 'alice@demo',
      password: 'jwt-1',
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    expect(client.options.will).toMatchObject({
      topic: `presence/alice/${CLIENT_ID}`,
      qos: 1,
      retain: true,
    });
    expect(JSON.parse(client.options.will?.payload ?? '{}')).toMatchObject({ status: 'offline' });

    client.acceptConnect();
    expect(states.at(-1)).toEqual({ status: 'connected' });
    expect(client.subscribeCalls).toEqual([
      [
        { filter: 'chat/+/+', qos: 1 },
        { filter: 'notifications/alice', qos: 1 },
      ],
    ]);
    const presence = client.publishedOn(`presence/alice/${CLIENT_ID}`);
    expect(presence).toHaveLength(1);
    expect(presence[0]).toMatchObject({ qos: 1, retain: true });
    expect(JSON.parse(presence[0]?.payload ?? '{}')).toMatchObject({ status: 'online' });
  });

  it('reconnects with the named backoff delays, re-subscribes, and starts over after a success', async () => {
    const { connection, factory, states } = setup();
    connection.start();
    await settle();
    factory.last.acceptConnect();

    for (const [index, delay] of RECONNECT_DELAYS_MS.entries()) {
      const before = factory.clients.length;
      factory.last.drop();
      expect(states.at(-1)).toEqual({
        status: 'reconnecting',
        attempt: index + 1,
        nextRetryAt: Date.now() + delay,
      });
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(factory.clients).toHaveLength(before); // not a millisecond early
      await vi.advanceTimersByTimeAsync(1);
      expect(factory.clients).toHaveLength(before + 1);
    }
    // Past the table the last delay repeats.
    factory.last.drop();
    expect(states.at(-1)).toMatchObject({ attempt: RECONNECT_DELAYS_MS.length + 1 });
    await vi.advanceTimersByTimeAsync(MAX_RECONNECT_DELAY_MS);

    const client = factory.last;
    client.acceptConnect();
    expect(states.at(-1)).toEqual({ status: 'connected' });
    expect(client.options.clientId).toBe(CLIENT_ID); // same session every time
    expect(client.subscribeCalls).toHaveLength(1);

    client.drop();
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1 });
  });

  it('spreads retries with jitter', async () => {
    const { connection, factory, states } = setup({ random: () => 0 });
    connection.start();
    await settle();
    factory.last.drop();
    const state = states.at(-1);
    expect(state?.status).toBe('reconnecting');
    if (state?.status !== 'reconnecting') return;
    expect(state.nextRetryAt - Date.now()).toBe(RECONNECT_DELAYS_MS[0] * 0.7);
  });

  it('fetches a new token once when the broker refuses the credentials, then reports auth-error', async () => {
    const { connection, factory, states, tokens } = setup();
    connection.start();
    await settle();
    factory.last.refuse(5);
    await settle();
    expect(tokens).toHaveLength(2);
    expect(factory.clients).toHaveLength(2);
    expect(factory.last.options.password).toBe('jwt-2');
    expect(states.at(-1)).toEqual({ status: 'connecting' });

    factory.last.refuse(4);
    await settle();
    expect(states.at(-1)).toEqual({ status: 'auth-error' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(factory.clients).toHaveLength(2); // gave up: no retry loop
    expect(tokens).toHaveLength(2);
  });

  it('gets a fresh retry after an accepted connection', async () => {
    const { connection, factory, states } = setup();
    connection.start();
    await settle();
    factory.last.refuse(5);
    await settle();
    factory.last.acceptConnect();
    factory.last.drop();
    await vi.advanceTimersByTimeAsync(RECONNECT_DELAYS_MS[0]);
    const clients = factory.clients.length;
    factory.last.refuse(5);
    await settle();
    expect(factory.clients).toHaveLength(clients + 1); // retried with a fresh token
    expect(states.at(-1)?.status).not.toBe('auth-error');
  });

  it('treats a 401 from /api/token as auth-error and a network failure as a reason to retry', async () => {
    let fail: ApiError = new ApiError(0, 'network_error', 'offline');
    const { connection, states } = setup({
      getToken: () => Promise.reject(fail),
    });
    connection.start();
    await settle();
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1 });

    fail = new ApiError(401, 'not_signed_in', 'Sign in first');
    await vi.advanceTimersByTimeAsync(RECONNECT_DELAYS_MS[0]);
    expect(states.at(-1)).toEqual({ status: 'auth-error' });
  });

  it('renews the token at 80 % of its lifetime, swapping clients without losing or duplicating queued messages', async () => {
    const { connection, factory, states, tokens, outbox } = setup();
    connection.start();
    await settle();
    const first = factory.last;
    first.acceptConnect();

    connection.publishReliable('chat/general/messages', '{"n":1}', { id: 'm1' });
    expect(first.publishedOn('chat/general/messages')).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(TTL_MS * 0.8 - 1);
    expect(tokens).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(tokens).toHaveLength(2);

    // The old client ended with DISCONNECT (graceful), so its Last Will is discarded.
    expect(first.ended).toEqual({ force: false });
    // m1 was in flight when the old client went away: it stays in the outbox.
    expect(outbox.has('m1')).toBe(true);

    // Sent between the two clients: waits in the outbox.
    connection.publishReliable('chat/general/messages', '{"n":2}', { id: 'm2' });
    const second = factory.last;
    expect(second).not.toBe(first);
    expect(second.options).toMatchObject({ clientId: CLIENT_ID, password: 'jwt-2' });
    expect(second.published).toHaveLength(0);
    expect(states.filter((s) => s.status !== 'connected')).toEqual([{ status: 'connecting' }]); // no flicker

    second.acceptConnect();
    const sent = second.publishedOn('chat/general/messages').map((p) => p.payload);
    expect(sent).toEqual(['{"n":1}', '{"n":2}']);
    const acks: string[] = [];
    connection.onAck((id) => acks.push(id));
    second.ackAll();
    expect(acks).toEqual(['m1', 'm2']);
    expect(outbox.list()).toEqual([]);
  });

  it.each([
    ['ahead of', 2 * 60 * 60_000],
    ['behind', -2 * 60 * 60_000],
  ])(
    'renews at 80 %% of the lifetime with a clock %s the server by two hours',
    async (_, skewMs) => {
      const tokens: BrokerToken[] = [];
      const { connection, factory } = setup({
        // The server's clock is ours minus the skew: its issuedAt and expiresAt say so.
        getToken: async () => {
          const token = tokenFor('alice', CLIENT_ID, Date.now() - skewMs, TTL_MS);
          tokens.push(token);
          return token;
        },
      });
      connection.start();
      await settle();
      factory.last.acceptConnect();
      await vi.advanceTimersByTimeAsync(TTL_MS * 0.8 - 1);
      expect(tokens).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await settle();
      expect(tokens).toHaveLength(2);
      expect(factory.clients).toHaveLength(2);
    },
  );

  it('forces the old client closed when a graceful end hangs during renewal', async () => {
    const { connection, factory } = setup();
    connection.start();
    await settle();
    const first = factory.last;
    first.acceptConnect();
    first.end = vi.fn(); // a dead socket never answers DISCONNECT
    await vi.advanceTimersByTimeAsync(TTL_MS * 0.8);
    expect(factory.clients).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(GRACEFUL_END_TIMEOUT_MS);
    expect(first.end).toHaveBeenLastCalledWith(true, expect.any(Function));
    expect(factory.clients).toHaveLength(2);
  });

  it('keeps messages published while disconnected and sends them, once, on reconnect', async () => {
    const { connection, factory, outbox } = setup();
    connection.start();
    await settle();
    factory.last.acceptConnect();
    factory.last.drop();

    expect(connection.publishVolatile('chat/general/typing', '{}')).toBe(false); // typing is not queued
    connection.publishReliable('chat/general/messages', 'hello', { id: 'x1' });
    expect(JSON.parse(sessionStorage.getItem('test-outbox') ?? '[]')).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(RECONNECT_DELAYS_MS[0]);
    const client = factory.last;
    client.acceptConnect();
    expect(client.publishedOn('chat/general/messages').map((p) => p.payload)).toEqual(['hello']);
    client.ackAll();
    expect(outbox.has('x1')).toBe(false);
    expect(sessionStorage.getItem('test-outbox')).toBeNull();
  });

  it('sends messages restored from sessionStorage after a reload', async () => {
    sessionStorage.setItem(
      'test-outbox',
      JSON.stringify([
        { id: 'r1', topic: 'chat/general/messages', payload: 'from before', qos: 1, retain: false },
      ]),
    );
    const { connection, factory } = setup();
    connection.start();
    await settle();
    factory.last.acceptConnect();
    expect(factory.last.publishedOn('chat/general/messages').map((p) => p.payload)).toEqual([
      'from before',
    ]);
  });

  it('keeps a message that asks to be confirmed after its PUBACK, across a reload, until it is confirmed', async () => {
    const { connection, factory, outbox } = setup();
    const acks: string[] = [];
    connection.onAck((id) => acks.push(id));
    connection.start();
    await settle();
    factory.last.acceptConnect();
    connection.publishReliable('chat/general/messages', 'maybe refused', {
      id: 'c1',
      confirm: true,
    });
    connection.publishReliable('agents/bot/inbox', 'a command', { id: 'k1' });
    factory.last.ackAll();

    expect(acks).toEqual(['c1', 'k1']);
    expect(outbox.list()).toEqual([]); // nothing left to send
    const reloaded = new Outbox(sessionStorage, 'test-outbox');
    expect(reloaded.listUnconfirmed()).toEqual([
      expect.objectContaining({ id: 'c1', payload: 'maybe refused', confirm: true }),
    ]);

    reloaded.confirmed('c1');
    expect(new Outbox(sessionStorage, 'test-outbox').listUnconfirmed()).toEqual([]);
    expect(sessionStorage.length).toBe(0);
  });

  it('keeps at most MAX_UNCONFIRMED unconfirmed messages, forgetting the oldest', () => {
    const outbox = new Outbox(sessionStorage, 'test-outbox');
    for (let i = 0; i <= MAX_UNCONFIRMED; i++) {
      const id = `c${i}`;
      outbox.add(chatEntry(id));
      expect(outbox.acknowledge(id)).toBe(true);
    }
    const kept = new Outbox(sessionStorage, 'test-outbox').listUnconfirmed().map((e) => e.id);
    expect(kept).toHaveLength(MAX_UNCONFIRMED);
    expect(kept[0]).toBe('c1');
    expect(kept.at(-1)).toBe(`c${MAX_UNCONFIRMED}`);
  });

  it('drops a publish an MQTT 5 broker refused and tells refusal listeners, but resends one cut off by a closed connection', async () => {
    const { connection, factory, outbox } = setup();
    const acks: string[] = [];
    const refusals: Array<[string, number]> = [];
    connection.onAck((id) => acks.push(id));
    connection.onPublishRefused((id, refusal) =>
      refusals.push([id, refusal.by === 'broker' ? refusal.reasonCode : -1]),
    );
    connection.start();
    await settle();
    const first = factory.last;
    first.acceptConnect();
    connection.publishReliable('chat/general/messages', 'not allowed', { id: 'r1', confirm: true });
    connection.publishReliable('agents/bot/inbox', 'over quota', { id: 'r2' });
    connection.publishReliable('chat/general/messages', 'cut off', { id: 't1', confirm: true });
    const [notAllowed, overQuota, cutOff] = first.published.filter((p) => p.qos === 1).slice(-3);
    notAllowed?.ack(new PublishRefusedError(0x87));
    overQuota?.ack(new PublishRefusedError(0x97));
    cutOff?.ack(new Error('Connection closed'));

    expect(refusals).toEqual([
      ['r1', 0x87],
      ['r2', 0x97],
    ]);
    expect(acks).toEqual([]);
    expect(outbox.list().map((e) => e.id)).toEqual(['t1']);
    expect(outbox.listUnconfirmed()).toEqual([]); // a refusal needs no confirming

    first.drop();
    await vi.advanceTimersByTimeAsync(RECONNECT_DELAYS_MS[0]);
    factory.last.acceptConnect();
    const resent = factory.last.published.filter(
      (p) => p.qos === 1 && !p.topic.startsWith('presence/'),
    );
    expect(resent.map((p) => p.payload)).toEqual(['cut off']);
  });

  it('keeps a refused message that asked to be confirmed across reloads, until it is discarded', async () => {
    const { connection, factory, outbox } = setup();
    connection.start();
    await settle();
    factory.last.acceptConnect();
    connection.publishReliable('chat/general/messages', 'not allowed', { id: 'r1', confirm: true });
    connection.publishReliable('agents/bot/inbox', 'not allowed either', { id: 'r2' });
    for (const publish of factory.last.published.filter((p) => p.topic !== CLIENT_PRESENCE)) {
      publish.ack(new PublishRefusedError(0x87));
    }
    // The command's log lives in memory only; a chat message is what the person wrote.
    expect(new Outbox(sessionStorage, 'test-outbox').listRefused()).toEqual([
      expect.objectContaining({
        id: 'r1',
        payload: 'not allowed',
        refusal: { by: 'broker', reasonCode: 0x87 }, // why, for after a reload
      }),
    ]);
    expect(outbox.list()).toEqual([]);

    // Found refused after its PUBACK (MQTT 3.1.1): kept the same way.
    connection.publishReliable('chat/general/messages', 'acked, then refused', {
      id: 'c1',
      confirm: true,
    });
    factory.last.ackAll();
    outbox.confirmedRefused('c1');
    const reloaded = new Outbox(sessionStorage, 'test-outbox');
    expect(reloaded.listRefused().map((entry) => [entry.id, entry.refusal])).toEqual([
      ['r1', { by: 'broker', reasonCode: 0x87 }],
      ['c1', { by: 'unrouted' }],
    ]);
    expect(reloaded.listUnconfirmed()).toEqual([]);

    reloaded.discard('r1');
    reloaded.discard('c1');
    expect(new Outbox(sessionStorage, 'test-outbox').listRefused()).toEqual([]);
    expect(sessionStorage.length).toBe(0);
  });

  it('reads back every refused entry, with its reason only when it is one it knows', () => {
    const entry = (id: string, refusal?: unknown) => ({ ...chatEntry(id), refusal });
    const known = [
      entry('none'),
      entry('broker', { by: 'broker', reasonCode: 0x87 }),
      entry('lowest-code', { by: 'broker', reasonCode: 0x80 }),
      entry('highest-code', { by: 'broker', reasonCode: 0xff }),
      entry('client', { by: 'client', reason: 'invalid topic name' }),
      entry('unrouted', { by: 'unrouted' }),
    ];
    // Written by a newer build, or garbled: the text stays, the reason is not shown.
    const unknown = [
      entry('no-code', { by: 'broker', reasonCode: '0x87' }),
      entry('success-code', { by: 'broker', reasonCode: 0 }),
      entry('below-refusals', { by: 'broker', reasonCode: 0x7f }),
      entry('negative-code', { by: 'broker', reasonCode: -1 }),
      entry('fraction-code', { by: 'broker', reasonCode: 1.5 }),
      entry('past-a-byte', { by: 'broker', reasonCode: 0x100 }),
      entry('no-reason', { by: 'client' }),
      entry('unheard-of', { by: 'someone' }),
      entry('not-an-object', 'refused'),
    ];
    const stored = JSON.stringify([...known, ...unknown]);
    // JSON.stringify cannot write a number past Number.MAX_VALUE; storage may hold one.
    const huge = `{"id":"huge-code","topic":"chat/general/messages","payload":"huge-code","qos":1,"retain":false,"confirm":true,"refusal":{"by":"broker","reasonCode":1e400}}`;
    sessionStorage.setItem(
      `test-outbox${REFUSED_KEY_SUFFIX}`,
      `${stored.slice(0, -1)},${huge},{"id":"not-an-entry"}]`,
    );

    const read = new Outbox(sessionStorage, 'test-outbox').listRefused();
    expect(read).toEqual([
      ...known,
      ...unknown.map((kept) => chatEntry(kept.id)),
      chatEntry('huge-code'),
    ]);
    for (const kept of read.slice(known.length)) expect(kept).not.toHaveProperty('refusal');
  });

  it('keeps at most MAX_REFUSED refused messages, forgetting the oldest', () => {
    const outbox = new Outbox(sessionStorage, 'test-outbox');
    for (let i = 0; i <= MAX_REFUSED; i++) {
      const id = `r${i}`;
      outbox.add(chatEntry(id));
      expect(outbox.refuse(id, { by: 'broker', reasonCode: 0x97 })).toBe(true);
    }
    const kept = new Outbox(sessionStorage, 'test-outbox').listRefused().map((e) => e.id);
    expect(kept).toHaveLength(MAX_REFUSED);
    expect(kept[0]).toBe('r1');
    expect(kept.at(-1)).toBe(`r${MAX_REFUSED}`);
  });

  it('refuses for good, at once, a publish whose topic name cannot be sent, connected or not', async () => {
    sessionStorage.setItem(
      'test-outbox',
      JSON.stringify([
        { id: 'old', topic: 'chat/#/messages', payload: 'from before', qos: 1, retain: false },
      ]),
    );
    const { connection, factory, outbox } = setup();
    const refusals: Array<[string, PublishRefusal]> = [];
    connection.onPublishRefused((id, refusal) => refusals.push([id, refusal]));
    connection.start();
    await settle();
    factory.last.acceptConnect();
    connection.publishReliable('chat/+/messages', 'wildcard', { id: 'w1', confirm: true });
    connection.publishReliable('agents/bot/inbox', 'fine', { id: 'ok' });
    factory.last.drop();
    connection.publishReliable('', 'empty', { id: 'e1' }); // while disconnected

    const invalid = (reason: RegExp) => ({ by: 'client', reason: expect.stringMatching(reason) });
    expect(refusals).toEqual([
      ['old', invalid(/must not contain \+ or #/)],
      ['w1', invalid(/must not contain \+ or #/)],
      ['e1', invalid(/must not be empty/)],
    ]);
    expect(outbox.list().map((entry) => entry.id)).toEqual(['ok']);
    expect(outbox.listRefused().map((entry) => entry.id)).toEqual(['w1']); // a chat message

    await vi.advanceTimersByTimeAsync(RECONNECT_DELAYS_MS[0]);
    factory.last.acceptConnect();
    const sent = factory.clients.flatMap((client) =>
      client.published.filter((p) => p.topic !== CLIENT_PRESENCE).map((p) => p.payload),
    );
    expect(sent).toEqual(['fine', 'fine']); // the valid one resent; the others never sent
    expect(factory.last.connected).toBe(true);
  });

  it('refuses for good a publish mqtt.js throws on, and starts over on a fresh connection', async () => {
    const { connection, factory, outbox, states } = setup();
    const refusals: Array<[string, PublishRefusal]> = [];
    connection.onPublishRefused((id, refusal) => refusals.push([id, refusal]));
    connection.start();
    await settle();
    const first = factory.last;
    first.acceptConnect();
    const publish = first.publish.bind(first);
    vi.spyOn(first, 'publish').mockImplementation((topic, payload, options, done) => {
      if (payload === 'cannot encode') throw new TypeError('The "chunk" argument is invalid');
      publish(topic, payload, options, done);
    });
    connection.publishReliable('chat/general/messages', 'cannot encode', { id: 't1' });

    expect(refusals).toEqual([['t1', { by: 'client', reason: 'The "chunk" argument is invalid' }]]);
    expect(outbox.list()).toEqual([]);
    // Part of the packet may be on the socket: that connection is not used again.
    expect(first.ended).toEqual({ force: true });
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting' });
    await vi.advanceTimersByTimeAsync(RECONNECT_DELAYS_MS[0]);
    factory.last.acceptConnect();
    expect(factory.last.published.filter((p) => p.topic !== CLIENT_PRESENCE)).toEqual([]);
  });

  it('waits for the network instead of retrying while the browser is offline', async () => {
    const { connection, factory, network, states } = setup();
    connection.start();
    await settle();
    factory.last.acceptConnect();
    network.online = false;
    factory.last.drop();
    expect(states.at(-1)).toEqual({ status: 'offline' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(factory.clients).toHaveLength(1);

    network.set(true);
    await settle();
    expect(factory.clients).toHaveLength(2);
    factory.last.acceptConnect();
    expect(states.at(-1)).toEqual({ status: 'connected' });
  });

  it('signs out by publishing presence offline, disconnecting cleanly and clearing the outbox', async () => {
    const { connection, factory, states, outbox } = setup();
    connection.start();
    await settle();
    const client = factory.last;
    client.acceptConnect();
    client.ackAll();
    connection.publishReliable('chat/general/messages', 'unconfirmed', { id: 'a1', confirm: true });
    client.ackAll();
    expect(outbox.listUnconfirmed()).toHaveLength(1);
    connection.publishReliable('chat/general/messages', 'refused', { id: 'f1', confirm: true });
    client.publishedOn('chat/general/messages').at(-1)?.ack(new PublishRefusedError(0x87));
    expect(outbox.listRefused()).toHaveLength(1);
    connection.publishReliable('chat/general/messages', 'unsent', { id: 'u1' });

    const done = connection.signOut();
    const offline = client.publishedOn(`presence/alice/${CLIENT_ID}`).at(-1);
    expect(offline).toMatchObject({ retain: true, qos: 1 });
    expect(JSON.parse(offline?.payload ?? '{}')).toMatchObject({ status: 'offline' });
    expect(client.ended).toBeNull(); // waits for the PUBACK of "offline"
    offline?.ack();
    await done;
    expect(client.ended).toEqual({ force: false });
    expect(states.at(-1)).toEqual({ status: 'signed-out' });
    expect(outbox.list()).toEqual([]);
    expect(outbox.listUnconfirmed()).toEqual([]);
    expect(outbox.listRefused()).toEqual([]);
    expect(sessionStorage.length).toBe(0); // the next person in this tab reads nothing of ours
    await vi.advanceTimersByTimeAsync(60_000);
    expect(factory.clients).toHaveLength(1);
  });

  it('reports stopping for good once, at sign-out, not on a reconnect or a renewal', async () => {
    const { connection, factory, stops, tokens } = setup();
    const acks: string[] = [];
    connection.onAck((id) => acks.push(id));
    connection.start();
    await settle();
    factory.last.acceptConnect();
    factory.last.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    factory.last.acceptConnect();
    await vi.advanceTimersByTimeAsync(TTL_MS * 0.8);
    await settle();
    expect(tokens.length).toBeGreaterThanOrEqual(2); // renewed
    factory.last.acceptConnect();
    expect(stops).toEqual([]);

    connection.publishReliable('chat/general/messages', 'late', { id: 'late' });
    const client = factory.last;
    const done = connection.signOut();
    expect(stops).toHaveLength(1);
    client.publishedOn('chat/general/messages').at(-1)?.ack(); // acknowledged while leaving
    client.ackAll();
    await done;
    expect(acks).toEqual([]); // nobody is left to show it
    connection.dispose();
    expect(stops).toHaveLength(1);
  });

  it('tells the time by the server’s clock once a token came', async () => {
    const SKEW_MS = 5 * 60_000; // the server's clock runs five minutes ahead of ours
    const { connection } = setup({
      getToken: async () => tokenFor('alice', CLIENT_ID, Date.now() + SKEW_MS, TTL_MS),
    });
    expect(connection.serverNow()).toBe(Date.now());
    connection.start();
    await settle();
    expect(connection.serverNow()).toBe(Date.now() + SKEW_MS);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(connection.serverNow()).toBe(Date.now() + SKEW_MS);
  });

  it('ignores events from a replaced client', async () => {
    const { connection, factory, states, messages } = setup();
    connection.start();
    await settle();
    const first = factory.last;
    first.acceptConnect();
    first.drop();
    await vi.advanceTimersByTimeAsync(RECONNECT_DELAYS_MS[0]);
    const second = factory.last;
    second.acceptConnect();
    first.drop(); // a late close from the old socket
    expect(states.at(-1)).toEqual({ status: 'connected' });
    second.deliver('chat/general/messages', 'x');
    expect(messages).toEqual([['chat/general/messages', 'x']]);
  });
});

/** A chat message kept until its delivery is confirmed, its id as its payload. */
function chatEntry(id: string): OutboxEntry {
  return { id, topic: 'chat/general/messages', payload: id, qos: 1, retain: false, confirm: true };
}
