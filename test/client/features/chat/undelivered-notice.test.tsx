import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { useNavigationStore } from '../../../../src/client/app/navigation-store';
import { Shell } from '../../../../src/client/app/shell';
import { formatMessageTime } from '../../../../src/client/features/chat/components/message-item';
import { UndeliveredNotice } from '../../../../src/client/features/chat/components/undelivered-notice';
import { chatMessagesTopic } from '../../../../src/shared/topics';
import { ALICE } from '../../support/fixtures';
import { aliceOutbox, keptTexts, refusedBeforeReload } from '../../support/kept-refused';
import { spokenIn } from '../../support/live-region';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// Removed from a room, a sender no longer gets it in GET /api/rooms: what they wrote there
// and was refused must still be readable somewhere, and discardable.

const T = 1_735_725_600_000;
const AT_T = formatMessageTime(T);

/** GET /api/rooms lists `general` only, once `answer()` is called. */
function roomsAnsweredLater() {
  let answer = () => {};
  const answered = new Promise<void>((resolve) => (answer = resolve));
  let asked = false;
  server.use(
    http.get('/api/rooms', async () => {
      asked = true;
      await answered;
      return HttpResponse.json({ rooms: [{ id: 'general', name: 'General' }] });
    }),
  );
  return { answer, asked: () => asked };
}

/** GET /api/rooms lists `general` only. */
function listGeneralOnly() {
  server.use(
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'General' }] }),
    ),
  );
}

