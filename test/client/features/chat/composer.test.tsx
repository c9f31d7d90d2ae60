import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ChatMessage } from '../../../../src/shared/schemas';
import { RoomView } from '../../../../src/client/features/chat/components/room-view';
import { draftsIndexKey } from '../../../../src/client/features/chat/lib/draft-storage';
import { useDraftsStore } from '../../../../src/client/features/chat/stores/drafts-store';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';
import { ALICE } from '../../support/fixtures';
import { emulateFocusFixup } from '../../support/focus-fixup';

const T = 1_735_725_600_000;

function serveRooms(history: Record<string, ChatMessage[]> = {}) {
  server.use(
    http.get('/api/rooms', () =>
      HttpResponse.json({
        rooms: [
          { id: 'general', name: 'general' },
          { id: 'random', name: 'random' },
        ],
      }),
    ),
    http.get('/api/rooms/:room/messages', ({ params }) =>
      HttpResponse.json({ messages: history[String(params.room)] ?? [], nextCursor: null }),
    ),
  );
}

async function openRoom(room = 'general', session = ALICE) {
  const workspace = await connectTestWorkspace({ me: session.user, org: session.org });
  renderWithWorkspace(<RoomView key={room} room={room} />, {
    connection: workspace.connection,
    session,
  });
  const input = await screen.findByRole('textbox', { name: `Message #${room}` });
  return { workspace, input };
}

/** What a reload of the tab forgets: everything in memory, not its sessionStorage. */
function reload() {
  cleanup();
  useDraftsStore.getState().reset();
}

describe('Composer', () => {
  it('keeps an unsent draft across a reload of the tab, per room and per account, until sent', async () => {
    serveRooms();
    const first = await openRoom('general');
    await userEvent.type(first.input, 'half a thought');
    reload();

    expect((await openRoom('random')).input).toHaveValue('');
    reload();
    const other = { ...ALICE, org: 'elsewhere' }; // the same user id, another org
    expect((await openRoom('general', other)).input).toHaveValue('');
    reload();

    const { workspace, input } = await openRoom('general');
    expect(input).toHaveValue('half a thought');
    await userEvent.type(input, '{Enter}');
    expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(1);
    reload();
    expect((await openRoom('general')).input).toHaveValue('');
  });

  it('ignores stored drafts it cannot read, and still keeps new ones', async () => {
    serveRooms();
    const index = draftsIndexKey('alice@demo');
    for (const bad of ['{not json', '{"general":"x"}', '[1, null]']) {
      sessionStorage.setItem(index, bad);
      sessionStorage.setItem('switchboard:draft:alice@demo:general', 'stale');
      const { input } = await openRoom('general');
      expect(input).toHaveValue('');
      reload();
    }
    const { input } = await openRoom('general');
    await userEvent.type(input, 'fresh');
    reload();
    expect((await openRoom('general')).input).toHaveValue('fresh');
  });

  it.each([
    ['a zero-width space', '\u200b'],
    ['zero-width joiners and a word joiner', '\u200d\u200c\u2060'],
    ['a byte order mark and bidi marks', '\ufeff\u200e\u200f'],
    ['spaces, a no-break space and line breaks', ' \u00a0\n\t '],
    ['a Hangul filler', '\u3164'],
  ])(
    'treats %s alone as empty: Send stays disabled and Enter sends nothing',
    async (_case, text) => {
      serveRooms();
      const { workspace, input } = await openRoom();
      fireEvent.change(input, { target: { value: text } });
      expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
      fireEvent.keyDown(input, { key: 'Enter' });
      expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(0);

      fireEvent.change(input, { target: { value: `${text}ok` } });
      expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
    },
  );

  it.each([
    ['Space, from the keyboard', async () => userEvent.keyboard(' ')],
    ['Enter, from the keyboard', async () => userEvent.keyboard('{Enter}')],
    ['a click', async () => userEvent.click(screen.getByRole('button', { name: 'Send' }))],
  ])('sent with the Send button (%s), puts focus back in the field', async (_, press) => {
    emulateFocusFixup(); // Send is disabled once the draft clears: focus would fall to <body>
    serveRooms();
    const { workspace, input } = await openRoom();
    await userEvent.type(input, 'from the button');
    await userEvent.tab();
    expect(screen.getByRole('button', { name: 'Send' })).toHaveFocus();

    await press();
    expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(1);
    expect(input).toHaveValue('');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    expect(input).toHaveFocus();
  });

  it('writes and shows text in its own direction', async () => {
    const hebrew = 'שלום לכולם';
    serveRooms({ general: [{ id: 'h1', from: 'bob', text: hebrew, sentAt: T }] });
    const { input } = await openRoom();
    expect(input).toHaveAttribute('dir', 'auto');
    const text = await screen.findByText(hebrew);
    expect(text).toHaveAttribute('dir', 'auto');
  });

  it('brings a reader who scrolled up back to the newest message when they send one', async () => {
    const history = Array.from({ length: 40 }, (_, i) => ({
      id: `h${i}`,
      from: 'bob',
      text: `history ${i}`,
      sentAt: T + i,
    }));
    serveRooms({ general: history });
    // jsdom lays nothing out: rows 60 px, in the viewport test/client/setup.ts gives; lists
    // as tall as their rows; a scroll goes where asked (or as far as it can), and says so a
    // moment later.
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockReturnValue(60);
    vi.spyOn(HTMLElement.prototype, 'scrollHeight', 'get').mockImplementation(function (
      this: HTMLElement,
    ) {
      return parseFloat(this.querySelector('ol')?.style.height ?? '0');
    });
    const scrollTo = (element: HTMLElement, top: number) => {
      element.scrollTop = Math.min(top, element.scrollHeight - element.clientHeight);
      fireEvent.scroll(element);
    };
    // jsdom has no scrollTo at all: defined for this test only.
    Object.defineProperty(HTMLElement.prototype, 'scrollTo', {
      configurable: true,
      value(this: HTMLElement, options: ScrollToOptions) {
        setTimeout(() => scrollTo(this, options.top ?? NaN));
      },
    });
    onTestFinished(() => {
      delete (HTMLElement.prototype as Partial<HTMLElement>).scrollTo;
    });
    const { input } = await openRoom();
    const scroller = await screen.findByRole('region', { name: 'Messages in #general' });
    const bottom = () => scroller.scrollHeight - scroller.clientHeight;
    await waitFor(() => expect(scroller.scrollTop).toBeGreaterThan(0));
    await waitFor(() => expect(scroller.scrollTop).toBe(bottom()));
    await frames(5); // the room's opening scroll has settled

    scrollTo(scroller, 0); // the reader scrolls up
    const jump = screen.getByRole('button', { name: 'Jump to latest' });
    await frames(5);
    expect(scroller.scrollTop).toBe(0); // and stays there

    await userEvent.type(input, 'my turn{Enter}');
    await waitFor(() => expect(scroller.scrollTop).toBe(bottom()));
    expect(screen.getByText('my turn')).toBeInTheDocument();
    expect(jump).not.toBeInTheDocument();
  });
});

const frames = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
};
