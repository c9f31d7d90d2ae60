import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { openRoom, UI_TIMEOUT_MS } from './support/workspace-page';

describe('chat', () => {
  const e2e = useE2eHarness('chat');

  it('alice and bob exchange messages both ways, and bob sees alice typing', async () => {
    const server = await e2e.startServer();
    const alice = await e2e.signIn(server, 'alice@demo');
    const bob = await e2e.signIn(server, 'bob@demo');
    const aliceRoom = await openRoom(alice.page, 'general');
    const bobRoom = await openRoom(bob.page, 'general');
    e2e.showcase(bob.page);

    // Typed key by key, as a person does: every keystroke refreshes the indicator.
    await aliceRoom.composer.pressSequentially('Hi bob, are you there?', { delay: 20 });
    await bobRoom.typing.getByText('alice is typing…').waitFor();
    await aliceRoom.composer.press('Enter');
    await bobRoom.message('Hi bob, are you there?').waitFor();
    // Sending stops the indicator at once, not after it fades.
    await bobRoom.typing.getByText('alice is typing…').waitFor({ state: 'hidden' });

    await bobRoom.send('Yes, hello alice!');
    await aliceRoom.message('Yes, hello alice!').waitFor();

    for (const room of [aliceRoom, bobRoom]) {
      await expect.poll(() => room.totalMessages(), { timeout: UI_TIMEOUT_MS }).toBe(2);
      expect(await room.message('Hi bob, are you there?').count()).toBe(1);
      expect(await room.message('Yes, hello alice!').count()).toBe(1);
    }
    // One more round of typing, so the final screenshot shows the indicator.
    await aliceRoom.composer.pressSequentially('Great, see you at', { delay: 20 });
    await bobRoom.typing.getByText('alice is typing…').waitFor();
  });
});
