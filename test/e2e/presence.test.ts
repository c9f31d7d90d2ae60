import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs } from './support/mqtt-observer';
import { openSection, openTab, personRow } from './support/workspace-page';

const CLIENT_ID_KEY = 'switchboard:client-id'; // where the app keeps its per-tab client id

describe('presence', () => {
  const e2e = useE2eHarness('presence');

  it("bob's dot follows his connections: a second tab keeps him online, closing the last one turns him offline, returning brings him back", async () => {
    const server = await e2e.startServer();
    // Sees the raw presence topics, so the test knows when a Last Will has fired.
    const observer = await connectAs(server, 'admin');
    e2e.onCleanup(() => observer.close());
    await observer.client.subscribeAsync('presence/bob/+', { qos: 1 });

    const alice = await e2e.signIn(server, 'alice@demo');
    await openSection(alice.page, 'People');
    const bobRow = personRow(alice.page, 'bob');
    await bobRow.getByText('offline', { exact: true }).waitFor();

    const bob = await e2e.signIn(server, 'bob@demo');
    await bobRow.getByText('online', { exact: true }).waitFor();

    const secondTab = await openTab(bob.context);
    const firstTabClient = await bob.page.evaluate(
      (key) => sessionStorage.getItem(key),
      CLIENT_ID_KEY,
    );
    const secondTabClient = await secondTab.evaluate(
      (key) => sessionStorage.getItem(key),
      CLIENT_ID_KEY,
    );
    expect(firstTabClient).toBeTruthy();
    expect(secondTabClient).not.toBe(firstTabClient);

    // Closed abruptly: no sign-out, the WebSocket just drops and the broker fires the will.
    await bob.page.close();
    await observer.waitFor(
      (m) => m.topic === `presence/bob/${firstTabClient}` && m.payload.includes('"offline"'),
    );
    // A chat message published after the will reaches alice after it too (one broker,
    // one connection): once its unread badge shows, alice has processed the will.
    await observer.client.publishAsync(
      'chat/general/messages',
      JSON.stringify({
        id: randomUUID(),
        from: 'admin',
        text: 'after the will',
        sentAt: Date.now(),
      }),
      { qos: 1 },
    );
    await alice.page.getByRole('link', { name: '# general 1 unread' }).waitFor();
    expect(await bobRow.getByText('online', { exact: true }).count()).toBe(1);

    await bob.context.close();
    await bobRow.getByText('offline', { exact: true }).waitFor();
    expect(
      observer.messages.some(
        (m) => m.topic === `presence/bob/${secondTabClient}` && m.payload.includes('"offline"'),
      ),
    ).toBe(true);

    await e2e.signIn(server, 'bob@demo');
    await bobRow.getByText('online', { exact: true }).waitFor();
  });
});