describe('UndeliveredNotice', () => {
  it('lists, once the rooms are known, what was not delivered to rooms no longer listed, until discarded', async () => {
    refusedBeforeReload('secret', 'for the secret room', T);
    refusedBeforeReload('secret', 'also for the secret room', T);
    refusedBeforeReload('general', 'general is listed', T);
    const rooms = roomsAnsweredLater();
    const workspace = await connectTestWorkspace();
    const onEmptied = vi.fn();
    renderWithWorkspace(<UndeliveredNotice onEmptied={onEmptied} />, {
      connection: workspace.connection,
    });

    // Until the rooms are known, every room would look unreachable: nothing yet.
    await waitFor(() => expect(rooms.asked()).toBe(true));
    expect(screen.queryByRole('region')).not.toBeInTheDocument();
    rooms.answer();

    const notice = await screen.findByRole('region', { name: 'Not delivered' });
    const items = within(notice).getAllByRole('listitem');
    expect(items.map((item) => item.querySelector('.message__text')?.textContent)).toEqual([
      'for the secret room',
      'also for the secret room',
    ]);
    expect(within(items[0]!).getByText('#secret')).toBeInTheDocument();
    // Each in its own direction (dir="auto"), as in the room.
    for (const item of items) {
      expect(item.querySelector('.message__text')).toHaveAttribute('dir', 'auto');
    }

    await userEvent.click(
      within(notice).getByRole('button', {
        name: `Discard undelivered message to #secret sent ${AT_T}: for the secret room`,
      }),
    );
    expect(within(notice).getAllByRole('listitem')).toHaveLength(1);
    expect(within(notice).getByRole('heading', { name: 'Not delivered' })).toHaveFocus();
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent(
        `Discarded message to #secret sent ${AT_T}: for the secret room`,
      ),
    );
    expect(onEmptied).not.toHaveBeenCalled();

    await userEvent.click(
      within(notice).getByRole('button', {
        name: `Discard undelivered message to #secret sent ${AT_T}: also for the secret room`,
      }),
    );
    expect(screen.queryByRole('region')).not.toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent(
        `Discarded message to #secret sent ${AT_T}: also for the secret room`,
      ),
    );
    expect(onEmptied).toHaveBeenCalledOnce();
    expect(keptTexts()).toEqual(['general is listed']);
  });

  it('says why each was not delivered', async () => {
    refusedBeforeReload('secret', 'refused by the broker', T); // not authorized (0x87)
    const unrouted = { id: crypto.randomUUID(), from: ALICE.user, text: 'dropped', sentAt: T };
    const kept = aliceOutbox();
    kept.add({
      id: unrouted.id,
      topic: chatMessagesTopic('secret'),
      payload: JSON.stringify(unrouted),
      qos: 1,
      retain: false,
      confirm: true,
    });
    kept.acknowledge(unrouted.id);
    kept.confirmedRefused(unrouted.id); // acknowledged, then missing from the history
    listGeneralOnly();
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<UndeliveredNotice onEmptied={vi.fn()} />, {
      connection: workspace.connection,
    });

    const notice = await screen.findByRole('region', { name: 'Not delivered' });
    const [broker, dropped] = within(notice).getAllByRole('listitem');
    expect(broker).toHaveTextContent('The server refused this message: not authorized (0x87).');
    expect(dropped).toHaveTextContent(
      'The server acknowledged this message but did not deliver it: you may no longer be allowed to post here, or you sent too many messages at once.',
    );
  });

  it('names each Discard by its message’s time too, for two that open alike', async () => {
    const opening = 'these six words open them both'; // all a snippet holds
    refusedBeforeReload('secret', `${opening} one ending`, T);
    refusedBeforeReload('secret', `${opening} another`, T + 60_000);
    listGeneralOnly();
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<UndeliveredNotice onEmptied={vi.fn()} />, {
      connection: workspace.connection,
    });

    const notice = await screen.findByRole('region', { name: 'Not delivered' });
    const names = within(notice)
      .getAllByRole('button')
      .map((button) => button.getAttribute('aria-label'));
    expect(names).toEqual([
      `Discard undelivered message to #secret sent ${AT_T}: ${opening}…`,
      `Discard undelivered message to #secret sent ${formatMessageTime(T + 60_000)}: ${opening}…`,
    ]);
  });

  it('names apart the Discards of two sent the same minute with the same opening, each discarding its own', async () => {
    const opening = 'these six words open them both'; // all a snippet holds
    refusedBeforeReload('secret', `${opening} the first`, T);
    refusedBeforeReload('secret', `${opening} the second`, T + 1_000);
    listGeneralOnly();
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<UndeliveredNotice onEmptied={vi.fn()} />, {
      connection: workspace.connection,
    });

    const notice = await screen.findByRole('region', { name: 'Not delivered' });
    const named = (which: string) =>
      `Discard undelivered message ${which}to #secret sent ${AT_T}: ${opening}…`;
    const [first, second] = within(notice).getAllByRole('listitem');
    expect(within(first!).getByRole('button')).toHaveAccessibleName(named('1 of 2 '));
    expect(within(second!).getByRole('button')).toHaveAccessibleName(named('2 of 2 '));

    await userEvent.click(within(notice).getByRole('button', { name: named('1 of 2 ') }));
    const [left] = within(notice).getAllByRole('listitem');
    expect(left).toHaveTextContent(`${opening} the second`);
    expect(keptTexts()).toEqual([`${opening} the second`]);
    expect(within(left!).getByRole('button')).toHaveAccessibleName(named(''));
  });

  it('names no Discard as one in the open room’s view, which holds another alike', async () => {
    refusedBeforeReload('secret', 'said in both rooms', T);
    refusedBeforeReload('general', 'said in both rooms', T);
    listGeneralOnly();
    server.use(
      http.get('/api/rooms/general/messages', () =>
        HttpResponse.json({ messages: [], nextCursor: null }),
      ),
    );
    useNavigationStore.getState().navigate({ name: 'room', room: 'general' });
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<Shell session={ALICE} />, { connection: workspace.connection });

    const notice = await screen.findByRole('region', { name: 'Not delivered' });
    const room = await screen.findByRole('region', { name: 'Messages in #General' });
    await within(room).findByRole('article');
    const names = screen
      .getAllByRole('button', { name: /^Discard/ })
      .map((button) => button.getAttribute('aria-label'));
    expect(names).toEqual([
      `Discard undelivered message to #secret sent ${AT_T}: said in both rooms`,
      `Discard undelivered message sent ${AT_T}: said in both rooms`,
    ]);
    await userEvent.click(within(notice).getByRole('button', { name: names[0]! }));
    expect(notice).not.toBeInTheDocument();
    expect(within(room).getByRole('button', { name: names[1]! })).toBeInTheDocument();
    expect(
      aliceOutbox()
        .listRefused()
        .map((entry) => entry.topic),
    ).toEqual([chatMessagesTopic('general')]);
  });

  it('announces each discard, even one worded as the last', async () => {
    refusedBeforeReload('secret', 'said twice', T);
    refusedBeforeReload('secret', 'said twice', T + 1_000); // within the same minute
    listGeneralOnly();
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<UndeliveredNotice onEmptied={vi.fn()} />, {
      connection: workspace.connection,
    });
    const notice = await screen.findByRole('region', { name: 'Not delivered' });
    const said = spokenIn(screen.getByRole('status'));

    const announcement = `Discarded message to #secret sent ${AT_T}: said twice`;
    await userEvent.click(within(notice).getAllByRole('button', { name: /^Discard/ })[0]!);
    await waitFor(() => expect(said).toEqual([announcement]));
    await userEvent.click(within(notice).getByRole('button', { name: /^Discard/ }));
    // A live region is spoken when it changes: emptied, then said again.
    await waitFor(() => expect(said).toEqual([announcement, '', announcement]));
  });

  it('shows in the workspace above the current view, and leaves focus in it once emptied', async () => {
    refusedBeforeReload('secret', 'for the secret room', T);
    server.use(
      http.get('/api/rooms', () =>
        HttpResponse.json({ rooms: [{ id: 'general', name: 'General' }] }),
      ),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<Shell session={ALICE} />, { connection: workspace.connection });

    const main = screen.getByRole('main');
    const notice = await within(main).findByRole('region', { name: 'Not delivered' });
    await userEvent.click(within(notice).getByRole('button', { name: /^Discard/ }));
    expect(notice).not.toBeInTheDocument();
    expect(main).toHaveFocus();
    expect(keptTexts()).toEqual([]);
  });
});
