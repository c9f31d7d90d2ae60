import type { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import type { Client, PublishPacket } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAuthorizePublish,
  type AuthorizePublishOptions,
} from '../../../src/server/broker/authorize-publish';
import { setIdentity } from '../../../src/server/broker/client-identity';
import { DISCARD_TOPIC } from '../../../src/server/broker/mount-point';
import { openBrokerPersistence } from '../../../src/server/broker/persistence';
import { roleRules } from '../../../src/shared/acl';
import type { ChatMessage } from '../../../src/shared/schemas';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { publishContext } from '../support/publish-context';
import { writeBrokerStore } from '../support/raw-persistence';
import { eventually } from '../support/eventually';
import { memberIdentity } from '../support/member-identity';
import {
  DEMO_PASSWORD,
  makeDataDir,
  startTestServer,
  type TestServer,
} from '../support/test-server';

// A broker that stops without sending its clients' Last Wills (a crash) leaves them stored;
// aedes sends them after the next start (HEARTBEAT_INTERVAL_MS × 4), with no client, and
// they are checked then against their users' rules as they are now (authorize-publish.ts).

const ORPHAN_WILL_WAIT_MS = 30_000;
const DAY_MS = 86_400_000;

/** Stores wills as a broker that then crashed left them (its id: `crashed`). */
function storeWills(dataDir: string, wills: { session: string; topic: string; payload: string }[]) {
  return writeBrokerStore(dataDir, 'crashed', async (persistence) => {
    for (const will of wills) {
      const packet = { cmd: 'publish', topic: will.topic, payload: Buffer.from(will.payload) };
      // Last-known states are retained, as the app's wills are.
      const retain = will.topic.includes('/presence/') || will.topic.endsWith('/state');
      await persistence.putWill({ id: will.session }, { ...packet, qos: 1, retain });
    }
  });
}

const chat = (from: string, id: string) =>
  json({ id, from, text: `last words of ${from}`, sentAt: Date.now() });

let server: TestServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

