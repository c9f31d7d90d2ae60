import { act, fireEvent, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomView } from '../../../../src/client/features/chat/components/room-view';
import { TYPING_THROTTLE_MS } from '../../../../src/client/features/chat/hooks/use-typing-publisher';
import { TYPING_TTL_MS } from '../../../../src/client/features/chat/stores/typing-store';
import { server } from '../../support/msw-server';
import {
  connectTestWorkspace,
  renderWithWorkspace,
  type TestWorkspace,
} from '../../support/render';

const TYPING_TOPIC = 'chat/general/typing';

async function openRoom(): Promise<TestWorkspace> {
  server.use(
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
    http.get('/api/rooms/general/messages', () =>
      HttpResponse.json({ messages: [], nextCursor: null }),
    ),
  );
  const workspace = await connectTestWorkspace();
  renderWithWorkspace(<RoomView room="general" />, { connection: workspace.connection });
  await screen.findByText('No messages yet. Say hello!');
  // HTTP is done; from here the test owns the clock.
  vi.useFakeTimers({
    toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
  });
  return workspace;
}

const typingSignals = (workspace: TestWorkspace) =>
  workspace
    .client()
    .publishedOn(TYPING_TOPIC)
    .map((p) => JSON.parse(p.payload) as { from: string; typing: boolean });

describe('typing', () => {
  beforeEach(() => vi.useRealTimers());

  it('publishes "typing" at most once per TYPING_THROTTLE_MS and "stopped" on send', async () => {
    const workspace = await openRoom();
    const input = screen.getByRole('textbox', { name: 'Message #general' });
    const typeDraft = (value: string) => fireEvent.change(input, { target: { value } });

    typeDraft('h');
    typeDraft('he');
    typeDraft('hel');
    expect(typingSignals(workspace)).toEqual([{ from: 'alice', typing: true }]);
    expect(workspace.client().publishedOn(TYPING_TOPIC)[0]).toMatchObject({
      qos: 0,
      retain: false,
    });

    act(() => vi.advanceTimersByTime(TYPING_THROTTLE_MS - 1));
    typeDraft('hell');
    expect(typingSignals(workspace)).toHaveLength(1);

    act(() => vi.advanceTimersByTime(1));
    typeDraft('hello');
    expect(typingSignals(workspace)).toHaveLength(2);

    fireEvent.keyDown(input, { key: 'Enter' });
    expect(typingSignals(workspace).at(-1)).toEqual({ from: 'alice', typing: false });
    expect(workspace.client().publishedOn('chat/general/messages')).toHaveLength(1);
  });

  it('announces nothing while the draft shows nothing, and stops when it shows nothing again', async () => {
    const workspace = await openRoom();
    const input = screen.getByRole('textbox', { name: 'Message #general' });
    const typeDraft = (value: string) => fireEvent.change(input, { target: { value } });

    typeDraft(' ');
    typeDraft(' \u200b'); // a zero-width space
    typeDraft(' \u200b\u200e\n'); // a bidi mark, a line break
    expect(typingSignals(workspace)).toEqual([]);

    typeDraft(' \u200b\u200e\nh');
    expect(typingSignals(workspace)).toEqual([{ from: 'alice', typing: true }]);
    typeDraft(' \u200b\u200e\n'); // its one visible character deleted
    expect(typingSignals(workspace)).toEqual([
      { from: 'alice', typing: true },
      { from: 'alice', typing: false },
    ]);
  });

  it('shows who is typing and fades after TYPING_TTL_MS without a refresh', async () => {
    const workspace = await openRoom();
    const status = () =>
      screen.getByText((_, element) => element?.classList.contains('typing-indicator') ?? false);

    act(() => workspace.client().deliver(TYPING_TOPIC, { from: 'bob', typing: true }));
    expect(status()).toHaveTextContent('bob is typing…');
    expect(status()).toHaveAttribute('aria-live', 'polite');

    act(() => vi.advanceTimersByTime(3_000));
    act(() => workspace.client().deliver(TYPING_TOPIC, { from: 'bob', typing: true })); // refresh
    act(() => workspace.client().deliver(TYPING_TOPIC, { from: 'carol', typing: true }));
    expect(status()).toHaveTextContent('bob and carol are typing…');

    act(() => vi.advanceTimersByTime(TYPING_TTL_MS - 1));
    expect(status()).toHaveTextContent('bob and carol are typing…');
    act(() => vi.advanceTimersByTime(1));
    expect(status()).toHaveTextContent('');

    act(() => workspace.client().deliver(TYPING_TOPIC, { from: 'bob', typing: true }));
    act(() => workspace.client().deliver(TYPING_TOPIC, { from: 'bob', typing: false }));
    expect(status()).toHaveTextContent('');
  });

  it('clears the indicator when that person’s message arrives', async () => {
    const workspace = await openRoom();
    act(() => workspace.client().deliver(TYPING_TOPIC, { from: 'bob', typing: true }));
    expect(screen.getByText('bob is typing…')).toBeInTheDocument();
    act(() =>
      workspace.client().deliver('chat/general/messages', {
        id: 'b1',
        from: 'bob',
        text: 'done',
        sentAt: Date.now(),
      }),
    );
    expect(screen.queryByText('bob is typing…')).not.toBeInTheDocument();
  });
});
