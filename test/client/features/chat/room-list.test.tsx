import { act, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { roomsQueryKey } from '../../../../src/client/features/chat/api/get-rooms';
import { RoomList } from '../../../../src/client/features/chat/components/room-list';
import { roomHref } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

const room = (id: string) => ({ id, name: id });

describe('RoomList', () => {
  it('shows a room created elsewhere once its first message arrives, with its unread count', async () => {
    let rooms = [room('general')];
    let fetches = 0;
    server.use(
      http.get('/api/rooms', () => {
        fetches += 1;
        return HttpResponse.json({ rooms });
      }),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(
      <RoomList activeRoom="general" roomHref={roomHref} onOpenRoom={() => {}} />,
      {
        connection: workspace.connection,
      },
    );
    expect(await screen.findByRole('link', { name: '# general' })).toBeInTheDocument();
    expect(fetches).toBe(1);

    rooms = [room('general'), room('incident')];
    act(() =>
      workspace
        .client()
        .deliver('chat/incident/messages', { id: 'i1', from: 'bob', text: 'db down', sentAt: 1 }),
    );
    expect(await screen.findByRole('link', { name: /# incident/ })).toHaveTextContent('1');
    expect(fetches).toBe(2);

    // More messages in known rooms, or in a room the server does not list, ask no more.
    rooms = [room('general'), room('incident')];
    act(() => {
      workspace
        .client()
        .deliver('chat/incident/messages', { id: 'i2', from: 'bob', text: 'still', sentAt: 2 });
      workspace
        .client()
        .deliver('chat/general/messages', { id: 'g1', from: 'bob', text: 'hi', sentAt: 3 });
    });
    act(() =>
      workspace
        .client()
        .deliver('chat/unlisted/messages', { id: 'u1', from: 'bob', text: '?', sentAt: 4 }),
    );
    await screen.findByRole('link', { name: /# incident 2/ });
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    act(() =>
      workspace
        .client()
        .deliver('chat/unlisted/messages', { id: 'u2', from: 'bob', text: '?', sentAt: 5 }),
    );
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(fetches).toBe(3); // once for "unlisted", not once per message
  });

  it('keeps the list as it was, with nothing to retry, when asking for it again fails', async () => {
    let reachable = true;
    server.use(
      http.get('/api/rooms', () =>
        reachable
          ? HttpResponse.json({ rooms: [room('general')] })
          : HttpResponse.json({ error: { code: 'unavailable', message: 'x' } }, { status: 503 }),
      ),
    );
    const workspace = await connectTestWorkspace();
    const view = renderWithWorkspace(
      <RoomList activeRoom={null} roomHref={roomHref} onOpenRoom={() => {}} />,
      {
        connection: workspace.connection,
      },
    );
    expect(await screen.findByRole('link', { name: '# general' })).toBeInTheDocument();

    reachable = false;
    await act(() => view.queryClient.refetchQueries({ queryKey: roomsQueryKey }));
    expect(view.queryClient.getQueryState(roomsQueryKey)?.status).toBe('error');
    await act(() => new Promise((resolve) => setTimeout(resolve, 20))); // rendered since
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: '# general' })).toBeInTheDocument();
  });

  it('says the list could not be had, with a retry, when there is none', async () => {
    server.use(
      http.get('/api/rooms', () =>
        HttpResponse.json({ error: { code: 'unavailable', message: 'x' } }, { status: 503 }),
      ),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomList activeRoom={null} roomHref={roomHref} onOpenRoom={() => {}} />, {
      connection: workspace.connection,
    });
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load rooms.');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('shows a name as it is: an invisible character in it is seen, a tower of marks cut', async () => {
    server.use(
      http.get('/api/rooms', () =>
        HttpResponse.json({
          rooms: [
            room('general'),
            // Would look like a second #general in the list, the title and the composer.
            { id: 'lookalike', name: 'gen\u200Beral' },
            { id: 'tower', name: `t${'\u0301'.repeat(100)}` },
          ],
        }),
      ),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(
      <RoomList activeRoom="general" roomHref={roomHref} onOpenRoom={() => {}} />,
      {
        connection: workspace.connection,
      },
    );
    expect(await screen.findByRole('link', { name: '# gen\u00B7eral' })).toHaveAttribute(
      'href',
      roomHref('lookalike'),
    );
    expect(screen.getByRole('link', { name: `# t${'\u0301'.repeat(5)}` })).toBeInTheDocument();
  });
});
