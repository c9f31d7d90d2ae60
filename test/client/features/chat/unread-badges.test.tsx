import { act, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { READ_MARK_INTERVAL_MS } from '../../../../src/client/features/chat/hooks/use-mark-read-while-open';
import { RoomList } from '../../../../src/client/features/chat/components/room-list';
import { RoomView } from '../../../../src/client/features/chat/components/room-view';
import type { ChatMessage } from '../../../../src/shared/schemas';
import type { MarkReadRequest, RoomUnread } from '../../../../src/shared/unread-api';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

const msg = (id: string, from = 'bob'): ChatMessage => ({ id, from, text: id, sentAt: 1 });
const room = (id: string) => ({ id, name: id });
const counted = (id: string, ...messageIds: string[]): RoomUnread => ({
  room: id,
  unread: messageIds.length,
  messageIds,
});

describe('unread badges kept on the server', () => {
  it('start from the server’s counts, and live messages add to them once each', async () => {
    server.use(
      http.get('/api/rooms', () =>
        HttpResponse.json({ rooms: [room('general'), room('ops'), room('random')] }),
      ),
      http.get('/api/unread', () =>
        HttpResponse.json({
          rooms: [
            counted('general', 'g3', 'g2', 'g1'),
            counted('ops'),
            counted('random', ...Array.from({ length: 100 }, (_, i) => `r${i}`)),
          ],
        }),
      ),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomList activeRoom={null} onOpenRoom={() => {}} />, {
      connection: workspace.connection,
    });
    expect(await screen.findByRole('button', { name: '# general 3 unread' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '# random 99+ unread' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '# ops' })).toBeInTheDocument();

    // g2 was counted already: a persistent session delivering it late adds nothing.
    act(() => {
      workspace.client().deliver('chat/general/messages', msg('g2'));
      workspace.client().deliver('chat/general/messages', msg('g4'));
      workspace.client().deliver('chat/ops/messages', msg('o1'));
    });
    expect(screen.getByRole('button', { name: '# general 4 unread' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '# ops 1 unread' })).toBeInTheDocument();
  });

  it('are marked read on the server as a room opens, up to what it shows, once per interval while busy, and as it closes', async () => {
    const marks: MarkReadRequest[] = [];
    server.use(
      http.get('/api/rooms', () => HttpResponse.json({ rooms: [room('general')] })),
      http.get('/api/rooms/general/messages', () =>
        HttpResponse.json({ messages: [msg('m1'), msg('m2', 'alice')], nextCursor: null }),
      ),
      http.put('/api/rooms/general/read', async ({ request }) => {
        marks.push((await request.json()) as MarkReadRequest);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const workspace = await connectTestWorkspace();
    const view = renderWithWorkspace(<RoomView room="general" />, {
      connection: workspace.connection,
    });
    // The newest of its history, ours or not: the position is in the server's order.
    await waitFor(() => expect(marks).toEqual([{ upTo: ['m2'] }]));

    const started = Date.now();
    act(() => {
      for (const id of ['m3', 'm4', 'm5'])
        workspace.client().deliver('chat/general/messages', msg(id));
    });
    await waitFor(() => expect(marks).toHaveLength(2), { timeout: READ_MARK_INTERVAL_MS * 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(READ_MARK_INTERVAL_MS - 100);
    expect(marks[1]).toEqual({ upTo: ['m2', 'm5'] });

    // Left before the next interval: what it showed last is read all the same.
    act(() => workspace.client().deliver('chat/general/messages', msg('m6')));
    view.unmount();
    await waitFor(() => expect(marks).toHaveLength(3));
    expect(marks[2]).toEqual({ upTo: ['m2', 'm6'] });
  });
});
