import type { AedesPublishPacket, Client } from 'aedes';
import { Level } from 'level';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password';
import {
  watchAcceptedPublishes,
  type IncomingPackets,
} from '../../../src/server/broker/accepted-publishes';
import { setIdentity, type ClientIdentity } from '../../../src/server/broker/client-identity';
import { mountClientId, mountTopic } from '../../../src/server/broker/mount-point';
import { eventually } from '../support/eventually';
import { json } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A publish a connection had accepted just before an admin closed it still goes on, later
// (accepted-publishes.ts): what the admin then corrects must land after it, or the state it
// corrects comes back for good.

const fixture = useTestServer();
let users = 0;

const online = json({ status: 'online', since: 1 });

async function presenceAt(topic: string) {
  const { messages } = await fixture.server.broker.admin.retained('demo', topic, 1);
  const found = messages.find((message) => message.topic === topic);
  return found && (JSON.parse(found.preview) as { status: string });
}

/**
 * A tab of a new user says online at `qos`; the moment the broker has accepted it (its
 * PUBACK written, or its store begun), the user's connections are closed and `correct`
 * runs. Resolves with the topic once `correct` has and the publish has been routed.
 * `persistent`: the tab keeps a session (a subscription), away once closed.
 */
async function closedAfterAccepting(
  qos: 1 | 2,
  correct: (user: string) => Promise<number>,
  persistent = false,
): Promise<{ topic: string; clientId: string; messageId: number | undefined }> {
  const user = `tab-user-${++users}`;
  fixture.server.storage.users.addUser({
    org: 'demo',
    user,
    role: 'member',
    passwordHash: await hashPassword(DEMO_PASSWORD),
  });
  const tab = await fixture.member(user, { clean: !persistent });
  if (persistent) await tab.subscribeAsync('presence/+/+', { qos: 1 });
  const topic = `presence/${user}/${tab.options.clientId}`;
  const { broker } = fixture.server;
  const { aedes } = broker;
  const authorize = aedes.authorizePublish;
  onTestFinished(() => void (aedes.authorizePublish = authorize));
  let closed = 0;
  let messageId: number | undefined;
  let corrected: Promise<number> | undefined;
  aedes.authorizePublish = (client, packet, done) =>
    authorize.call(aedes, client, packet, (error) => {
      done(error); // accepted: aedes has gone on with it
      if (error || packet.topic !== mountTopic('demo', topic)) return;
      messageId = packet.messageId;
      closed = broker.disconnect((identity) => identity.user === user);
      corrected = correct(user);
    });
  let routed = false;
  const onPublish = (packet: AedesPublishPacket) => {
    if (packet.topic === mountTopic('demo', topic)) routed = true;
  };
  aedes.on('publish', onPublish);
  onTestFinished(() => void aedes.off('publish', onPublish));

  void tab.publishAsync(topic, online, { qos, retain: true }).catch(() => undefined);
  await eventually(() => corrected !== undefined);
  expect(closed).toBe(1);
  await corrected;
  await eventually(() => routed);
  return { topic, clientId: tab.options.clientId!, messageId };
}

