import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { MAX_CHAT_TEXT_LENGTH, type ChatMessage } from '../../../../src/shared/schemas';
import { resetWorkspaceStores } from '../../../../src/client/app/reset-stores';
import { useRefetchHistoryOnConnect } from '../../../../src/client/app/use-workspace-lifecycle';
import { fetchRoomMessage } from '../../../../src/client/features/chat/api/get-room-message';
import { formatMessageTime } from '../../../../src/client/features/chat/components/message-item';
import { RoomView } from '../../../../src/client/features/chat/components/room-view';
import { useChatStore } from '../../../../src/client/features/chat/stores/chat-store';
import { PublishRefusedError } from '../../../../src/client/lib/mqtt/publish-refusal';
import { keptTexts, refusedBeforeReload } from '../../support/kept-refused';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

const T = 1_735_725_600_000;
const msg = (id: string, minute: number, from = 'bob', text = `message ${id}`): ChatMessage => ({
  id,
  from,
  text,
  sentAt: T + minute * 60_000,
});

function serveRoom(
  pages: (before: string | null) => { messages: ChatMessage[]; nextCursor: string | null },
) {
  const requests: Array<string | null> = [];
  server.use(
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
    http.get('/api/rooms/general/messages', ({ request }) => {
      const before = new URL(request.url).searchParams.get('before');
      requests.push(before);
      return HttpResponse.json(pages(before));
    }),
  );
  return requests;
}

/** When a published chat message says it was sent. */
const sentAt = (publish: { payload: string } | undefined) =>
  (JSON.parse(publish?.payload ?? '{}') as ChatMessage).sentAt;

const shownTexts = () =>
  screen
    .queryAllByRole('article')
    .map((article) => article.querySelector('.message__text')?.textContent);

function RoomWithReconnectRefetch() {
  useRefetchHistoryOnConnect();
  return <RoomView room="general" />;
}

