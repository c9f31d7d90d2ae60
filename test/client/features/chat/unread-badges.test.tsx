import { act, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { READ_MARK_INTERVAL_MS } from '../../../../src/client/features/chat/hooks/use-mark-read-while-open';
import { RoomList } from '../../../../src/client/features/chat/components/room-list';
import { RoomView } from '../../../../src/client/features/chat/components/room-view';
import type { ChatMessage } from '../../../../src/shared/schemas';
import type { MarkReadRequest, UnreadCounts } from '../../../../src/shared/unread-api';
import { roomHref } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

const AS_OF = 1_000;
const msg = (id: string, from = 'bob', sentAt = 1): ChatMessage => ({
  id,
  from,
  text: id,
  sentAt,
});
const room = (id: string) => ({ id, name: id });

/** Whether the person looks at the page: its visibility, and its window's focus. */
function showPage(visible: boolean, focused: boolean) {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue(visible ? 'visible' : 'hidden');
  vi.spyOn(document, 'hasFocus').mockReturnValue(focused);
}

interface Mark extends MarkReadRequest {
  keepalive: boolean;
}

/** Serves room general (history: m1 from bob, m2 of ours) and records its read marks. */
function serveGeneral(answer: () => Response | undefined = () => undefined): Mark[] {
  const marks: Mark[] = [];
  server.use(
    http.get('/api/rooms', () => HttpResponse.json({ rooms: [room('general')] })),
    http.get('/api/rooms/general/messages', () =>
      HttpResponse.json({ messages: [msg('m1'), msg('m2', 'alice')], nextCursor: null }),
    ),
    http.put('/api/rooms/general/read', async ({ request }) => {
      const { upTo } = (await request.json()) as MarkReadRequest;
      marks.push({ upTo, keepalive: request.keepalive });
      return answer() ?? new HttpResponse(null, { status: 204 });
    }),
  );
  return marks;
}

const pause = (ms: number) => act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));
/** Long enough for a mark that was going to be sent to have reached the server. */
const settle = () => pause(100);

