import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { subscribeGrants } from '../server/support/mqtt-clients';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs } from './support/mqtt-observer';
import { openRoom, openSection } from './support/workspace-page';

const EVE_PASSWORD = 'eve-password-1';
const DEMO_FLEET = 2; // demo has agents on its board; acme must not see them

describe('organisation isolation', () => {
  const e2e = useE2eHarness('isolation');

  it("eve of acme sees none of demo's rooms, people, agents or notifications, and cannot reach demo by naming its topics", async () => {
    const server = await e2e.startServer({ demoAgents: DEMO_FLEET });
    await server.cli(['org', 'add', 'acme']);
    await server.cli(['user', 'add', 'eve@acme', '--role', 'member', '--password', EVE_PASSWORD]);

    const alice = await e2e.signIn(server, 'alice@demo');
    const aliceRoom = await openRoom(alice.page, 'general');
    await openSection(alice.page, 'Agents');
    await alice.page.getByText(`${DEMO_FLEET} agents`, { exact: true }).waitFor();
    await openRoom(alice.page, 'general');

    const eve = await e2e.signIn(server, 'eve@acme', EVE_PASSWORD);
    e2e.showcase(eve.page);
    const nav = eve.page.getByRole('navigation', { name: 'Workspace' });
    await nav.getByText('No rooms yet.').waitFor();

    // Eve names demo's room: she gets a room of her own org called general.
    await nav.getByText('New room').click();
    await nav.getByLabel('Room id').fill('general');
    await nav.getByRole('button', { name: 'Create' }).click();
    const eveRoom = await openRoom(eve.page, 'general');
    await eveRoom.send('eve was here');
    await eveRoom.message('eve was here').getByText('sent', { exact: true }).waitFor();
    // Her own message made the round trip, so anything retained for her has arrived too.
    expect(await eveRoom.totalMessages()).toBe(1);

    // And over raw MQTT, naming demo's topics every way she can think of.
    const raw = await connectAs(server, 'eve', 'acme', EVE_PASSWORD);
    e2e.onCleanup(() => raw.close());
    const grants = await subscribeGrants(raw.client, ['$demo/#', '#', 'agents/+/state'], 1);
    expect(grants[0]).toBe(128);
    const intrusion = (topic: string) =>
      JSON.stringify({
        id: randomUUID(),
        from: 'eve',
        text: `intrusion via ${topic}`,
        sentAt: Date.now(),
      });
    for (const topic of [
      '$demo/chat/general/messages',
      'demo/chat/general/messages',
      'chat/general/messages',
      '$SYS/../$demo/chat/general/messages',
    ]) {
      // Acknowledged (MQTT 3.1.1 cannot refuse a publish) and then dropped by the broker.
      await raw.client.publishAsync(topic, intrusion(topic), { qos: 1 });
    }
    expect(raw.client.connected).toBe(true);

    // Notifications: one for "eve" inside demo, one for alice; the second proves delivery.
    const notifier = await connectAs(server, 'notifier');
    e2e.onCleanup(() => notifier.close());
    const note = (title: string) =>
      JSON.stringify({ id: randomUUID(), title, body: 'from demo', createdAt: Date.now() });
    await notifier.client.publishAsync('notifications/eve', note('For eve inside demo'), {
      qos: 1,
    });
    await notifier.client.publishAsync('notifications/alice', note('For alice'), { qos: 1 });

    // A sentinel from bob, sent after all of eve's attempts: once alice has it, anything
    // eve managed to send would be there too.
    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    const sentinel = {
      id: randomUUID(),
      from: 'bob',
      text: 'sentinel from bob',
      sentAt: Date.now(),
    };
    await bob.client.publishAsync('chat/general/messages', JSON.stringify(sentinel), { qos: 1 });
    await aliceRoom.message('sentinel from bob').waitFor();
    expect(await aliceRoom.totalMessages()).toBe(1);
    expect(await alice.page.getByText(/eve was here|intrusion/).count()).toBe(0);
    await alice.page.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();

    // Eve's raw client heard nothing of demo's either.
    expect(
      raw.messages.filter((m) => /agent-0|sentinel|from demo|alice|bob/.test(m.payload)),
    ).toEqual([]);

    await openSection(eve.page, 'People');
    const people = eve.page.getByRole('list', { name: 'People in your organisation' });
    await people.getByText('eve', { exact: true }).waitFor();
    expect(await people.getByRole('listitem').count()).toBe(1);

    await openSection(eve.page, 'Agents');
    await eve.page.getByText('No agent has reported yet.').waitFor();
    expect(await eve.page.getByText('0 agents', { exact: true }).count()).toBe(1);

    await openSection(eve.page, 'Notifications');
    await eve.page.getByText(/Nothing here yet/).waitFor();
    expect(await eve.page.getByRole('article').count()).toBe(0);

    // Demo's rooms never appeared in eve's navigation.
    for (const room of ['# ops', '# random']) {
      expect(await nav.getByRole('link', { name: room }).count()).toBe(0);
    }
  });
});