describe('Last Wills stored before a crash', () => {
  it('are sent after the restart only as their users’ rules allow now', async () => {
    const dataDir = await makeDataDir();
    await storeWills(dataDir, [
      // Allowed then and now: goes out (and shows the wills were sent at all).
      {
        session: 'demo:bob:bob-tab',
        topic: '$demo/chat/general/messages',
        payload: chat('bob', 'will-bob'),
      },
      // alice may no longer post in general.
      {
        session: 'demo:alice:alice-tab',
        topic: '$demo/chat/general/messages',
        payload: chat('alice', 'will-alice'),
      },
      // A user removed since: their chat will goes nowhere, their presence is cleared.
      {
        session: 'demo:gone:gone-tab',
        topic: '$demo/chat/general/messages',
        payload: chat('gone', 'will-gone'),
      },
      {
        session: 'demo:gone:gone-tab',
        topic: '$demo/presence/gone/gone-tab',
        payload: json({ status: 'offline', since: 1 }),
      },
      // A user disabled since: only their own last-known state goes.
      {
        session: 'demo:notifier:notifier-1',
        topic: '$demo/chat/general/messages',
        payload: chat('notifier', 'will-disabled'),
      },
      {
        session: 'demo:notifier:notifier-1',
        topic: '$demo/presence/notifier/notifier-1',
        payload: json({ status: 'offline', since: 1 }),
      },
      // Not a session of any org: nowhere.
      {
        session: 'no-org-here',
        topic: '$demo/chat/general/messages',
        payload: chat('bob', 'will-odd'),
      },
    ]);
    server = await startTestServer({ dataDir });
    server.storage.users.setDisabled('demo', 'notifier', true);
    server.storage.users.setExtraRules('demo', 'alice', [
      { permission: 'deny', action: 'publish', topic: 'chat/general/messages' },
    ]);
    // bob's will went out once before the crash, kept under the id it was armed with (as
    // before firings had ids of their own): going out again, it is another message, not one
    // under a kept id.
    const firedBefore = { id: 'will-bob', from: 'bob', text: 'last words of bob', sentAt: 1 };
    server.storage.history.record('demo', 'general', firedBefore);

    const watcher = await connect(server.mqttUrl, {
      username: 'admin@demo',
      password: DEMO_PASSWORD,
      clientId: 'will-watcher',
    });
    try {
      const seen = record(watcher);
      expect(await subscribeGrants(watcher, ['chat/+/messages', 'presence/+/+'])).toEqual([1, 1]);
      await waitForMessage(seen, (m) => m.payload.includes('will-bob'), ORPHAN_WILL_WAIT_MS);
      await waitForMessage(seen, (m) => m.topic === 'presence/notifier/notifier-1');
      // aedes sends them in one sweep: the refused ones would have come by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The removed user's own presence is cleared (an empty retained publish), not set.
      const gone = seen.filter((m) => m.topic.startsWith('presence/gone/'));
      expect(gone.map((m) => [m.topic, m.payload])).toEqual([['presence/gone/gone-tab', '']]);
      const chats = seen
        .filter((m) => m.topic === 'chat/general/messages')
        .map((m) => JSON.parse(m.payload) as ChatMessage);
      // Under an id of its firing (restamp-will.ts): its own, marked with when it went.
      const firing = `will-bob~${chats[0]?.sentAt.toString(36)}`;
      expect(chats.map((message) => message.id)).toEqual([firing]);
      const history = server.storage.history.page('demo', 'general', { limit: 10 }).messages;
      expect(history.map((message) => message.id)).toEqual(['will-bob', firing]);
      // A sweep that fails outright (its store unreadable) is logged, not the process's end.
      const aedes = server.broker.aedes as unknown as EventEmitter;
      expect(() => aedes.emit('error', new Error('wills not read'))).not.toThrow();
    } finally {
      await watcher.endAsync();
    }
  }, 60_000);

  it('are stamped as they go out after the restart, not when written days before', async () => {
    const dataDir = await makeDataDir();
    const written = Date.now() - 3 * DAY_MS;
    await storeWills(dataDir, [
      {
        session: 'demo:bob:bob-tab',
        topic: '$demo/presence/bob/bob-tab',
        payload: json({ status: 'offline', since: written }),
      },
      // Stored before fields outside the contract were refused: it goes, without them.
      {
        session: 'demo:agent-01:agent-01',
        topic: '$demo/agents/agent-01/state',
        payload: json({ status: 'offline', task: 'Indexing', updatedAt: written, battery: 80 }),
      },
    ]);
    const restartedAt = Date.now();
    server = await startTestServer({ dataDir });
    const watcher = await connect(server.mqttUrl, {
      username: 'admin@demo',
      password: DEMO_PASSWORD,
      clientId: 'will-watcher',
    });
    try {
      const seen = record(watcher);
      expect(await subscribeGrants(watcher, ['presence/+/+', 'agents/+/state'])).toEqual([1, 1]);
      const presence = await waitForMessage(
        seen,
        (m) => m.topic === 'presence/bob/bob-tab',
        ORPHAN_WILL_WAIT_MS,
      );
      const state = await waitForMessage(seen, (m) => m.topic === 'agents/agent-01/state');
      const { since } = JSON.parse(presence.payload) as { since: number };
      expect(since).toBeGreaterThanOrEqual(restartedAt);
      // Stamped again, and only that: the rest of what the contract has goes as it was.
      expect(JSON.parse(state.payload)).toEqual({
        status: 'offline',
        task: 'Indexing',
        updatedAt: expect.any(Number),
      });
      const { updatedAt } = JSON.parse(state.payload) as { updatedAt: number };
      expect(updatedAt).toBeGreaterThanOrEqual(restartedAt);
    } finally {
      await watcher.endAsync();
    }
  }, 60_000);
});