describe('unread badges kept on the server', () => {
  it('start from the server’s counts, and live messages sent since they were counted add to them', async () => {
    server.use(
      http.get('/api/rooms', () =>
        HttpResponse.json({ rooms: [room('general'), room('ops'), room('random')] }),
      ),
      http.get('/api/unread', () =>
        HttpResponse.json({
          asOf: AS_OF,
          rooms: [
            { room: 'general', unread: 3 },
            { room: 'ops', unread: 0 },
            { room: 'random', unread: 100 },
          ],
        } satisfies UnreadCounts),
      ),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomList activeRoom={null} roomHref={roomHref} onOpenRoom={() => {}} />, {
      connection: workspace.connection,
    });
    expect(await screen.findByRole('link', { name: '# general 3 unread' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '# random 99+ unread' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '# ops' })).toBeInTheDocument();
    // Past the cap the count is kept for tools reading the page (the page benchmark's probe).
    act(() => {
      workspace.client().deliver('chat/random/messages', msg('r1', 'bob', AS_OF + 1_000));
    });
    const random = screen.getByRole('link', { name: '# random 99+ unread' });
    expect(random.querySelector('.badge')?.getAttribute('data-count')).toBe('101');

    // g2 was sent before the count: a persistent session delivering it late adds nothing.
    act(() => {
      workspace.client().deliver('chat/general/messages', msg('g2', 'bob', AS_OF - 1));
      workspace.client().deliver('chat/general/messages', msg('g4', 'bob', AS_OF));
      workspace.client().deliver('chat/ops/messages', msg('o1', 'bob', AS_OF + 1_000));
    });
    expect(screen.getByRole('link', { name: '# general 4 unread' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '# ops 1 unread' })).toBeInTheDocument();
  });

  it('are marked read on the server as a room opens, up to what it shows, once per interval while busy, and as it closes', async () => {
    showPage(true, true);
    const marks = serveGeneral();
    const workspace = await connectTestWorkspace();
    const view = renderWithWorkspace(<RoomView room="general" />, {
      connection: workspace.connection,
    });
    // The newest of its history, ours or not: the position is in the server's order.
    await waitFor(() => expect(marks).toEqual([{ upTo: ['m2'], keepalive: false }]));

    const started = Date.now();
    act(() => {
      for (const id of ['m3', 'm4', 'm5'])
        workspace.client().deliver('chat/general/messages', msg(id));
    });
    await waitFor(() => expect(marks).toHaveLength(2), { timeout: READ_MARK_INTERVAL_MS * 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(READ_MARK_INTERVAL_MS - 100);
    expect(marks[1]?.upTo).toEqual(['m2', 'm5']);

    // Left before the next interval: what it showed last is read all the same.
    act(() => workspace.client().deliver('chat/general/messages', msg('m6')));
    view.unmount();
    await waitFor(() => expect(marks).toHaveLength(3));
    expect(marks[2]?.upTo).toEqual(['m2', 'm6']);
  });

  it('are marked read up to the newest message shown, ours included', async () => {
    showPage(true, true);
    const marks = serveGeneral();
    const workspace = await connectTestWorkspace();
    const view = renderWithWorkspace(<RoomView room="general" />, {
      connection: workspace.connection,
    });
    await waitFor(() => expect(marks).toHaveLength(1));
    // Ours, back from the broker: the server's count would walk over it for ever after.
    act(() => workspace.client().deliver('chat/general/messages', msg('m3', 'alice', 2)));
    view.unmount();
    await waitFor(() => expect(marks).toHaveLength(2));
    expect(marks[1]?.upTo).toEqual(['m2', 'm3']);
  });

  it('are not marked while the page is hidden or its window unfocused, and are as it is looked at again', async () => {
    showPage(false, true);
    const marks = serveGeneral();
    const workspace = await connectTestWorkspace();
    const view = renderWithWorkspace(<RoomView room="general" />, {
      connection: workspace.connection,
    });
    expect(await screen.findByText('m2')).toBeInTheDocument();
    act(() => workspace.client().deliver('chat/general/messages', msg('m3')));
    await settle();
    expect(marks).toEqual([]);

    // Visible, but another window has the focus: still not looked at.
    showPage(true, false);
    act(() => document.dispatchEvent(new Event('visibilitychange')));
    act(() => workspace.client().deliver('chat/general/messages', msg('m4')));
    await settle();
    expect(marks).toEqual([]);

    showPage(true, true);
    act(() => window.dispatchEvent(new Event('focus')));
    await waitFor(() => expect(marks).toHaveLength(1));
    expect(marks[0]?.upTo).toEqual(['m2', 'm4']);

    // Out of sight again: what arrives then is not marked, not even as the room is left.
    showPage(true, false);
    act(() => window.dispatchEvent(new Event('blur')));
    act(() => workspace.client().deliver('chat/general/messages', msg('m5')));
    view.unmount();
    await settle();
    expect(marks).toHaveLength(1);
  });

  it('send a waiting mark at once, one that outlives the page, as the page goes away or out of sight', async () => {
    showPage(true, true);
    const marks = serveGeneral();
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    await waitFor(() => expect(marks).toHaveLength(1));

    act(() => workspace.client().deliver('chat/general/messages', msg('m3')));
    act(() => window.dispatchEvent(new Event('pagehide')));
    await waitFor(() => expect(marks).toHaveLength(2), { timeout: READ_MARK_INTERVAL_MS / 4 });
    expect(marks[1]).toEqual({ upTo: ['m2', 'm3'], keepalive: true });

    act(() => workspace.client().deliver('chat/general/messages', msg('m4'))); // at once
    await waitFor(() => expect(marks).toHaveLength(3));
    act(() => workspace.client().deliver('chat/general/messages', msg('m5'))); // waits
    showPage(false, false);
    act(() => document.dispatchEvent(new Event('visibilitychange')));
    await waitFor(() => expect(marks).toHaveLength(4), { timeout: READ_MARK_INTERVAL_MS / 4 });
    expect(marks.slice(2)).toEqual([
      { upTo: ['m2', 'm4'], keepalive: false },
      { upTo: ['m2', 'm5'], keepalive: true },
    ]);
  });

  it('try a mark that could not get through once more, and one the server refused never', async () => {
    showPage(true, true);
    const answers = [503, 503, 404];
    const marks = serveGeneral(() => {
      const status = answers.shift();
      return status === undefined
        ? undefined
        : HttpResponse.json({ error: { code: 'x', message: 'x' } }, { status });
    });
    const workspace = await connectTestWorkspace();
    const view = renderWithWorkspace(<RoomView room="general" />, {
      connection: workspace.connection,
    });
    await waitFor(() => expect(marks).toHaveLength(2), { timeout: 3_000 });
    expect(marks[1]).toEqual(marks[0]);
    await pause(2_500); // a second retry would come 2 s after the first
    expect(marks).toHaveLength(2);

    act(() => workspace.client().deliver('chat/general/messages', msg('m3')));
    view.unmount();
    await waitFor(() => expect(marks).toHaveLength(3));
    expect(marks[2]?.upTo).toEqual(['m2', 'm3']);
    await pause(1_500);
    expect(marks).toHaveLength(3); // 404: not again
    expect(answers).toEqual([]);
  });
});
