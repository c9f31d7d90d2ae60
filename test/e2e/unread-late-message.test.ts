import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs } from './support/mqtt-observer';
import { openRoom } from './support/workspace-page';

// Well within the app's COUNTED_QUEUE_WINDOW_MS (30 s) after its counts, and well short of
// the 5 minutes to its next poll of them: the recount, not the poll, puts the badge right.
const BADGE_TIMEOUT_MS = 10_000;

describe('unread counts and a message dated before them', () => {
  const e2e = useE2eHarness('unread-late-message');

  it('a message written 40 s ago and recorded just after the reader’s counts reaches the badge and the title within seconds', async () => {
    const server = await e2e.startServer();
    const alice = await connectAs(server, 'alice');
    e2e.onCleanup(() => alice.close());
    const bob = await e2e.signIn(server, 'bob@demo');
    await openRoom(bob.page, 'random'); // his counts are in by now: nothing unread
    await bob.page.getByRole('link', { name: '# ops', exact: true }).waitFor();

    // Composed offline (or by a clock 40 s slow), delivered now: bob's counts lack it.
    await alice.client.publishAsync(
      'chat/ops/messages',
      JSON.stringify({
        id: randomUUID(),
        from: 'alice',
        text: 'composed on the train',
        sentAt: Date.now() - 40_000,
      }),
      { qos: 1 },
    );
    const unread = await bob.page.evaluate(async () => {
      const response = await fetch('/api/unread');
      return (await response.json()) as { rooms: { room: string; unread: number }[] };
    });
    expect(unread.rooms).toContainEqual({ room: 'ops', unread: 1 });

    await bob.page
      .getByRole('link', { name: '# ops 1 unread' })
      .waitFor({ timeout: BADGE_TIMEOUT_MS });
    await bob.page.waitForFunction(() => document.title.startsWith('(1) '), undefined, {
      timeout: BADGE_TIMEOUT_MS,
    });
  });
});
