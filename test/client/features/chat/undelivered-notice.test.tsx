import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { Shell } from '../../../../src/client/app/shell';
import { accountOf } from '../../../../src/client/features/auth/api/get-session';
import { UndeliveredNotice } from '../../../../src/client/features/chat/components/undelivered-notice';
import { Outbox, OUTBOX_STORAGE_KEY } from '../../../../src/client/lib/mqtt/outbox';
import type { ChatMessage } from '../../../../src/shared/schemas';
import { chatMessagesTopic } from '../../../../src/shared/topics';
import { ALICE } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// Removed from a room, a sender no longer gets it in GET /api/rooms: what they wrote there
// and was refused must still be readable somewhere, and discardable.

const T = 1_735_725_600_000;
const outbox = () => new Outbox(sessionStorage, `${OUTBOX_STORAGE_KEY}:${accountOf(ALICE)}`);

/** Our message `text` to `room`, refused by the broker in the tab's life before this one. */
function refusedBeforeReload(room: string, text: string): ChatMessage {
  const message = { id: crypto.randomUUID(), from: ALICE.user, text, sentAt: T };
  const kept = outbox();
  kept.add({
    id: message.id,
    topic: chatMessagesTopic(room),
    payload: JSON.stringify(message),
    qos: 1,
    retain: false,
    confirm: true,
  });
  kept.refuse(message.id, { by: 'broker', reasonCode: 0x87 });
  return message;
}

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

const keptTexts = () =>
  outbox()
    .listRefused()
    .map((entry) => JSON.parse(entry.payload).text);

describe('UndeliveredNotice', () => {
  it('lists, once the rooms are known, what was not delivered to rooms no longer listed, until discarded', async () => {
    refusedBeforeReload('secret', 'for the secret room');
    refusedBeforeReload('secret', 'also for the secret room');
    refusedBeforeReload('general', 'general is listed');
    refusedBeforeReload('ops', 'ops is open, and shows its own');
    const rooms = roomsAnsweredLater();
    const workspace = await connectTestWorkspace();
    const onEmptied = vi.fn();
    renderWithWorkspace(<UndeliveredNotice openRoom="ops" onEmptied={onEmptied} />, {
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

    await userEvent.click(
      within(notice).getByRole('button', {
        name: 'Discard undelivered message: for the secret room',
      }),
    );
    expect(within(notice).getAllByRole('listitem')).toHaveLength(1);
    expect(within(notice).getByRole('heading', { name: 'Not delivered' })).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Discarded: for the secret room');
    expect(onEmptied).not.toHaveBeenCalled();

    await userEvent.click(
      within(notice).getByRole('button', {
        name: 'Discard undelivered message: also for the secret room',
      }),
    );
    expect(screen.queryByRole('region')).not.toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Discarded: also for the secret room');
    expect(onEmptied).toHaveBeenCalledOnce();
    expect(keptTexts()).toEqual(['general is listed', 'ops is open, and shows its own']);
  });

  it('shows in the workspace above the current view, and leaves focus in it once emptied', async () => {
    refusedBeforeReload('secret', 'for the secret room');
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
