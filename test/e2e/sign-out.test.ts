import type { Response } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { connackCode } from '../server/support/mqtt-clients';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs } from './support/mqtt-observer';
import {
  openRoom,
  openSection,
  personRow,
  RoomPage,
  signInOn,
  waitConnected,
} from './support/workspace-page';

const CLIENT_ID_KEY = 'switchboard:client-id'; // where the app keeps its per-tab client id
const FOLLOW_TIMEOUT_MS = 5_000; // "at once": well before any poll or token renewal
const REFUSED_BAD_CREDENTIALS = 4; // CONNACK return code [MQTT-3.2.2.3]

interface BrokerToken {
  url: string;
  username: string;
  password: string;
  clientId: string;
}

const isTokenResponse = (response: Response) =>
  response.url().endsWith('/api/token') && response.ok();

describe('sign-out', () => {
  const e2e = useE2eHarness('sign-out');

  it("signing out in one tab ends the other tabs' sign-in too: they leave at once and their connection is closed", async () => {
    const server = await e2e.startServer();
    const observer = await connectAs(server, 'admin');
    e2e.onCleanup(() => observer.close());
    await observer.client.subscribeAsync('presence/alice/+', { qos: 1 });

    const alice = await e2e.signIn(server, 'alice@demo');
    await openRoom(alice.page, 'general');
    const firstTabClient = await alice.page.evaluate(
      (key) => sessionStorage.getItem(key),
      CLIENT_ID_KEY,
    );
    // The second tab's broker token, to try once it is signed out.
    const secondTab = await alice.context.newPage();
    const tokens: BrokerToken[] = [];
    secondTab.on('response', (response) => {
      if (isTokenResponse(response)) void response.json().then((token) => tokens.push(token));
    });
    await secondTab.goto('/#/rooms/general');
    await waitConnected(secondTab);
    await new RoomPage(secondTab, 'general').messages.waitFor();
    const [token] = tokens;
    if (!token) throw new Error('the second tab got no broker token');

    const bob = await e2e.signIn(server, 'bob@demo');
    await openSection(bob.page, 'People');
    await personRow(bob.page, 'alice').getByText('online', { exact: true }).waitFor();

    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Sign in' }).waitFor();
    e2e.showcase(secondTab);
    await secondTab
      .getByRole('button', { name: 'Sign in' })
      .waitFor({ timeout: FOLLOW_TIMEOUT_MS });
    await secondTab
      .getByText('Your session has ended. Please sign in again.')
      .waitFor({ timeout: FOLLOW_TIMEOUT_MS });

    // Both of alice's connections are gone, each saying offline: the first itself, the second
    // through its Last Will; bob sees her offline.
    for (const clientId of [firstTabClient, token.clientId]) {
      await observer.waitFor(
        (m) => m.topic === `presence/alice/${clientId}` && m.payload.includes('"offline"'),
        FOLLOW_TIMEOUT_MS,
      );
    }
    await personRow(bob.page, 'alice')
      .getByText('offline', { exact: true })
      .waitFor({ timeout: FOLLOW_TIMEOUT_MS });
    // And the sign-in's token no longer opens a connection: nothing more is sent as alice.
    expect(
      await connackCode(token.url, {
        username: token.username,
        password: token.password,
        clientId: token.clientId,
      }),
    ).toBe(REFUSED_BAD_CREDENTIALS);

    // Signing in again in one tab takes the other, on its sign-in page, back in.
    await signInOn(alice.page, 'alice@demo');
    await waitConnected(secondTab);
    await personRow(bob.page, 'alice').getByText('online', { exact: true }).waitFor();
  });

  it('a sign-in the server ends (its tokens revoked) is not a sign-out: signing back in finds the room and the draft', async () => {
    const server = await e2e.startServer();
    const admin = await e2e.signIn(server, 'admin@demo');
    const alice = await e2e.signIn(server, 'alice@demo');
    const room = await openRoom(alice.page, 'general');
    await room.composer.fill('half a thought');

    const revoked = await admin.page.evaluate(async () => {
      const response = await fetch('/api/admin/users/alice/revoke-tokens', {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: '{}',
      });
      return response.status;
    });
    expect(revoked).toBe(200);
    await alice.page
      .getByText('Your session has ended. Please sign in again.')
      .waitFor({ timeout: FOLLOW_TIMEOUT_MS });
    expect(new URL(alice.page.url()).hash).toBe('#/rooms/general');

    await signInOn(alice.page, 'alice@demo');
    await room.messages.waitFor();
    expect(await room.composer.inputValue()).toBe('half a thought');
  });
});
