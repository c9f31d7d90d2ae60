import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs, type MqttObserver } from './support/mqtt-observer';
import {
  connectionStatus,
  openRoom,
  UI_TIMEOUT_MS,
  waitConnected,
  type RoomPage,
} from './support/workspace-page';
import { DEMO_PASSWORD } from './support/e2e-server';

const ROOM_TOPIC = 'chat/general/messages';

describe('admin adminConsole', () => {
  const e2e = useE2eHarness('admin');

  it('an admin creates a user who chats, narrows their ACL so their next message is refused, and disconnects their session', async () => {
    const server = await e2e.startServer();
    const admin = await e2e.signIn(server, 'admin@demo');
    e2e.showcase(admin.page);
    const alice = await e2e.signIn(server, 'alice@demo');
    const aliceRoom = await openRoom(alice.page, 'general');
    // Bob over plain MQTT: what the broker forwards to the room, seen without a browser.
    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    await bob.client.subscribeAsync(ROOM_TOPIC, { qos: 1 });

    // The admin creates dana; her generated password is shown once.
    const adminConsole = await openAdminConsole(admin.page);
    await adminConsole.getByRole('textbox', { name: 'User id' }).fill('dana');
    await adminConsole.getByRole('button', { name: 'Create user' }).click();
    const secret = adminConsole.getByRole('region', { name: 'Password for dana' });
    const password = (await secret.getByLabel('Password').textContent()) ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    await secret.getByRole('button', { name: 'Done, hide it' }).click();
    await adminConsole.getByRole('rowheader', { name: 'dana' }).waitFor();

    // Dana signs in with it and chats in #general.
    const dana = await e2e.signIn(server, 'dana@demo', password);
    const danaRoom = await openRoom(dana.page, 'general');
    await danaRoom.send('Hello from dana');
    await aliceRoom.message('Hello from dana').waitFor();
    await bob.waitFor((m) => m.topic === ROOM_TOPIC && textOf(m.payload) === 'Hello from dana');

    // The admin narrows her ACL: an extra deny rule on the room's messages, and one on
    // reading another room.
    await adminConsole.getByRole('button', { name: /^Extra rules of dana/ }).click();
    const rules = adminConsole.getByRole('region', { name: 'Extra rules for dana' });
    for (const [n, action, topic] of [
      [1, 'publish', ROOM_TOPIC],
      [2, 'subscribe', 'chat/ops/#'],
    ] as const) {
      await rules.getByRole('button', { name: 'Add a rule' }).click();
      await rules.getByRole('combobox', { name: `Rule ${n} Permission` }).selectOption('deny');
      await rules.getByRole('combobox', { name: `Rule ${n} Action` }).selectOption(action);
      await rules.getByRole('textbox', { name: `Rule ${n} Topic filter` }).fill(topic);
    }
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await rules
      .getByRole('status')
      .filter({ hasText: 'Saved 2 rules for dana; applied to 1 live connection.' })
      .waitFor();
    await e2e.snapshot(admin.page, 'users and rules');

    // The checker agrees, naming the rule and where it comes from.
    await adminConsole.getByRole('tab', { name: 'ACL check' }).click();
    await adminConsole.getByRole('option', { name: 'dana' }).waitFor({ state: 'attached' });
    await adminConsole.getByRole('combobox', { name: 'User' }).selectOption('dana');
    await adminConsole.getByRole('textbox', { name: 'Topic' }).fill(ROOM_TOPIC);
    await adminConsole.getByRole('button', { name: 'Check' }).click();
    const answer = adminConsole.getByRole('region', { name: 'Answer' });
    await answer.getByText('Denied:').waitFor();
    expect(await answer.textContent()).toContain(
      `the rule deny publish ${ROOM_TOPIC}, from dana's extra rules`,
    );
    // Her app's subscription to every room stays, without #ops.
    await adminConsole.getByRole('radio', { name: 'subscribe' }).click();
    await adminConsole.getByRole('textbox', { name: 'Topic filter' }).fill('chat/+/+');
    await adminConsole.getByRole('button', { name: 'Check' }).click();
    await answer.getByText('Allowed:').waitFor();
    expect(await answer.getByRole('listitem').allTextContents()).toEqual([
      'deny subscribe chat/ops/#',
    ]);

    // Her next message is refused: the broker acknowledges it (MQTT 3.1.1 has no way to say
    // no) and drops it, see docs/decisions.md. It is not in the history: her tab says so.
    // Bob posts in #ops first: the broker forwards his messages in order.
    await bob.client.publishAsync(
      'chat/ops/messages',
      JSON.stringify({ id: randomUUID(), from: 'bob', text: 'Ops only', sentAt: Date.now() }),
      { qos: 1 },
    );
    await expectRefused(danaRoom, 'This one is refused', { aliceRoom, bob });
    // She still reads the room: only publishing to it was narrowed, and denying her #ops
    // left her subscription to every room in place, without #ops: alice sees it arrive,
    // she does not.
    await danaRoom.message('Bob after the refusal').waitFor();
    await alice.page.getByRole('link', { name: '# ops 1 unread' }).waitFor();
    expect(await dana.page.getByRole('link', { name: '# ops', exact: true }).count()).toBe(1);

    // The admin disconnects her session and sees it leave the live list.
    await adminConsole.getByRole('tab', { name: 'Sessions' }).click();
    const live = adminConsole.getByRole('table', { name: 'Live connections' });
    const danaRow = live
      .getByRole('row')
      .filter({ has: admin.page.getByRole('cell', { name: 'dana', exact: true }) });
    await danaRow.waitFor();
    const since = await danaRow.locator('time').getAttribute('datetime');
    const thatConnection = live.locator(`time[datetime="${since}"]`);
    await e2e.snapshot(admin.page, 'sessions');
    // Watched from before the click: her app reconnects after about a second.
    const danaNoticed = connectionStatus(dana.page)
      .filter({ hasText: /^Reconnecting/ })
      .waitFor();
    await danaRow.getByRole('button', { name: /^Disconnect .+ \(dana\)$/ }).click();
    await adminConsole
      .getByRole('status')
      .filter({ hasText: /^Disconnected .+ \(dana\)\.$/ })
      .waitFor();
    await thatConnection.waitFor({ state: 'detached' });
    await danaNoticed;
    // The list keeps refreshing: her app's new connection shows as a new row, and the one
    // that was disconnected does not come back.
    await expect
      .poll(async () => danaRow.count(), { timeout: UI_TIMEOUT_MS, interval: 250 })
      .toBe(1);
    expect(await danaRow.locator('time').getAttribute('datetime')).not.toBe(since);
    expect(await thatConnection.count()).toBe(0);

    // Everything above is in the audit log.
    await adminConsole.getByRole('tab', { name: 'Audit log' }).click();
    const audit = adminConsole.getByRole('table', { name: 'Audit log' });
    for (const action of ['session.disconnect', 'user.rules', 'user.create']) {
      await audit.getByText(action, { exact: true }).waitFor();
    }
    await adminConsole.getByRole('tab', { name: 'Users' }).click();
    await adminConsole.getByRole('rowheader', { name: 'dana' }).waitFor();

    // What she wrote and was refused stays, across a reload, until she discards it.
    await dana.page.reload();
    const refused = (await openRoom(dana.page, 'general')).message('This one is refused');
    await refused.getByText(/^not delivered/).waitFor();
    await refused.getByRole('button', { name: 'Discard' }).click();
    await refused.waitFor({ state: 'detached' });
    await dana.page.reload();
    const danaAfter = await openRoom(dana.page, 'general');
    await danaAfter.message('Bob after the refusal').waitFor();
    expect(await danaAfter.message('This one is refused').count()).toBe(0);
  }, 150_000); // three browsers and a slow shared machine

  it("revoking a user's tokens signs their open app out, and a service account is refused at sign-in", async () => {
    const server = await e2e.startServer();
    const admin = await e2e.signIn(server, 'admin@demo');
    const alice = await e2e.signIn(server, 'alice@demo');
    const bob = await e2e.signIn(server, 'bob@demo');

    const adminConsole = await openAdminConsole(admin.page);
    await adminConsole.getByRole('tab', { name: 'Tokens' }).click();
    await adminConsole.getByRole('combobox', { name: 'User' }).selectOption('alice');
    await adminConsole.getByRole('button', { name: "Revoke all of alice's tokens" }).click();
    await adminConsole.getByRole('button', { name: 'Revoke all', exact: true }).click();
    await adminConsole
      .getByRole('status')
      .filter({ hasText: /ended: the app signs in again only with the password\.$/ })
      .waitFor();

    // Her app does not get a fresh token from its cookie: it is back at the sign-in page,
    // also after a reload. Bob's is untouched.
    await alice.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await alice.page.reload();
    await alice.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await waitConnected(bob.page);

    // The notifier's password is right, but the app is not for service accounts: it says so.
    await alice.page.getByLabel('Username').fill('notifier@demo');
    await alice.page.getByLabel('Password').fill(DEMO_PASSWORD);
    await alice.page.getByRole('button', { name: 'Sign in' }).click();
    await alice.page
      .getByRole('alert')
      .filter({ hasText: 'This is an agent or service account' })
      .waitFor();
    expect(await alice.page.getByRole('navigation', { name: 'Workspace' }).count()).toBe(0);
  }, 120_000);
});

