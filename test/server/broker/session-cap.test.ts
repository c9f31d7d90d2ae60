import path from 'node:path';
import { Level } from 'level';
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Aedes } from 'aedes';
import type { BrokerPersistence } from '../../../src/server/broker/persistence';
import type { RetainedPacket } from '../../../src/server/broker/retained-index';
import { capUserSessions, MAX_APP_SESSIONS_PER_USER } from '../../../src/server/broker/session-cap';
import { appTab } from '../support/app-tab';
import { eventually } from '../support/eventually';
import {
  closeAll,
  connect,
  json,
  record,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { markSeen } from '../../../src/server/broker/stored-sessions';
import { writeBrokerStore } from '../support/raw-persistence';
import {
  DEMO_PASSWORD,
  makeDataDir,
  startTestServer,
  type TestServer,
} from '../support/test-server';

// A token names any client id its holder asks for: a member could leave any number of
// persistent sessions subscribed to every room, each queueing every chat message of the org
// on disk until it expires. A user keeps at most MAX_APP_SESSIONS_PER_USER app sessions.

let server: TestServer;
const open: mqtt.MqttClient[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await closeAll(open);
  await server.cleanup();
});

/** A tab of `user`'s as the app connects (appTab), closed after the file. */
const tab = async (user: string, clientId: string, on = server) => {
  const { client } = await appTab(on, user, clientId);
  open.push(client);
  return client;
};
/** A tab opened, then closed once its leaving is noted (it shows as away). */
const leftTab = async (user: string, clientId: string, on = server) => {
  const client = await tab(user, clientId, on);
  await client.endAsync();
  await eventually(async () => (await awayIds(user, on)).includes(clientId), 5_000, clientId);
};
const awayIds = async (user: string, on = server) =>
  (await on.broker.admin.storedSessions('demo'))
    .filter((session) => session.user === user)
    .map((session) => session.clientId);
const presences = (user: string, on = server) =>
  on.broker.retainedTopics('demo', `presence/${user}/+`);
const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `alice-t${String(from + i).padStart(2, '0')}`);

describe('the cap on the app’s sessions per user, on the real broker', () => {
  let here: mqtt.MqttClient;

  it('keeps up to the cap, then drops the least recently seen away one at a new CONNECT', async () => {
    expect(MAX_APP_SESSIONS_PER_USER).toBe(20);
    // Another user's sessions, seen before any of alice's: the cap is per user.
    for (const id of ['bob-a', 'bob-b', 'bob-c']) await leftTab('bob', id);
    // Seen first of alice's, but connected throughout.
    here = await tab('alice', 'alice-here');
    for (const id of ids(0, 19)) await leftTab('alice', id);
    expect(await awayIds('alice')).toEqual(ids(0, 19)); // 20 with alice-here: none dropped

    // The 21st: the oldest away one goes before its CONNECT is accepted.
    open.push(await tab('alice', 'alice-t19'));
    expect(await awayIds('alice')).toEqual(ids(1, 19));
    expect(presences('alice')).not.toContain('presence/alice/alice-t00');
    expect(presences('alice')).toContain('presence/alice/alice-t01');
  });

  it('drops the oldest as sessions leave; the connected one and other users’ stay', async () => {
    await open.at(-1)!.endAsync(); // alice-t19
    for (const id of ids(20, 25)) await leftTab('alice', id);
    // 25 opened and closed and one connected: the 6 seen longest ago are gone.
    await eventually(async () => (await awayIds('alice')).length === 19, 5_000, 'the cap');
    expect(await awayIds('alice')).toEqual(ids(6, 25));
    expect(presences('alice').sort()).toEqual(
      ['presence/alice/alice-here', ...ids(6, 25).map((id) => `presence/alice/${id}`)].sort(),
    );
    expect(await awayIds('bob')).toEqual(['bob-a', 'bob-b', 'bob-c']);
    expect(presences('bob')).toHaveLength(3);

    // The connected one, seen first, still has its session: it gets what is said now.
    const seen = record(here);
    const other = await tab('alice', 'alice-t25');
    await other.publishAsync(
      'chat/general/messages',
      json({ id: 'past-the-cap', from: 'alice', text: 'x', sentAt: Date.now() }),
      { qos: 1 },
    );
    await waitForMessage(seen, (m) => m.payload.includes('past-the-cap'));
  });
});

describe('the cap after a crash', () => {
  it('is applied by the sweep to sessions whose leaving was never reported', async () => {
    // Connections open when the broker stopped never reported leaving: 22 of alice's.
    const dataDir = await makeDataDir();
    const crashed = Array.from({ length: 22 }, (_, i) => `alice-c${String(i).padStart(2, '0')}`);
    await writeBrokerStore(dataDir, 'crashed', async (persistence) => {
      for (const id of crashed) {
        await persistence.addSubscriptions({ id: `demo:alice:${id}` }, [
          { topic: '$demo/chat/+/+', qos: 1 },
        ]);
      }
    });
    const db = new Level<string, unknown>(path.join(dataDir, 'broker'));
    // Seen a minute ago, one millisecond apart: too recent to expire.
    const seenAt = Date.now() - 60_000;
    for (const [i, id] of crashed.entries()) await markSeen(db, [`demo:alice:${id}`], seenAt + i);
    await db.close();

    const restarted = await startTestServer({ dataDir });
    try {
      const away = async () =>
        (await restarted.broker.admin.storedSessions('demo')).map((s) => s.clientId);
      // The sweep at start.
      await eventually(async () => (await away()).length === 20, 5_000, 'the sweep');
      expect(await away()).toEqual(crashed.slice(2));
    } finally {
      await restarted.cleanup();
    }
  });
});

