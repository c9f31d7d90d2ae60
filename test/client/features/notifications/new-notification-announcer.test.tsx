import { act, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { useEffect, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { Shell } from '../../../../src/client/app/shell';
import { useViewInLocation } from '../../../../src/client/app/view-location';
import { accountOf } from '../../../../src/client/features/auth/api/get-session';
import { ANNOUNCE_BURST_MS } from '../../../../src/client/features/notifications/components/new-notification-announcer';
import { useSyncInbox } from '../../../../src/client/features/notifications/hooks/use-sync-inbox';
import { useNotificationsStore } from '../../../../src/client/features/notifications/stores/notifications-store';
import type { InboxPage } from '../../../../src/shared/notifications-api';
import { ALICE } from '../../support/fixtures';
import { spokenIn } from '../../support/live-region';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// A notification arriving live is said aloud (politely) wherever the person is in the app,
// not only shown by the bell's count; a burst of them is said once.

const T = 1_735_725_600_000;
const note = (id: string, minutes: number, title = `Title ${id}`) => ({
  id,
  title,
  body: '',
  createdAt: T + minutes * 60_000,
});

/** The workspace as it runs: the inbox kept in sync, the shell at its address. */
function Workspace() {
  useSyncInbox();
  useViewInLocation(accountOf(ALICE), false);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return ready ? <Shell session={ALICE} /> : null;
}

/**
 * Alice's workspace at People, her inbox listing n1 (and, once `listed` lets it answer,
 * what it is given). The announcer is found before the inbox is listed.
 */
async function openPeople(listed: Promise<void> = Promise.resolve()) {
  window.history.replaceState(null, '', '/#/people');
  server.use(
    http.get('/api/rooms', () => HttpResponse.json({ rooms: [] })),
    http.get('/api/people', () => HttpResponse.json({ people: [] })),
    http.get('/api/notifications', async () => {
      await listed;
      return HttpResponse.json({
        account: 'alice@demo',
        notifications: [{ ...note('n1', 1), read: false }],
        nextCursor: null,
        unread: 1,
        newestCursor: '1',
      } satisfies InboxPage);
    }),
  );
  const workspace = await connectTestWorkspace({ random: () => 0 });
  useNotificationsStore.getState().load('alice@demo');
  renderWithWorkspace(<Workspace />, { connection: workspace.connection, session: ALICE });
  const banner = within(screen.getByRole('banner'));
  const region = banner.getAllByRole('status').find((status) => !status.closest('.status-pill'));
  if (!region) throw new Error('no announcer in the top bar');
  const said = spokenIn(region);
  return { workspace, said, banner };
}

const afterBurst = () => new Promise((resolve) => setTimeout(resolve, ANNOUNCE_BURST_MS + 100));
const words = (said: string[]) => said.filter((text) => text !== '');
/** What the region has said by the end of the next burst. */
const saidBy = (said: string[], expected: string[]) =>
  waitFor(() => expect(words(said)).toEqual(expected), { timeout: 3 * ANNOUNCE_BURST_MS });

describe('new notifications, said aloud', () => {
  it('says one that arrives live, in whatever view, but not those the inbox opened with', async () => {
    let answer = () => {};
    const { workspace, said, banner } = await openPeople(
      new Promise((resolve) => (answer = resolve)),
    );
    expect(screen.getByRole('heading', { level: 2, name: 'People' })).toBeInTheDocument();
    // Sent while away, delivered from the session's queue as the inbox is asked for: part of
    // what it opens with, not news.
    act(() => workspace.client().deliver('notifications/alice', note('n1', 1)));
    await banner.findByRole('link', { name: 'Notifications, 1 unread' });
    answer();
    await afterBurst();
    expect(useNotificationsStore.getState().newestCursor).toBe('1'); // listed
    expect(said).toEqual([]);

    act(() => workspace.client().deliver('notifications/alice', note('n2', 2, 'Deploy finished')));
    await banner.findByRole('link', { name: 'Notifications, 2 unread' });
    await saidBy(said, ['New notification: Deploy finished']);
  });

  it('sums up a burst, and says the same words again for the next one alike', async () => {
    const { workspace, said, banner } = await openPeople();
    await banner.findByRole('link', { name: 'Notifications, 1 unread' }); // listed
    act(() => {
      for (const id of ['a', 'b', 'c'])
        workspace.client().deliver('notifications/alice', note(id, 5));
    });
    await saidBy(said, ['3 new notifications']);
    await afterBurst();
    expect(words(said)).toEqual(['3 new notifications']); // once

    act(() => {
      workspace.client().deliver('notifications/alice', note('d', 6, 'Build'));
      workspace.client().deliver('notifications/alice', note('d', 6, 'Build')); // redelivered
    });
    await saidBy(said, ['3 new notifications', 'New notification: Build']);
    act(() => workspace.client().deliver('notifications/alice', note('e', 7, 'Build')));
    await saidBy(said, [
      '3 new notifications',
      'New notification: Build',
      'New notification: Build',
    ]);
  });

  it('says nothing of a burst cut short by a sign-out', async () => {
    const { workspace, said, banner } = await openPeople();
    await banner.findByRole('link', { name: 'Notifications, 1 unread' }); // listed
    act(() => workspace.client().deliver('notifications/alice', note('n2', 2)));
    act(() => useNotificationsStore.getState().reset()); // signed out within the burst
    await afterBurst();
    expect(words(said)).toEqual([]);
  });

  it('counts the arrivals of an account signed in since from none', async () => {
    const { workspace, said, banner } = await openPeople();
    await banner.findByRole('link', { name: 'Notifications, 1 unread' }); // listed
    act(() => {
      for (const id of ['a', 'b', 'c'])
        workspace.client().deliver('notifications/alice', note(id, 5));
    });
    await saidBy(said, ['3 new notifications']);

    // In as bob: his inbox, listed; nothing of alice's is news, nor counted with his.
    act(() => {
      const inbox = useNotificationsStore.getState();
      inbox.load('bob@demo');
      inbox.applyInbox(inbox.beginInboxSync(), {
        account: 'bob@demo',
        notifications: [],
        nextCursor: null,
        unread: 0,
        newestCursor: null,
      });
    });
    await afterBurst();
    expect(words(said)).toEqual(['3 new notifications']);
    act(() => void useNotificationsStore.getState().receive(note('b1', 6, 'For bob')));
    await saidBy(said, ['3 new notifications', 'New notification: For bob']);
  });

  it('says a title as it is shown, without bidi controls', async () => {
    const { workspace, said, banner } = await openPeople();
    await banner.findByRole('link', { name: 'Notifications, 1 unread' }); // listed
    act(() => workspace.client().deliver('notifications/alice', note('x', 3, '\u202Egnp.exe')));
    await saidBy(said, ['New notification: gnp.exe']);
  });
});