async function openAdminConsole(page: Page): Promise<Locator> {
  await page
    .getByRole('navigation', { name: 'Workspace' })
    .getByRole('link', { name: 'Admin', exact: true })
    .click();
  const adminConsole = page.getByRole('region', { name: 'Admin' });
  await adminConsole.getByRole('tab', { name: 'Users', selected: true }).waitFor();
  return adminConsole;
}

/**
 * `text` from `room` is acknowledged but reaches nobody. Proven with a later message from
 * bob: the broker forwards in order, so once bob's arrives, dana's would have arrived first.
 */
async function expectRefused(
  room: RoomPage,
  text: string,
  others: { aliceRoom: RoomPage; bob: MqttObserver },
): Promise<void> {
  await room.send(text);
  // Acknowledged (shown as sent), it never comes back, and the room's history lacks it.
  await room
    .message(text)
    .getByText(/^not delivered/)
    .waitFor();
  const after = 'Bob after the refusal';
  await others.bob.client.publishAsync(
    ROOM_TOPIC,
    JSON.stringify({ id: randomUUID(), from: 'bob', text: after, sentAt: Date.now() }),
    { qos: 1 },
  );
  await others.aliceRoom.message(after).waitFor();
  await others.bob.waitFor((m) => m.topic === ROOM_TOPIC && textOf(m.payload) === after);
  expect(await others.aliceRoom.message(text).count()).toBe(0);
  expect(others.bob.messages.filter((m) => textOf(m.payload) === text)).toEqual([]);
}

function textOf(payload: string): string | undefined {
  try {
    const parsed = JSON.parse(payload) as { text?: unknown };
    return typeof parsed.text === 'string' ? parsed.text : undefined;
  } catch {
    return undefined;
  }
}
