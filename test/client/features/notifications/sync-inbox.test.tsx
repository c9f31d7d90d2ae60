import { act, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  REFETCH_AFTER_MS,
  useRefetchChangedElsewhere,
} from '../../../../src/client/app/use-refetch-changed-elsewhere';
import { notificationsQueryKey } from '../../../../src/client/features/notifications/api/get-notifications';
import { NotificationsLink } from '../../../../src/client/features/notifications/components/notifications-link';
import { useSyncInbox } from '../../../../src/client/features/notifications/hooks/use-sync-inbox';
import { useNotificationsStore } from '../../../../src/client/features/notifications/stores/notifications-store';
import { ALICE } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

const T = 1_735_725_600_000;
const note = (id: string, minutes: number) => ({
  id,
  title: `Title ${id}`,
  body: '',
  createdAt: T + minutes * 60_000,
});

function Inbox() {
  useSyncInbox();
  useRefetchChangedElsewhere(); // what asks again after a reconnect
  return <NotificationsLink href="#/notifications" current={false} onOpen={() => {}} />;
}

describe('the inbox from the server', () => {
  it('merges what was sent while away with live notifications, once each, dropping invalid ones', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let requests = 0;
    server.use(
      // Asked for again with the inbox after a reconnect (app/use-refetch-changed-elsewhere.ts).
      http.get('/api/session', () => HttpResponse.json(ALICE)),
      http.get('/api/rooms', () => HttpResponse.json({ rooms: [] })),
      http.get('/api/notifications', () => {
        requests++;
        return HttpResponse.json({
          account: 'alice@demo',
          notifications: [note('n2', 2), { id: 'bad', title: '', body: 1 }, note('n1', 1)],
          nextCursor: null,
        });
      }),
    );
    const workspace = await connectTestWorkspace({ random: () => 0 });
    useNotificationsStore.getState().load('alice@demo');
    const { queryClient } = renderWithWorkspace(<Inbox />, { connection: workspace.connection });

    await screen.findByRole('link', { name: 'Notifications, 2 unread' });
    act(() => {
      workspace.client().deliver('notifications/alice', note('n2', 2)); // also live: not twice
      workspace.client().deliver('notifications/alice', note('n3', 3));
    });
    expect(screen.getByRole('link', { name: 'Notifications, 3 unread' })).toBeInTheDocument();
    expect(useNotificationsStore.getState().items.map((item) => item.id)).toEqual([
      'n3',
      'n2',
      'n1',
    ]);

    // A reconnect more than REFETCH_AFTER_MS on fetches the inbox again to close any gap:
    // once, not a second time over the first.
    vi.setSystemTime(Date.now() + REFETCH_AFTER_MS + 1);
    act(() => workspace.client().drop());
    await waitFor(() => expect(workspace.factory.clients.length).toBe(2), { timeout: 5_000 });
    act(() => workspace.factory.last.acceptConnect());
    await waitFor(() => expect(requests).toBe(2));
    await waitFor(() =>
      expect(queryClient.isFetching({ queryKey: notificationsQueryKey })).toBe(0),
    );
    expect(requests).toBe(2);
  });
});
