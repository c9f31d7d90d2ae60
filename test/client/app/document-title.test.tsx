import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { App } from '../../../src/client/app/app';
import { useNavigationStore, type View } from '../../../src/client/app/navigation-store';
import { Shell } from '../../../src/client/app/shell';
import { useChatStore } from '../../../src/client/features/chat/stores/chat-store';
import { ALICE, apiError } from '../support/fixtures';
import { server } from '../support/msw-server';
import { FakeMqttFactory } from '../support/fake-mqtt';
import {
  connectTestWorkspace,
  createTestQueryClient,
  renderWithWorkspace,
} from '../support/render';

/** The shell on `view`, the server holding `unread` messages for alice in room random. */
async function shellOn(view: View, unread = 0) {
  server.use(
    http.get('/api/rooms', () =>
      HttpResponse.json({
        rooms: [
          { id: 'general', name: 'general' },
          { id: 'random', name: 'Random stuff' },
        ],
      }),
    ),
    http.get('/api/rooms/:room/messages', ({ params }) =>
      params.room === 'payroll'
        ? HttpResponse.json(apiError('forbidden', 'not allowed'), { status: 403 })
        : HttpResponse.json({ messages: [], nextCursor: null }),
    ),
    http.get('/api/unread', () =>
      HttpResponse.json({ asOf: Date.now(), rooms: [{ room: 'random', unread }] }),
    ),
    http.put('/api/rooms/:room/read', () => new HttpResponse(null, { status: 204 })),
    http.get('/api/people', () => HttpResponse.json({ people: [] })),
  );
  useNavigationStore.getState().navigate(view, 'replace');
  const workspace = await connectTestWorkspace();
  return renderWithWorkspace(<Shell session={ALICE} />, { connection: workspace.connection });
}

function messageFromBob(room: string, id: string) {
  act(() =>
    useChatStore.getState().receive(room, { id, from: 'bob', text: 'hi', sentAt: Date.now() }),
  );
}

describe('document.title', () => {
  it.each<[View, string]>([
    [{ name: 'home' }, 'Welcome — Switchboard'],
    [{ name: 'room', room: 'general' }, '#general — Switchboard'],
    [{ name: 'agents' }, 'Agents — Switchboard'],
    [{ name: 'people' }, 'People — Switchboard'],
  ])('names the view shown: %o', async (view, title) => {
    await shellOn(view);
    await waitFor(() => expect(document.title).toBe(title));
  });

  it('puts the unread messages in front, the server’s and those arriving live, and follows the view', async () => {
    await shellOn({ name: 'room', room: 'general' }, 3);
    await waitFor(() => expect(document.title).toBe('(3) #general — Switchboard'));
    messageFromBob('random', 'm1');
    expect(document.title).toBe('(4) #general — Switchboard');
    messageFromBob('general', 'm2'); // the open room: read as it arrives
    expect(document.title).toBe('(4) #general — Switchboard');

    const user = userEvent.setup();
    await user.click(screen.getByRole('link', { name: /# Random stuff/ }));
    await waitFor(() => expect(document.title).toBe('#Random stuff — Switchboard')); // its name
  });

  it('counts only the rooms of the room list, as the badges do: none for a room no longer readable', async () => {
    await shellOn({ name: 'home' }, 2);
    await waitFor(() => expect(document.title).toBe('(2) Welcome — Switchboard'));
    // Counted for a room the list does not have (read access taken away): no badge shows it.
    act(() => useChatStore.setState((state) => ({ unread: { ...state.unread, payroll: 5 } })));
    expect(document.title).toBe('(2) Welcome — Switchboard');
  });

  it('says "Room not found" for a room the room list does not have', async () => {
    await shellOn({ name: 'room', room: 'payroll' });
    await screen.findByRole('heading', { name: 'Room not found' });
    await waitFor(() => expect(document.title).toBe('Room not found — Switchboard'));
  });

  it('says "Sign in" on the sign-in page, and the app’s name once the shell is gone', async () => {
    server.use(
      http.get('/api/session', () =>
        HttpResponse.json(apiError('not_signed_in', 'Sign in first'), { status: 401 }),
      ),
    );
    const page = render(
      <QueryClientProvider client={createTestQueryClient()}>
        <App createClient={new FakeMqttFactory().create} />
      </QueryClientProvider>,
    );
    await screen.findByRole('textbox', { name: 'Username' });
    expect(document.title).toBe('Sign in — Switchboard');
    page.unmount();
    expect(document.title).toBe('Switchboard');
  });
});