describe('RoomView', () => {
  it('merges history with live messages in order, without duplicates, and loads older pages', async () => {
    serveRoom((before) =>
      before === 'c1'
        ? { messages: [msg('m1', 1)], nextCursor: null }
        : { messages: [msg('m2', 2), msg('m3', 3)], nextCursor: 'c1' },
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    await waitFor(() => expect(shownTexts()).toEqual(['message m2', 'message m3']));

    act(() => {
      workspace.client().deliver('chat/general/messages', msg('m3', 3)); // overlaps history
      workspace.client().deliver('chat/general/messages', msg('m5', 5));
      workspace.client().deliver('chat/general/messages', msg('m4', 4)); // arrives out of order
    });
    expect(shownTexts()).toEqual(['message m2', 'message m3', 'message m4', 'message m5']);

    await userEvent.click(screen.getByRole('button', { name: 'Load older messages' }));
    await waitFor(() =>
      expect(shownTexts()).toEqual([
        'message m1',
        'message m2',
        'message m3',
        'message m4',
        'message m5',
      ]),
    );
    expect(screen.getByText('Beginning of #general')).toBeInTheDocument();
  });

  it('refetches history after a reconnect and still shows every message once', async () => {
    let serverHas = [msg('m1', 1)];
    const requests = serveRoom(() => ({ messages: serverHas, nextCursor: null }));
    const workspace = await connectTestWorkspace({ random: () => 0 });
    renderWithWorkspace(<RoomWithReconnectRefetch />, { connection: workspace.connection });
    await waitFor(() => expect(shownTexts()).toEqual(['message m1']));
    act(() => workspace.client().deliver('chat/general/messages', msg('m2', 2)));

    // While we were away m3 was published and recorded, but not queued for us.
    const first = workspace.client();
    act(() => first.drop());
    serverHas = [msg('m1', 1), msg('m2', 2), msg('m3', 3)];
    await waitFor(() => expect(workspace.factory.clients.length).toBe(2), { timeout: 3_000 });
    const before = requests.length;
    act(() => workspace.client().acceptConnect());
    await waitFor(() => expect(requests.length).toBe(before + 1));
    await waitFor(() => expect(shownTexts()).toEqual(['message m1', 'message m2', 'message m3']));
  });

  it('shows a sent message as pending until its PUBACK, then as sent', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const workspace = await connectTestWorkspace({ autoAck: false });
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    const input = await screen.findByRole('textbox', { name: 'Message #general' });

    await userEvent.type(input, 'hello there{Enter}');
    expect(input).toHaveValue('');
    const article = screen.getByRole('article');
    expect(within(article).getByText('hello there')).toBeInTheDocument();
    expect(within(article).getByText('pending')).toBeInTheDocument();

    const [publish] = workspace.client().publishedOn('chat/general/messages');
    expect(publish).toMatchObject({ qos: 1, retain: false });
    const payload = JSON.parse(publish?.payload ?? '{}') as ChatMessage;
    expect(payload).toMatchObject({ from: 'alice', text: 'hello there' });
    expect(payload.id).toMatch(/^[0-9a-f-]{36}$/);

    act(() => publish?.ack());
    expect(within(article).getByText('sent')).toBeInTheDocument();
    expect(within(article).queryByText('pending')).not.toBeInTheDocument();

    // The broker's echo of our own message does not add a second copy.
    act(() => workspace.client().deliver('chat/general/messages', payload));
    expect(screen.getAllByRole('article')).toHaveLength(1);
  });

  it('shows a message the broker acknowledged but did not record as not delivered', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const asked = serveLookupNotFound();
    const workspace = await connectTestWorkspace({
      autoAck: false,
      echoWaitMs: 50,
      lookupMessage: fetchRoomMessage,
    });
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    const input = await screen.findByRole('textbox', { name: 'Message #general' });
    await userEvent.type(input, 'refused by the ACL{Enter}');
    const [publish] = workspace.client().publishedOn('chat/general/messages');
    act(() => publish?.ack()); // MQTT 3.1.1: refused publishes are acknowledged too

    const article = screen.getByRole('article');
    expect(within(article).getByText('sent')).toBeInTheDocument();
    const refused = await within(article).findByText('not delivered', { exact: false });
    expect(refused).toHaveAttribute('title', expect.stringContaining('did not deliver'));
    expect(refused).toHaveTextContent(/^not delivered\. The server acknowledged/);
    expect(asked).toEqual([JSON.parse(publish?.payload ?? '{}').id]);

    // It came back after all (a slow broker): sent, not a second copy.
    act(() =>
      workspace.client().deliver('chat/general/messages', JSON.parse(publish?.payload ?? '{}')),
    );
    expect(within(article).getByText('sent')).toBeInTheDocument();
    expect(screen.getAllByRole('article')).toHaveLength(1);
  });

  it('still shows a refused message, with its text, after a reload during the wait for its echo', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const asked = serveLookupNotFound();
    const options = { autoAck: false, echoWaitMs: 60_000, lookupMessage: fetchRoomMessage };
    const before = await connectTestWorkspace(options);
    const view = renderWithWorkspace(<RoomView room="general" />, {
      connection: before.connection,
    });
    const input = await screen.findByRole('textbox', { name: 'Message #general' });
    await userEvent.type(input, 'refused, then reloaded{Enter}');
    const [publish] = before.client().publishedOn('chat/general/messages');
    act(() => publish?.ack()); // MQTT 3.1.1: refused publishes are acknowledged too

    // The tab reloads long before the echo wait is over: memory is gone, storage stays.
    view.unmount();
    before.connection.dispose();
    resetWorkspaceStores();
    const after = await connectTestWorkspace(options);
    renderWithWorkspace(<RoomView room="general" />, { connection: after.connection });

    const article = await screen.findByRole('article');
    expect(within(article).getByText('refused, then reloaded')).toBeInTheDocument();
    await within(article).findByText('not delivered', { exact: false });
    expect(asked).toEqual([JSON.parse(publish?.payload ?? '{}').id]);
    expect(after.client().publishedOn('chat/general/messages')).toEqual([]); // not sent again
    expect(after.connection.outbox.listUnconfirmed()).toEqual([]);
  });

  /**
   * A room view whose message `text` was sent and not yet acknowledged; the server's
   * history lookups are recorded in `asked` (and find nothing).
   */
  async function sendUnacked(text: string, echoWaitMs: number) {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const asked: string[] = [];
    const workspace = await connectTestWorkspace({
      autoAck: false,
      echoWaitMs,
      lookupMessage: async (_room, id) => {
        asked.push(id);
        return null;
      },
    });
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    const input = await screen.findByRole('textbox', { name: 'Message #general' });
    await userEvent.type(input, `${text}{Enter}`);
    const [publish] = workspace.client().publishedOn('chat/general/messages');
    return { workspace, asked, publish };
  }

  it('keeps nothing unconfirmed for a message whose echo came before its PUBACK', async () => {
    const { workspace, asked, publish } = await sendUnacked('echoed first', 20);
    // A resend after a reconnect: the session's queued copy of the echo comes first.
    act(() =>
      workspace.client().deliver('chat/general/messages', JSON.parse(publish?.payload ?? '{}')),
    );
    act(() => publish?.ack());
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(within(screen.getByRole('article')).getByText('sent')).toBeInTheDocument();
    expect(workspace.connection.outbox.listUnconfirmed()).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('shows a message an MQTT 5 broker refused as not delivered at once, and never resends it', async () => {
    const { workspace, asked, publish } = await sendUnacked('over quota', 50);
    act(() => publish?.ack(new PublishRefusedError(0x97)));

    const article = screen.getByRole('article');
    expect(within(article).getByText('not delivered', { exact: false })).toBeInTheDocument();
    expect(workspace.connection.outbox.list()).toEqual([]);
    expect(workspace.connection.outbox.listUnconfirmed()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(asked).toEqual([]); // the broker said so: nothing to look up
  });

  it('keeps a message shown as not delivered across reloads, until it is discarded', async () => {
    const { workspace, asked, publish } = await sendUnacked('refused, then reloaded twice', 20);
    act(() => publish?.ack()); // MQTT 3.1.1: refused publishes are acknowledged too
    const article = screen.getByRole('article');
    await within(article).findByText('not delivered', { exact: false });
    expect(asked).toHaveLength(1);

    /** The tab reloads: memory is gone, storage stays. */
    let current = workspace.connection;
    const reload = async () => {
      cleanup();
      current.dispose();
      resetWorkspaceStores();
      const after = await connectTestWorkspace({ autoAck: false, echoWaitMs: 20 });
      current = after.connection;
      renderWithWorkspace(<RoomView room="general" />, { connection: after.connection });
      await screen.findByRole('region', { name: 'Messages in #general' }); // history loaded
      return after;
    };
    const after = await reload();
    const kept = screen.getByRole('article');
    expect(within(kept).getByText('refused, then reloaded twice')).toBeInTheDocument();
    expect(within(kept).getByText('not delivered', { exact: false })).toBeInTheDocument();
    expect(asked).toHaveLength(1); // settled already: nothing to ask again
    expect(after.client().publishedOn('chat/general/messages')).toEqual([]); // nor to resend

    const time = formatMessageTime(sentAt(publish));
    await userEvent.click(
      within(kept).getByRole('button', {
        name: `Discard undelivered message sent ${time}: refused, then reloaded twice`,
      }),
    );
    expect(screen.queryByRole('article')).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Messages in #general' })).toHaveFocus();
    expect(
      await screen.findByText(`Discarded message sent ${time}: refused, then reloaded twice`),
    ).toHaveAttribute('role', 'status');
    await reload();
    expect(screen.queryByRole('article')).not.toBeInTheDocument();
    expect(sessionStorage.length).toBe(0);
  });

  it('offers to discard only a message that was not delivered, each by its own name', async () => {
    const { workspace, publish } = await sendUnacked('refused at once', 20);
    act(() => publish?.ack(new PublishRefusedError(0x87)));
    const input = screen.getByRole('textbox', { name: 'Message #general' });
    await userEvent.type(input, 'fine{Enter}');
    await userEvent.type(input, 'refused as well, and it goes on for a while{Enter}');
    const [, fine, last] = workspace.client().publishedOn('chat/general/messages');
    act(() => {
      fine?.ack();
      workspace.client().deliver('chat/general/messages', JSON.parse(fine?.payload ?? '{}'));
      last?.ack(new PublishRefusedError(0x87));
    });
    const [refused, delivered, alsoRefused] = screen.getAllByRole('article');
    const buttonNames = (article: HTMLElement) =>
      within(article)
        .getAllByRole('button')
        .map((button) => button.getAttribute('aria-label'));
    expect(buttonNames(refused!)).toEqual([
      `Retry undelivered message sent ${formatMessageTime(sentAt(publish))}: refused at once`,
      `Discard undelivered message sent ${formatMessageTime(sentAt(publish))}: refused at once`,
    ]);
    expect(buttonNames(alsoRefused!)).toEqual([
      `Retry undelivered message sent ${formatMessageTime(sentAt(last))}: refused as well, and it goes…`,
      `Discard undelivered message sent ${formatMessageTime(sentAt(last))}: refused as well, and it goes…`,
    ]);
    expect(within(alsoRefused!).getByRole('button', { name: /^Discard/ })).toHaveTextContent(
      /^Discard$/,
    );
    expect(within(alsoRefused!).getByRole('button', { name: /^Retry/ })).toHaveTextContent(
      /^Retry$/,
    );
    expect(within(delivered!).getByText('sent')).toBeInTheDocument();
    expect(within(delivered!).queryByRole('button')).not.toBeInTheDocument();
  });

  it('names apart the Discard buttons of two messages sent the same minute with the same opening, each discarding its own', async () => {
    const opening = 'these six words open them both'; // all a snippet holds
    refusedBeforeReload('general', `${opening} the first`, T);
    refusedBeforeReload('general', `${opening} the second`, T + 1_000);
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });

    const at = formatMessageTime(T);
    const region = await screen.findByRole('region', { name: 'Messages in #general' });
    await waitFor(() => expect(within(region).getAllByRole('article')).toHaveLength(2));
    const [first, second] = within(region).getAllByRole('article');
    expect(within(first!).getByRole('button', { name: /^Discard/ })).toHaveAccessibleName(
      `Discard undelivered message 1 of 2 sent ${at}: ${opening}…`,
    );
    expect(within(second!).getByRole('button', { name: /^Discard/ })).toHaveAccessibleName(
      `Discard undelivered message 2 of 2 sent ${at}: ${opening}…`,
    );
    expect(within(second!).getByRole('button', { name: /^Retry/ })).toHaveAccessibleName(
      `Retry undelivered message 2 of 2 sent ${at}: ${opening}…`,
    );

    await userEvent.click(
      screen.getByRole('button', {
        name: `Discard undelivered message 2 of 2 sent ${at}: ${opening}…`,
      }),
    );
    expect(shownTexts()).toEqual([`${opening} the first`]);
    expect(keptTexts()).toEqual([`${opening} the first`]);
    // The one left is alone of its kind: named as any other.
    expect(screen.getByRole('button', { name: /^Discard/ })).toHaveAccessibleName(
      `Discard undelivered message sent ${at}: ${opening}…`,
    );
  });

  it('retries a message not delivered: its text goes again under a new id, and it goes', async () => {
    const refused = refusedBeforeReload('general', 'try me again', T);
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const workspace = await connectTestWorkspace({ autoAck: false });
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    const time = formatMessageTime(T);
    const retry = await screen.findByRole('button', {
      name: `Retry undelivered message sent ${time}: try me again`,
    });
    expect(retry).toHaveTextContent(/^Retry$/);

    await userEvent.click(retry);
    const published = workspace.client().publishedOn('chat/general/messages');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ qos: 1, retain: false });
    const again = JSON.parse(published[0]?.payload ?? '{}') as ChatMessage;
    expect(again).toMatchObject({ from: 'alice', text: 'try me again' });
    expect(again.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.id).not.toBe(refused.id);

    // The one not delivered is gone, here and from storage; the new one is pending.
    const [shown] = screen.getAllByRole('article');
    expect(screen.getAllByRole('article')).toHaveLength(1);
    expect(within(shown!).getByText('try me again')).toBeInTheDocument();
    expect(within(shown!).getByText('pending')).toBeInTheDocument();
    expect(within(shown!).queryByRole('button')).not.toBeInTheDocument();
    expect(useChatStore.getState().statusOf('general', refused.id)).toBeUndefined();
    expect(keptTexts()).toEqual([]);
    // As with Discard: focus stays in the list, and what went is said.
    expect(screen.getByRole('region', { name: 'Messages in #general' })).toHaveFocus();
    expect(await screen.findByText(`Retried message sent ${time}: try me again`)).toHaveAttribute(
      'role',
      'status',
    );
  });

  it('says why a message was not delivered, after a reload too', async () => {
    const { workspace, publish } = await sendUnacked('over quota', 20);
    act(() => publish?.ack(new PublishRefusedError(0x97)));
    const reason = 'The server refused this message: quota exceeded (0x97).';
    const shown = () =>
      within(screen.getByRole('article')).getByText('not delivered', { exact: false });
    expect(shown()).toHaveAttribute('title', reason);
    expect(shown()).toHaveTextContent(`not delivered. ${reason}`);
    // In sight too, under the message, not only in a tooltip and to screen readers.
    const visible = within(screen.getByRole('article')).getByText(reason);
    expect(visible.closest('.visually-hidden')).toBeNull();
    expect(visible).not.toHaveAttribute('title');

    cleanup(); // the tab reloads
    workspace.connection.dispose();
    resetWorkspaceStores();
    const after = await connectTestWorkspace({ autoAck: false, echoWaitMs: 20 });
    renderWithWorkspace(<RoomView room="general" />, { connection: after.connection });
    await screen.findByRole('article');
    expect(shown()).toHaveAttribute('title', reason);
  });

  it('keeps a message shown as not delivered no more once the room’s history has it', async () => {
    const { workspace, publish } = await sendUnacked('went through after all', 20);
    act(() => publish?.ack()); // acknowledged; the lookup finds nothing: not delivered
    await within(screen.getByRole('article')).findByText('not delivered', { exact: false });
    expect(workspace.connection.outbox.listRefused()).toHaveLength(1);

    // Yet the broker had it (the lookup was wrong, or raced it): after a reload the
    // room's history has it.
    cleanup();
    workspace.connection.dispose();
    resetWorkspaceStores();
    const sent = JSON.parse(publish?.payload ?? '{}') as ChatMessage;
    serveRoom(() => ({ messages: [sent], nextCursor: null }));
    const after = await connectTestWorkspace({ autoAck: false, echoWaitMs: 20 });
    renderWithWorkspace(<RoomView room="general" />, { connection: after.connection });
    const article = await screen.findByRole('article');
    expect(within(article).getByText('went through after all')).toBeInTheDocument();
    await waitFor(() => expect(after.connection.outbox.listRefused()).toEqual([]));
    expect(within(article).getByText('sent')).toBeInTheDocument();
    expect(within(article).queryByRole('button')).not.toBeInTheDocument();
    expect(sessionStorage.length).toBe(0);
  });

  it('keeps a message shown as not delivered when only another sender’s message has its id', async () => {
    const { workspace, publish } = await sendUnacked('mine, and refused', 20);
    act(() => publish?.ack()); // acknowledged; the lookup finds nothing: not delivered
    await within(screen.getByRole('article')).findByText('not delivered', { exact: false });
    const sent = JSON.parse(publish?.payload ?? '{}') as ChatMessage;
    const theirs: ChatMessage = { ...sent, from: 'mallory', text: 'same id, not mine' };

    // Live: another sender's message with that id is not ours come back.
    act(() => workspace.client().deliver('chat/general/messages', theirs));
    expect(workspace.connection.outbox.listRefused().map((entry) => entry.id)).toEqual([sent.id]);

    // After a reload, the room's history has their message with that id, and not ours.
    cleanup();
    workspace.connection.dispose();
    resetWorkspaceStores();
    serveRoom(() => ({ messages: [msg('h1', 0), theirs], nextCursor: null }));
    const after = await connectTestWorkspace({ autoAck: false, echoWaitMs: 20 });
    renderWithWorkspace(<RoomView room="general" />, { connection: after.connection });
    await screen.findByText('message h1'); // history loaded, and compared
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(after.connection.outbox.listRefused().map((entry) => entry.id)).toEqual([sent.id]);
    expect(useChatStore.getState().statusOf('general', sent.id)).toBe('refused');
  });

  it('shows our message not delivered beside another sender’s in history with its id, and discards only ours', async () => {
    const ours = refusedBeforeReload('general', 'mine, refused', T);
    // Ids are the sender's to choose: mallory's message, in history, reuses ours.
    const theirs: ChatMessage = {
      ...ours,
      from: 'mallory',
      text: 'same id, not mine',
      sentAt: T + 1,
    };
    serveRoom(() => ({ messages: [theirs], nextCursor: null }));
    const consoleError = vi.spyOn(console, 'error');
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });

    await waitFor(() => expect(shownTexts()).toEqual(['mine, refused', 'same id, not mine']));
    // Each in a row of its own: React warns of rows sharing a key (their id).
    expect(consoleError.mock.calls.flat().join('\n')).not.toMatch(/same key/);
    const [mine, others] = screen.getAllByRole('article');
    expect(within(mine!).getByText('not delivered', { exact: false })).toBeInTheDocument();
    expect(within(others!).queryByRole('button')).not.toBeInTheDocument();
    await userEvent.click(within(mine!).getByRole('button', { name: /^Discard/ }));
    expect(shownTexts()).toEqual(['same id, not mine']);
    expect(keptTexts()).toEqual([]);
  });

  it('stamps a message by the server’s clock, so a device clock that is off does not move it', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const AHEAD_MS = 10 * 60_000;
    const workspace = await connectTestWorkspace({ serverClockAheadMs: AHEAD_MS });
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    const input = await screen.findByRole('textbox', { name: 'Message #general' });
    const before = Date.now();
    await userEvent.type(input, 'on time{Enter}');
    const [publish] = workspace.client().publishedOn('chat/general/messages');
    const { sentAt } = JSON.parse(publish?.payload ?? '{}') as ChatMessage;
    expect(sentAt).toBeGreaterThanOrEqual(before + AHEAD_MS);
    expect(sentAt).toBeLessThanOrEqual(Date.now() + AHEAD_MS);
  });

  it('Shift+Enter adds a line instead of sending; blank drafts are not sent', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    const input = await screen.findByRole('textbox', { name: 'Message #general' });
    await userEvent.type(input, '   {Enter}');
    await userEvent.clear(input);
    await userEvent.type(input, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(
      JSON.parse(workspace.client().publishedOn('chat/general/messages')[0]?.payload ?? '{}').text,
    ).toBe('line one\nline two');
  });

  it("keeps a first line's indentation, and does not send the Enter that confirms an IME candidate", async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    const input = await screen.findByRole('textbox', { name: 'Message #general' });
    await userEvent.type(input, 'にほん');
    fireEvent.keyDown(input, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(input, { key: 'Enter', keyCode: 229 }); // Safari, after compositionend
    expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(0);
    await userEvent.clear(input);
    await userEvent.type(input, '{Shift>}{Enter}{/Shift}    indented();  {Enter}');
    expect(
      workspace
        .client()
        .publishedOn('chat/general/messages')
        .map((publish) => JSON.parse(publish.payload).text),
    ).toEqual(['    indented();']);
  });

  it('keeps a paste over the length limit whole, says so, and sends it only once short enough', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    const input = await screen.findByRole('textbox', { name: 'Message #general' });
    await userEvent.click(input);
    await userEvent.paste('x'.repeat(MAX_CHAT_TEXT_LENGTH + 5));
    expect(input).toHaveValue('x'.repeat(MAX_CHAT_TEXT_LENGTH + 5));
    expect(input).toBeInvalid();
    // Grouped by the runner's locale: 4,005 or 4.005 or 4 005.
    expect(screen.getByText(/^4\D?005 \/ 4\D?000: too long to send$/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    await userEvent.type(input, '{Enter}');
    expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(0);

    await userEvent.type(input, '{Backspace}'.repeat(5));
    expect(input).toBeValid();
    await userEvent.type(input, '{Enter}');
    expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(1);
  });

  it('keeps an unsent draft per room across switching rooms', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    server.use(
      http.get('/api/rooms/random/messages', () =>
        HttpResponse.json({ messages: [], nextCursor: null }),
      ),
    );
    const workspace = await connectTestWorkspace();
    const view = renderWithWorkspace(<RoomView key="general" room="general" />, {
      connection: workspace.connection,
    });
    await userEvent.type(
      await screen.findByRole('textbox', { name: 'Message #general' }),
      'half a thought',
    );
    view.rerender(<RoomView key="random" room="random" />);
    expect(await screen.findByRole('textbox', { name: 'Message #random' })).toHaveValue('');
    view.rerender(<RoomView key="general" room="general" />);
    const input = await screen.findByRole('textbox', { name: 'Message #general' });
    expect(input).toHaveValue('half a thought');
    await userEvent.type(input, '{Enter}');
    expect(input).toHaveValue('');
    expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(1);
  });

  it('renders markup in a message as text', async () => {
    const attack = '<img src=x onerror=alert(1)>';
    serveRoom(() => ({
      messages: [msg('h1', 1, 'mallory', `<b>bold</b> ${attack}`)],
      nextCursor: null,
    }));
    const workspace = await connectTestWorkspace();
    const { container } = renderWithWorkspace(<RoomView room="general" />, {
      connection: workspace.connection,
    });
    act(() => workspace.client().deliver('chat/general/messages', msg('x1', 2, 'mallory', attack)));
    await waitFor(() => expect(screen.getByText(attack)).toBeInTheDocument());
    expect(screen.getByText(`<b>bold</b> ${attack}`)).toBeInTheDocument();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });

  it('announces new messages from others politely', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const workspace = await connectTestWorkspace();
    const { container } = renderWithWorkspace(<RoomView room="general" />, {
      connection: workspace.connection,
    });
    await screen.findByText('No messages yet. Say hello!');
    act(() => workspace.client().deliver('chat/general/messages', msg('n1', 1, 'bob', 'lunch?')));
    const regions = [...container.querySelectorAll('[aria-live="polite"]')].map(
      (r) => r.textContent,
    );
    expect(regions).toContain('bob: lunch?');
  });

  it('does not announce what arrived before the room was opened, nor our own messages', async () => {
    serveRoom(() => ({ messages: [], nextCursor: null }));
    const workspace = await connectTestWorkspace();
    act(() => workspace.client().deliver('chat/general/messages', msg('o1', 1, 'bob', 'old news')));
    const { container } = renderWithWorkspace(<RoomView room="general" />, {
      connection: workspace.connection,
    });
    await waitFor(() => expect(shownTexts()).toEqual(['old news']));
    const announced = () =>
      [...container.querySelectorAll('[aria-live="polite"]')].map((r) => r.textContent);
    expect(announced()).not.toContain('bob: old news');
    act(() => workspace.client().deliver('chat/general/messages', msg('o2', 2, 'alice', 'mine')));
    expect(announced()).not.toContain('alice: mine');
    act(() => workspace.client().deliver('chat/general/messages', msg('o3', 3, 'bob', 'fresh')));
    expect(announced()).toContain('bob: fresh');
  });

  it('opens with the newest 50 messages and reads back 200 at a time', async () => {
    const searches: string[] = [];
    server.use(
      http.get('/api/rooms', () =>
        HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
      ),
      http.get('/api/rooms/general/messages', ({ request }) => {
        const url = new URL(request.url);
        searches.push(url.search);
        return HttpResponse.json(
          url.searchParams.get('before')
            ? { messages: [msg('m1', 1)], nextCursor: null }
            : { messages: [msg('m2', 2)], nextCursor: 'c1' },
        );
      }),
    );
    const workspace = await connectTestWorkspace();
    renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
    await waitFor(() => expect(shownTexts()).toEqual(['message m2']));
    await userEvent.click(screen.getByRole('button', { name: 'Load older messages' }));
    await waitFor(() => expect(shownTexts()).toEqual(['message m1', 'message m2']));
    expect(searches).toEqual(['?limit=50', '?limit=200&before=c1']);
  });
});

/** The server's lookup of our messages in #general finds none; the ids it was asked. */
function serveLookupNotFound(): string[] {
  const asked: string[] = [];
  server.use(
    http.get('/api/rooms/general/messages/:id', ({ params }) => {
      asked.push(String(params.id));
      return HttpResponse.json(
        { error: { code: 'message_not_found', message: 'no such message' } },
        { status: 404 },
      );
    }),
  );
  return asked;
}
