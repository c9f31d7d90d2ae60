import type { QueryClient } from '@tanstack/react-query';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { useNavigationStore } from '../../../../src/client/app/navigation-store';
import { roomsQueryKey } from '../../../../src/client/features/chat/api/get-rooms';
import { roomHref } from '../../support/fixtures';
import { refusedBeforeReload } from '../../support/kept-refused';
import { LocatedShell } from '../../support/located-shell';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

const T = 1_735_725_600_000;
const room = (id: string) => ({ id, name: id });

/**
 * GET /api/rooms answers what `listed()` says as it is asked, after `answerIn()` ms, or
 * fails when it gives 'unavailable'; it counts the requests, and those for each room's history.
 */
function serveRooms(listed: () => string[], answerIn: () => number | 'unavailable' = () => 0) {
  const requests = { rooms: 0, history: [] as string[] };
  server.use(
    http.get('/api/rooms', async () => {
      requests.rooms += 1;
      const answer = listed();
      const wait = answerIn();
      if (wait === 'unavailable') {
        return HttpResponse.json(
          { error: { code: 'unavailable', message: 'restarting' } },
          { status: 503 },
        );
      }
      if (wait > 0) await delay(wait);
      return HttpResponse.json({ rooms: answer.map(room) });
    }),
    http.get('/api/rooms/:room/messages', ({ params }) => {
      requests.history.push(params.room as string);
      return listed().includes(params.room as string)
        ? HttpResponse.json({ messages: [], nextCursor: null })
        : HttpResponse.json(
            { error: { code: 'forbidden', message: 'not allowed' } },
            { status: 403 },
          );
    }),
  );
  return requests;
}

async function openAt(url: string) {
  window.history.replaceState(null, '', url);
  const workspace = await connectTestWorkspace();
  const view = renderWithWorkspace(<LocatedShell />, { connection: workspace.connection });
  queryClient = view.queryClient;
  return view;
}

let queryClient: QueryClient | undefined;

/** The room list asked for again, as the rest of the app does (a poll, a focus). */
const requestRooms = () => queryClient!.refetchQueries({ queryKey: roomsQueryKey });

const main = () => within(screen.getByRole('main'));
const viewHeading = () => main().getByRole('heading', { level: 2 });