describe('the cap’s drops, after the CONNACK', () => {
  it('answers a CONNECT once decided; an id dropped comes back after its old session is gone', async () => {
    const fresh = await startTestServer();
    const { persistence } = fresh.broker.aedes as unknown as { persistence: BrokerPersistence };
    const forgetSession = persistence.forgetSession.bind(persistence);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held: string[] = [];
    try {
      for (const id of ids(0, 20)) await leftTab('alice', id, fresh);
      // From now on each drop waits here until released.
      persistence.forgetSession = async (id) => {
        held.push(id);
        await released;
        return forgetSession(id);
      };
      // The 21st: its CONNACK comes while the oldest's session is still being dropped.
      const newest = await tab('alice', 'alice-t20', fresh);
      expect(held).toEqual(['demo:alice:alice-t00']);
      expect(await awayIds('alice', fresh)).toContain('alice-t00');

      // The one being dropped comes back meanwhile: connecting, it counts (the next oldest
      // goes for it), and it waits for its old session to go.
      const returning = tab('alice', 'alice-t00', fresh);
      await eventually(() => held.length === 2, 5_000, 'alice-t00’s decision');
      expect(held).toEqual(['demo:alice:alice-t00', 'demo:alice:alice-t01']);
      release();
      const back = await returning;

      // Its new session and presence stay: the drop was done before they were made.
      const seen = record(back);
      await newest.publishAsync(
        'chat/general/messages',
        json({ id: 'after-the-drop', from: 'alice', text: 'x', sentAt: Date.now() }),
        { qos: 1 },
      );
      await waitForMessage(seen, (m) => m.payload.includes('after-the-drop'));
      expect(presences('alice', fresh)).toContain('presence/alice/alice-t00');
      expect(presences('alice', fresh)).not.toContain('presence/alice/alice-t01');
      // Two connected and 18 away: the cap, not over it.
      expect(await awayIds('alice', fresh)).toEqual(ids(2, 20));
      await back.endAsync();
      await eventually(
        async () => (await awayIds('alice', fresh)).includes('alice-t00'),
        5_000,
        'alice-t00 away with its session',
      );
    } finally {
      release();
      await closeAll(open.splice(0));
      await fresh.cleanup();
    }
  });
});

/** A persistence that holds only what the cap reads and writes; `read`: its disk reads. */
function fakePersistence(seen: Map<string, number>, stored: string[]) {
  const forgotten: string[] = [];
  const read: string[] = [];
  const persistence = {
    seenSessionsOf: (org: string, user: string) =>
      [...seen]
        .filter(([id]) => id.startsWith(`${org}:${user}:`))
        .map(([clientId, seenAt]) => ({ clientId, seenAt })),
    hasStoredSession: async (id: string) => {
      read.push(id);
      return stored.includes(id);
    },
    forgetSession: async (id: string) => void forgotten.push(id),
    retained: { match: function* (): Generator<RetainedPacket> {} },
  } as unknown as BrokerPersistence;
  return { persistence, forgotten, read };
}