describe('what an admin corrects after closing a connection', () => {
  it.each([1, 2] as const)(
    'a removed user’s presence accepted at QoS %i stays cleared',
    async (qos) => {
      const { topic } = await closedAfterAccepting(qos, (user) =>
        fixture.server.broker.admin.clearLastKnown('demo', user),
      );
      expect(await presenceAt(topic)).toBeUndefined();
    },
  );

  it.each([1, 2] as const)(
    'a disabled user’s presence accepted at QoS %i ends offline',
    async (qos) => {
      const { topic } = await closedAfterAccepting(qos, (user) =>
        fixture.server.broker.admin.markOffline('demo', user),
      );
      expect(await presenceAt(topic)).toMatchObject({ status: 'offline' });
    },
  );

  it('a removed user’s session forgotten leaves no QoS 2 publish of theirs behind', async () => {
    // The lookup of a received QoS 2 publish's id, slow (a busy disk): its store comes late.
    const get = Level.prototype.get;
    onTestFinished(() => void (Level.prototype.get = get));
    Level.prototype.get = function (this: Level, key: unknown, ...rest: unknown[]) {
      const found = (get as (...args: unknown[]) => Promise<unknown>).call(this, key, ...rest);
      if (typeof key !== 'string' || !key.startsWith('incoming:')) return found;
      return new Promise((resolve) => setTimeout(() => resolve(found), 100));
    } as typeof get;
    let user = '';
    const { clientId, messageId } = await closedAfterAccepting(
      2,
      (closed) => fixture.server.broker.admin.forgetUser('demo', (user = closed)),
      true,
    );
    expect(messageId).toBeDefined();
    const { persistence } = fixture.server.broker.aedes as unknown as {
      persistence: IncomingPackets;
    };
    // Stored after the session was forgotten, it would wait for a PUBREL that never comes.
    const mounted = { id: mountClientId('demo', user, clientId) };
    await expect(
      persistence.incomingGetPacket(mounted, { cmd: 'pubrel', messageId }),
    ).rejects.toThrow();
  });
});

describe('watchAcceptedPublishes', () => {
  /** A store whose every lookup and write waits for the test to settle it. */
  function heldStore() {
    const gets: { resolve(found: unknown): void; reject(error: Error): void }[] = [];
    const stores: (() => void)[] = [];
    const incoming: IncomingPackets = {
      incomingGetPacket: () => new Promise((resolve, reject) => gets.push({ resolve, reject })),
      incomingStorePacket: () => new Promise<void>((resolve) => stores.push(resolve)),
    };
    return { incoming, gets, stores };
  }

  const connection = (user: string) => {
    const client = { id: `demo:${user}:c`, closed: false };
    setIdentity(client as unknown as Client, { org: 'demo', user } as ClientIdentity);
    return client;
  };
  const publish = () => ({ cmd: 'publish', qos: 2, messageId: 1 });
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  /** Whether `promise` has settled after a few turns. */
  const settles = async (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    for (let i = 0; i < 3; i++) await turn();
    return done;
  };

  it('waits for a closed connection’s QoS 2 publish until it is stored, or dropped', async () => {
    const { incoming, gets, stores } = heldStore();
    const accepted = watchAcceptedPublishes(incoming);
    const client = connection('ann');

    // Looked up, not found, stored (as aedes does, in its reaction to the lookup).
    const packet = publish();
    void incoming
      .incomingGetPacket(client, packet)
      .catch(() => incoming.incomingStorePacket(client, packet));
    client.closed = true;
    const landed = accepted.landed('demo', 'ann');
    expect(await settles(landed)).toBe(false);
    gets.shift()!.reject(new Error('no such packet'));
    expect(await settles(landed)).toBe(false); // being stored
    stores.shift()!();
    expect(await settles(landed)).toBe(true);

    // The same message again, and one aedes refused after the lookup: neither is routed.
    for (const settle of [
      (get: (typeof gets)[number]) => get.resolve(packet),
      (get: (typeof gets)[number]) => get.reject(new Error('no such packet')),
    ]) {
      void incoming.incomingGetPacket(client, publish()).catch(() => undefined);
      const waiting = accepted.landed('demo', 'ann');
      expect(await settles(waiting)).toBe(false);
      settle(gets.shift()!);
      expect(await settles(waiting)).toBe(true);
    }
  });

  it('does not wait for connections still open, other users’, or a PUBREL’s lookup', async () => {
    const { incoming } = heldStore();
    const accepted = watchAcceptedPublishes(incoming);
    const open = connection('ann');
    const other = connection('bob');
    other.closed = true;
    void incoming.incomingGetPacket(open, publish());
    void incoming.incomingGetPacket(other, publish());
    const closed = connection('ann');
    closed.closed = true;
    void incoming.incomingGetPacket(closed, { cmd: 'pubrel', messageId: 1 });
    expect(await settles(accepted.landed('demo', 'ann'))).toBe(true);
  });
});