describe('a room the server does not list', () => {
  it('shows as not found, with no composer and a way back to the rooms', async () => {
    serveRooms(() => ['general']);
    await openAt('/#/rooms/nosuchroom');
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Room not found'));
    expect(main().getByText(/There is no room #nosuchroom that you can open/)).toBeVisible();
    expect(screen.queryByRole('textbox', { name: /^Message/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: /^Messages in/ })).not.toBeInTheDocument();

    await userEvent.click(main().getByRole('button', { name: 'Back to your rooms' }));
    expect(viewHeading()).toHaveTextContent('Welcome');
    expect(main().getByRole('link', { name: '# general' })).toHaveAttribute(
      'href',
      roomHref('general'),
    );
    expect(window.location.hash).toBe('');
  });

  it('is asked for once more when the list predates the room being opened: one created since opens', async () => {
    let listed = ['general'];
    const requests = serveRooms(() => listed);
    await openAt('/');
    await screen.findByRole('link', { name: '# general' });
    expect(requests.rooms).toBe(1);

    listed = ['general', 'fresh']; // created by someone else, and linked to
    act(() => useNavigationStore.getState().navigate({ name: 'room', room: 'fresh' }));
    expect(await screen.findByRole('textbox', { name: 'Message #fresh' })).toBeInTheDocument();
    expect(viewHeading()).toHaveTextContent('# fresh');
    expect(requests.rooms).toBe(2);

    // Still not there when asked again: not found, and not asked for a third time.
    act(() => useNavigationStore.getState().navigate({ name: 'room', room: 'gone' }));
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Room not found'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(requests.rooms).toBe(3);
  });

  it('opens as a room when the list, asked for again, cannot be had: a room is not taken away on a failed request', async () => {
    let listed = ['general'];
    let reachable = true;
    const requests = serveRooms(
      () => listed,
      () => (reachable ? 0 : 'unavailable'),
    );
    await openAt('/');
    await screen.findByRole('link', { name: '# general' });

    listed = ['general', 'fresh'];
    reachable = false;
    act(() => useNavigationStore.getState().navigate({ name: 'room', room: 'fresh' }));
    expect(await screen.findByRole('textbox', { name: 'Message #fresh' })).toBeInTheDocument();
    // And stays open: the list asked for again as the room mounts (react-query's retry of a
    // query in error) fails too.
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(requests.rooms).toBeGreaterThan(2);
    expect(screen.getByRole('textbox', { name: 'Message #fresh' })).toBeInTheDocument();

    // Until the list is had again, and does not have it.
    reachable = true;
    listed = ['general'];
    await act(() => requestRooms());
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Room not found'));
  });

  it('asks for the list itself once the room is opened: one already on its way may predate the room', async () => {
    let listed = ['general'];
    let answerIn = 0;
    const requests = serveRooms(
      () => listed,
      () => answerIn,
    );
    await openAt('/');
    await screen.findByRole('link', { name: '# general' });

    answerIn = 200;
    void requestRooms(); // asked as fresh did not exist yet
    await waitFor(() => expect(requests.rooms).toBe(2));
    listed = ['general', 'fresh'];
    answerIn = 0;
    act(() => useNavigationStore.getState().navigate({ name: 'room', room: 'fresh' }));
    expect(await screen.findByRole('textbox', { name: 'Message #fresh' })).toBeInTheDocument();
    expect(requests.rooms).toBe(3);
  });

  it('asks for no history of a room the list does not have while checking it: the server would refuse it', async () => {
    const requests = serveRooms(() => ['general']);
    await openAt('/');
    await screen.findByRole('link', { name: '# general' });

    act(() => useNavigationStore.getState().navigate({ name: 'room', room: 'nosuchroom' }));
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Room not found'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(requests).toEqual({ rooms: 2, history: [] });
  });

  it('asks for the history of the room opened alongside the room list, when there is no list yet', async () => {
    const requests = serveRooms(
      () => ['general'],
      () => 200,
    );
    await openAt('/#/rooms/general');
    await waitFor(() => expect(requests).toEqual({ rooms: 1, history: ['general'] }));
    expect(viewHeading()).toHaveTextContent('# general');
    expect(screen.queryByRole('textbox', { name: 'Message #general' })).not.toBeInTheDocument();
    expect(await screen.findByRole('textbox', { name: 'Message #general' })).toBeInTheDocument();
  });

  it('turns an open room into not found once the list no longer has it (access taken away)', async () => {
    let listed = ['general', 'ops'];
    serveRooms(() => listed);
    const view = await openAt('/#/rooms/ops');
    expect(await screen.findByRole('textbox', { name: 'Message #ops' })).toBeInTheDocument();

    listed = ['general'];
    await act(() => view.queryClient.invalidateQueries({ queryKey: roomsQueryKey }));
    await waitFor(() => expect(viewHeading()).toHaveTextContent('Room not found'));
    expect(screen.queryByRole('textbox', { name: /^Message/ })).not.toBeInTheDocument();
  });

  it('has what was not delivered to it listed above, to read and discard', async () => {
    refusedBeforeReload('ops', 'sent before losing ops', T);
    serveRooms(() => ['general']);
    await openAt('/#/rooms/ops');
    expect(await main().findByRole('heading', { name: 'Room not found' })).toBeInTheDocument();
    const notice = main().getByRole('region', { name: 'Not delivered' });
    expect(within(notice).getByText('sent before losing ops')).toBeInTheDocument();
    expect(within(notice).getByText('#ops')).toBeInTheDocument();
  });

  it('opens as a room when there is no list to tell (it could not be had): the server answers for it', async () => {
    let asked = 0;
    server.use(
      http.get('/api/rooms', () => {
        asked += 1;
        return HttpResponse.json({ error: { code: 'broken', message: 'broken' } }, { status: 500 });
      }),
      http.get('/api/rooms/general/messages', () =>
        HttpResponse.json({ messages: [], nextCursor: null }),
      ),
    );
    await openAt('/#/rooms/general');
    expect(await screen.findByRole('textbox', { name: 'Message #general' })).toBeInTheDocument();
    // And stays open: the list asked for again (as the room mounts) does not close it.
    const settled = asked;
    await act(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(asked).toBe(settled);
    expect(screen.getByRole('textbox', { name: 'Message #general' })).toBeInTheDocument();
  });
});