describe('capUserSessions', () => {
  const aedes = {} as Aedes;
  const hold = (_id: string, work: () => Promise<void>) => work();
  const dropping = () => false;
  const alice = (n: number) => `demo:alice:t${n}`;

  it.each([
    {
      what: 'a new CONNECT counts as one of them',
      connecting: 'demo:alice:new',
      inUse: ['demo:alice:new'],
      dropped: [alice(1)],
    },
    {
      what: 'a CONNECT resuming a noted session counts once',
      connecting: alice(3),
      inUse: [alice(3)],
      dropped: [],
    },
    {
      what: 'a connected session is never dropped, however long ago it was seen',
      connecting: 'demo:alice:new',
      inUse: ['demo:alice:new', alice(1)],
      dropped: [alice(2)],
    },
    {
      what: 'with none connecting (a disconnect), only those over the cap go',
      connecting: undefined,
      inUse: [],
      dropped: [],
    },
  ])('$what', async ({ connecting, inUse, dropped }) => {
    // Three of alice's, seen at 3,000, 1,000 and 2,000; bob's seen earliest; a cap of 3.
    const seen = new Map([
      [alice(1), 1_000],
      [alice(2), 2_000],
      [alice(3), 3_000],
      ['demo:bob:t1', 10],
    ]);
    const { persistence, forgotten } = fakePersistence(seen, [...seen.keys()]);
    const hooks = { inUse: () => new Set(inUse), hold, dropping };
    const decision = await capUserSessions(
      aedes,
      persistence,
      hooks,
      { org: 'demo', user: 'alice', connecting },
      3,
    );
    expect(decision.dropping).toEqual(dropped);
    const gone = await decision.done;
    expect(forgotten).toEqual(dropped);
    expect(gone.map((s) => `${s.org}:${s.user}:${s.clientId}`)).toEqual(dropped);
  });

  it('does not count a noted id with no stored session left', async () => {
    const seen = new Map([
      [alice(1), 1_000],
      [alice(2), 2_000],
      [alice(3), 3_000],
    ]);
    const { persistence, forgotten } = fakePersistence(seen, [alice(2), alice(3)]);
    const hooks = { inUse: () => new Set(['demo:alice:new']), hold, dropping };
    const decision = await capUserSessions(
      aedes,
      persistence,
      hooks,
      { org: 'demo', user: 'alice', connecting: 'demo:alice:new' },
      3,
    );
    await decision.done;
    expect(forgotten).toEqual([]);
  });

  it('reads nothing from the disk while the user’s noted sessions fit under the cap', async () => {
    // Three noted, of which the one resuming: whatever is stored, no more than three.
    const seen = new Map([
      [alice(1), 1_000],
      [alice(2), 2_000],
      [alice(3), 3_000],
    ]);
    const { persistence, read } = fakePersistence(seen, [...seen.keys()]);
    const hooks = { inUse: () => new Set([alice(3)]), hold, dropping };
    const decision = await capUserSessions(
      aedes,
      persistence,
      hooks,
      { org: 'demo', user: 'alice', connecting: alice(3) },
      3,
    );
    expect(decision.dropping).toEqual([]);
    expect(read).toEqual([]);
  });

  it('does not count a session being dropped, nor drop one more for it', async () => {
    const seen = new Map([
      [alice(1), 1_000],
      [alice(2), 2_000],
      [alice(3), 3_000],
    ]);
    const { persistence, forgotten } = fakePersistence(seen, [...seen.keys()]);
    // alice(1) is being dropped (an earlier decision): with the new one, three.
    const hooks = {
      inUse: () => new Set(['demo:alice:new']),
      hold,
      dropping: (id: string) => id === alice(1),
    };
    const decision = await capUserSessions(
      aedes,
      persistence,
      hooks,
      { org: 'demo', user: 'alice', connecting: 'demo:alice:new' },
      3,
    );
    await decision.done;
    expect(decision.dropping).toEqual([]);
    expect(forgotten).toEqual([]);
  });

  it('decides before the drops are done, and holds each dropped id from the decision', async () => {
    const seen = new Map([
      [alice(1), 1_000],
      [alice(2), 2_000],
      [alice(3), 3_000],
    ]);
    const { persistence, forgotten } = fakePersistence(seen, [...seen.keys()]);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held: string[] = [];
    const hooks = {
      inUse: () => new Set(['demo:alice:new']),
      hold: (id: string, work: () => Promise<void>) => {
        held.push(id);
        return released.then(work);
      },
      dropping,
    };
    const decided = capUserSessions(
      aedes,
      persistence,
      hooks,
      { org: 'demo', user: 'alice', connecting: 'demo:alice:new' },
      3,
    );
    // Settled or not once the turn's promise jobs have run (the fake disk answers in them).
    const first = await Promise.race([
      decided,
      new Promise<'not decided'>((resolve) => setImmediate(() => resolve('not decided'))),
    ]);
    try {
      expect(first).toMatchObject({ dropping: [alice(1)] });
      expect(held).toEqual([alice(1)]);
      expect(forgotten).toEqual([]);
    } finally {
      release();
    }
    await (
      await decided
    ).done;
    expect(forgotten).toEqual([alice(1)]);
  });
});

describe('the cap on people’s own MQTT clients', () => {
  /** A persistent session opened with the user's password, on every room, then closed. */
  const passwordSession = async (user: string, clientId: string) => {
    const client = await connect(server.mqttUrl, {
      username: `${user}@demo`,
      password: DEMO_PASSWORD,
      clientId,
      clean: false,
    });
    const filter = user.startsWith('agent') ? `agents/${user}/inbox` : 'chat/+/+';
    await subscribeGrants(client, [filter], 1);
    await client.endAsync();
  };

  it('counts a member’s or admin’s password sessions as the app’s; not an agent’s', async () => {
    const sessions = MAX_APP_SESSIONS_PER_USER + 3;
    for (let i = 0; i < sessions; i++) {
      await passwordSession('admin', `admin-own-${i}`);
      await passwordSession('agent-02', `agent-02-own-${i}`);
    }
    await eventually(
      async () => (await awayIds('admin')).length === MAX_APP_SESSIONS_PER_USER,
      10_000,
      'admin’s sessions cut to the cap',
    );
    expect((await awayIds('admin')).sort()).toEqual(
      Array.from({ length: MAX_APP_SESSIONS_PER_USER }, (_, i) => `admin-own-${i + 3}`).sort(),
    );
    // A device may rely on its session for good.
    expect(await awayIds('agent-02')).toHaveLength(sessions);
  }, 120_000);
});