describe('a stored will', () => {
  const aliceIdentity = () => memberIdentity('alice', 'alice-back');
  const willOf = (clientId: string) => ({
    cmd: 'publish' as const,
    topic: '$demo/presence/alice/alice-back',
    payload: Buffer.from(json({ status: 'offline', since: 1 })),
    qos: 1 as const,
    retain: true,
    dup: false,
    brokerId: 'crashed',
    clientId,
  });
  const authorize = (standingOf: AuthorizePublishOptions['standingOf']) => {
    const denied: string[] = [];
    const failed: unknown[] = [];
    const authorizePublish = createAuthorizePublish({
      onDenied: (_publisher, _topic, code) => denied.push(code),
      onAccepted: () => {},
      onWillAccepted: () => {},
      standingOf,
      onCheckFailed: (_publisher, _topic, error) => failed.push(error),
      publishContext: publishContext(),
      pace: (_publisher, _message, _bytes, go) => go(true),
    });
    const run = (client: Client | null, packet: PublishPacket) =>
      new Promise<Error | null | undefined>((resolve) => authorizePublish(client, packet, resolve));
    return { denied, failed, run };
  };

  it('found once its session is back is not sent: it would say offline over the live one', async () => {
    const client = { id: 'demo:alice:alice-back' } as Client;
    setIdentity(client, aliceIdentity());
    const { denied, run } = authorize(() => ({
      disabled: false,
      rules: () => roleRules('member'),
    }));
    const will = willOf(client.id) as unknown as PublishPacket;
    expect(await run(client, will)).toBeNull();
    expect(will.topic).toBe(DISCARD_TOPIC);
    expect(denied).toEqual([]); // not the client's doing: nothing logged against it
  });

  it('whose owner cannot be read goes only if it is its own state, and throws nothing into aedes’ sweep', async () => {
    const { denied, failed, run } = authorize(() => {
      throw new Error('SQLITE_IOERR');
    });
    const presence = willOf('demo:alice:alice-back') as unknown as PublishPacket;
    expect(await run(null, presence)).toBeNull();
    expect(presence.topic).toBe('$demo/presence/alice/alice-back');
    const chat = willOf('demo:alice:alice-back') as unknown as PublishPacket;
    chat.topic = '$demo/chat/general/messages';
    expect(await run(null, chat)).toBeNull();
    expect(chat.topic).toBe(DISCARD_TOPIC);
    expect(denied).toEqual(['will_own_state_only']);
    expect(failed).toHaveLength(2);
  });

  it('of a live connection goes as before when its user cannot be read', async () => {
    const { denied, failed, run } = authorize(() => {
      throw new Error('SQLITE_BUSY');
    });
    const will = willOf('demo:alice:alice-back') as unknown as PublishPacket;
    const client = { id: 'demo:alice:alice-back', will } as unknown as Client;
    setIdentity(client, aliceIdentity());
    expect(await run(client, will)).toBeNull();
    expect(will.topic).toBe('$demo/presence/alice/alice-back');
    expect(denied).toEqual([]);
    expect(failed).toHaveLength(1);
  });

  it('of a live connection of a user disabled meanwhile goes only if it is its own state', async () => {
    const { denied, run } = authorize(() => ({ disabled: true, rules: () => roleRules('member') }));
    const presence = willOf('demo:alice:alice-back') as unknown as PublishPacket;
    const client = { id: 'demo:alice:alice-back', will: presence } as unknown as Client;
    setIdentity(client, aliceIdentity()); // not closed by the server: it dropped by itself
    expect(await run(client, presence)).toBeNull();
    expect(presence.topic).toBe('$demo/presence/alice/alice-back');
    const chat = willOf('demo:alice:alice-back') as unknown as PublishPacket;
    chat.topic = '$demo/chat/general/messages';
    chat.retain = false;
    chat.payload = Buffer.from(
      json({ id: 'm1', from: 'alice', text: 'armed before', sentAt: Date.now() }),
    );
    (client as { will?: unknown }).will = chat;
    expect(await run(client, chat)).toBeNull();
    expect(chat.topic).toBe(DISCARD_TOPIC);
    expect(denied).toEqual(['will_own_state_only']);
  });

  it('of a removed user clears their own state instead, and sends nothing else', async () => {
    const { denied, run } = authorize(() => null);
    const presence = willOf('demo:alice:alice-back') as unknown as PublishPacket;
    expect(await run(null, presence)).toBeNull();
    expect(presence).toMatchObject({ topic: '$demo/presence/alice/alice-back', retain: true });
    expect(presence.payload).toHaveLength(0);
    const chat = willOf('demo:alice:alice-back') as unknown as PublishPacket;
    chat.topic = '$demo/chat/general/messages';
    expect(await run(null, chat)).toBeNull();
    expect(chat.topic).toBe(DISCARD_TOPIC);
    expect(denied).toEqual(['will_user_removed']);
  });

  it('is deleted only by the broker that stored it, not by one sweeping an older one', async () => {
    const dataDir = await makeDataDir();
    const orphan = { id: 'demo:bob:bob-tab' };
    await writeBrokerStore(dataDir, 'crashed', (raw) => raw.putWill(orphan, willOf(orphan.id)));
    const persistence = openBrokerPersistence(dataDir, (error) => {
      throw error;
    });
    try {
      await persistence.setup({ id: 'restarted', clients: {} });
      // The sweep deletes what it has sent of the crashed broker's.
      expect(await persistence.getWill(orphan)).toMatchObject({ brokerId: 'crashed' });
      await persistence.delWill({ ...orphan, brokerId: 'crashed' });
      expect(await persistence.getWill(orphan)).toBeUndefined();
      const client = { id: 'demo:alice:alice-back' };
      // What the reconnected session stored; the crashed broker's sweep then deletes "its".
      await persistence.putWill(client, willOf(client.id));
      await persistence.delWill({ ...client, brokerId: 'crashed' });
      expect(await persistence.getWill(client)).toMatchObject({ brokerId: 'restarted' });
      await persistence.delWill({ ...client, brokerId: 'restarted' });
      expect(await persistence.getWill(client)).toBeUndefined();
      // aedes' CONNECT deletes whatever is there, naming no broker.
      await persistence.putWill(client, willOf(client.id));
      await persistence.delWill(client);
      expect(await persistence.getWill(client)).toBeUndefined();
    } finally {
      await persistence.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('is deleted only once the connection that stored it has closed, registered or not', async () => {
    const dataDir = await makeDataDir();
    const persistence = openBrokerPersistence(dataDir, (error) => {
      throw error;
    });
    const id = 'demo:alice:alice-back';
    const payloadNow = async () =>
      ((await persistence.getWill({ id })) as { payload: Buffer } | undefined)?.payload.toString();
    const will = (since: number) => ({
      ...willOf(id),
      payload: Buffer.from(json({ status: 'offline', since })),
    });
    try {
      // No client registered under the id: the newer connection may not be, yet.
      await persistence.setup({ id: 'live', clients: {} });
      const older = { id, closed: false };
      const newer = { id, closed: false };
      await persistence.putWill(older, will(1));
      older.closed = true;
      // The older one's delete runs as the newer one stores its will, in either order.
      await Promise.all([
        persistence.delWill({ id, brokerId: 'live' }),
        persistence.putWill(newer, will(2)),
      ]);
      expect(await payloadNow()).toBe(json({ status: 'offline', since: 2 }));
      await persistence.delWill({ id, brokerId: 'live' });
      expect(await payloadNow()).toBe(json({ status: 'offline', since: 2 }));
      newer.closed = true; // its own close: its will was sent, or voided
      await persistence.delWill({ id, brokerId: 'live' });
      expect(await payloadNow()).toBeUndefined();
    } finally {
      await persistence.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a takeover', () => {
  it('leaves the new connection’s will stored, for a crash to come', async () => {
    server = await startTestServer();
    const login = {
      username: 'bob@demo',
      password: DEMO_PASSWORD,
      clientId: 'bob-tab',
      clean: false,
      reconnectPeriod: 0,
      will: {
        topic: 'presence/bob/bob-tab',
        payload: Buffer.from(json({ status: 'offline', since: 1 })),
        qos: 1 as const,
        retain: true,
      },
    };
    const first = await connect(server.mqttUrl, login);
    const firstGone = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await connect(server.mqttUrl, login);
    try {
      await firstGone;
      const { persistence } = server.broker.aedes as unknown as { persistence: RawWillStore };
      await eventually(
        async () => (await persistence.getWill({ id: 'demo:bob:bob-tab' })) !== undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 200)); // the old client's delete lands by now
      expect(await persistence.getWill({ id: 'demo:bob:bob-tab' })).toMatchObject({
        topic: '$demo/presence/bob/bob-tab',
      });
    } finally {
      await second.endAsync();
    }
  });
});

describe('a connection dropped as its client connects again', () => {
  it('does not delete the new connection’s will, stored before it is registered', async () => {
    server = await startTestServer();
    const id = 'demo:agent-01:agent-01-box';
    // Each connection's will says which it is (its `detail`): it goes out stamped as it
    // fires (restamp-will.ts), `updatedAt` then no longer tells, and the rest goes as it was.
    const offline = (will: number) =>
      json({ status: 'offline', detail: `will ${will}`, updatedAt: will });
    const login = (will: number) => ({
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'agent-01-box',
      clean: false,
      will: {
        topic: 'agents/agent-01/state',
        payload: Buffer.from(offline(will)),
        qos: 1 as const,
        retain: true,
      },
    });
    /** Which connection's will went out first since the last call. */
    const nextWill = async () => {
      const sent = await waitForMessage(seen, (m) => m.payload.includes('"offline"'));
      seen.length = 0;
      const { detail } = JSON.parse(sent.payload) as { detail?: string };
      return Number(detail?.replace('will ', ''));
    };
    const { persistence } = server.broker.aedes as unknown as { persistence: RawWillStore };
    const storedNow = async () => (await persistence.getWill({ id }))?.payload.toString();
    const watcher = await connect(server.mqttUrl, {
      username: 'admin@demo',
      password: DEMO_PASSWORD,
      clientId: 'will-watcher',
    });
    const seen = record(watcher);
    expect(await subscribeGrants(watcher, ['agents/agent-01/state'])).toEqual([1]);
    const first = await connect(server.mqttUrl, login(1));
    // The old connection's delete of its sent will, when it has run.
    const putWill = persistence.putWill;
    const delWill = persistence.delWill;
    let oldDeleted!: Promise<unknown>;
    const oldDeleteRun = new Promise<void>((resolve) => {
      persistence.delWill = (client) => {
        const deleting = delWill.call(persistence, client);
        if (client.id === id && client.brokerId !== undefined) {
          oldDeleted = deleting;
          resolve();
        }
        return deleting;
      };
    });
    // The new connection's will is on disk but aedes has not registered it yet: held here
    // so that the old one's delete runs then every time. Unheld, it did in about one try in
    // five when the old socket dropped just as the new CONNECT began storing its will (the
    // old delete's check and its delete were separate reads and writes on disk).
    let stored!: () => void;
    const newWillStored = new Promise<void>((resolve) => (stored = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    persistence.putWill = async (client, packet) => {
      await putWill.call(persistence, client, packet);
      stored();
      await released;
    };
    const connecting = connect(server.mqttUrl, login(2));
    try {
      await newWillStored;
      first.stream.destroy(); // no DISCONNECT: its will goes, and is deleted
      expect(await nextWill()).toBe(1);
      await oldDeleteRun;
      await oldDeleted;
      release();
      const second = await connecting;
      expect(await storedNow()).toBe(offline(2));
      // Its own drop sends it, and deletes it.
      second.stream.destroy();
      expect(await nextWill()).toBe(2);
      await eventually(async () => (await storedNow()) === undefined);
      // A clean DISCONNECT voids it, and deletes it.
      const third = await connect(server.mqttUrl, login(3));
      expect(await storedNow()).toBe(offline(3));
      await third.endAsync();
      await eventually(async () => (await storedNow()) === undefined);
    } finally {
      release();
      persistence.putWill = putWill;
      persistence.delWill = delWill;
      first.end(true);
      (await connecting.catch(() => undefined))?.end(true);
      await watcher.endAsync();
    }
  });
});

interface RawWillStore {
  getWill(client: { id: string }): Promise<{ topic: string; payload: Buffer } | undefined>;
  putWill(client: { id: string }, packet: object): Promise<void>;
  delWill(client: { id: string; brokerId?: string }): Promise<unknown>;
}
