import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs } from './support/mqtt-observer';
import { openRoom, openSection, RoomPage, signInOn, signOut } from './support/workspace-page';

function notification(title: string, body: string): string {
  return JSON.stringify({ id: randomUUID(), title, body, createdAt: Date.now() });
}

describe('notifications', () => {
  const e2e = useE2eHarness('notifications');

  it('a notification sent to bob while he is signed out is in his inbox after he signs in, and alice never sees it', async () => {
    const server = await e2e.startServer();
    const alice = await e2e.signIn(server, 'alice@demo');
    const bob = await e2e.signIn(server, 'bob@demo');
    e2e.showcase(bob.page);
    // Signing in once gave this tab a persistent session; the broker queues for it.
    await signOut(bob.page);

    const notifier = await connectAs(server, 'notifier');
    e2e.onCleanup(() => notifier.close());
    await notifier.client.publishAsync(
      'notifications/bob',
      notification('Deploy finished', 'switchboard 0.1.0 is live on staging.'),
      { qos: 1 },
    );
    // Sent after bob's: once alice has this one, bob's would have reached her too.
    await notifier.client.publishAsync(
      'notifications/alice',
      notification('Review requested', 'bob asked for a review of the e2e suite.'),
      { qos: 1 },
    );

    await signInOn(bob.page, 'bob@demo');
    await bob.page.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    await openSection(bob.page, 'Notifications');
    const deploy = bob.page.getByRole('article', { name: 'Deploy finished' });
    await deploy.getByText('switchboard 0.1.0 is live on staging.').waitFor();
    expect(await bob.page.getByRole('article', { name: 'Review requested' }).count()).toBe(0);

    await openSection(alice.page, 'Notifications');
    await alice.page.getByRole('article', { name: 'Review requested' }).waitFor();
    expect(await alice.page.getByRole('article').count()).toBe(1);
    expect(await alice.page.getByText('Deploy finished').count()).toBe(0);
  });

  it('a notification sent before bob ever signed in reaches him on a fresh device', async () => {
    const server = await e2e.startServer();
    const notifier = await connectAs(server, 'notifier');
    e2e.onCleanup(() => notifier.close());
    await notifier.client.publishAsync(
      'notifications/bob',
      notification('Welcome aboard', 'Your workspace is ready.'),
      { qos: 1 },
    );

    // No session, no client id the broker could have queued for: the server's inbox.
    const bob = await e2e.signIn(server, 'bob@demo');
    await bob.page.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    await openSection(bob.page, 'Notifications');
    await bob.page
      .getByRole('article', { name: 'Welcome aboard' })
      .getByText('Your workspace is ready.')
      .waitFor();
  });

  it('alice mentions bob in #general: bob is notified, and the notification opens the room', async () => {
    const server = await e2e.startServer();
    const alice = await e2e.signIn(server, 'alice@demo');
    const bob = await e2e.signIn(server, 'bob@demo');
    const aliceRoom = await openRoom(alice.page, 'general');
    // Typed as a person does: the composer suggests bob, Enter takes him, then the rest.
    await aliceRoom.composer.pressSequentially('@bo', { delay: 20 });
    const suggestion = alice.page.getByRole('option', { name: '@bob' });
    await suggestion.waitFor();
    expect(await suggestion.getAttribute('aria-selected')).toBe('true');
    await aliceRoom.composer.press('Enter');
    await aliceRoom.composer.pressSequentially('can you review the release notes?');
    expect(await aliceRoom.composer.inputValue()).toBe('@bob can you review the release notes?');
    await aliceRoom.composer.press('Enter');

    await bob.page.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    await openSection(bob.page, 'Notifications');
    const mention = bob.page.getByRole('article', { name: 'alice mentioned you in #general' });
    await mention.getByText('@bob can you review the release notes?').waitFor();
    await mention.getByRole('link', { name: /general/ }).click();
    const bobRoom = new RoomPage(bob.page, 'general'); // opened by the link
    const mentioned = bobRoom.message('@bob can you review the release notes?');
    await mentioned.locator('mark', { hasText: '@bob' }).waitFor(); // his name, marked
    // Opening its link marked it read.
    await bob.page.getByRole('link', { name: /unread/ }).waitFor({ state: 'hidden' });

    // The sender is not notified of her own mention: one for her would have been published
    // with bob's, which has since reached his page and been opened (the server's tests
    // check this exactly: test/server/mention-notifications.test.ts).
    expect(await alice.page.getByRole('link', { name: /unread/ }).count()).toBe(0);
  });
});
