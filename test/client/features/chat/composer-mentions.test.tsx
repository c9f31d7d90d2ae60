import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RoomView } from '../../../../src/client/features/chat/components/room-view';
import { roomPeopleQueryKey } from '../../../../src/client/features/chat/api/get-room-people';
import { ALICE } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { connectTestWorkspace, renderWithWorkspace } from '../../support/render';

// Typing `@` in the composer suggests the people a mention would notify (those who may read
// the room, from GET /api/rooms/<room>/people); the field stays a textbox, with the list as
// its popup.

const PEOPLE = ['alice', 'bob', 'bobby', 'carol'];

/** The composer of #general, with who may read it already known unless `asked`. */
async function openComposer({ asked = false } = {}) {
  server.use(
    http.get('/api/rooms', () =>
      HttpResponse.json({ rooms: [{ id: 'general', name: 'general' }] }),
    ),
    http.get('/api/rooms/:room/messages', () =>
      HttpResponse.json({ messages: [], nextCursor: null }),
    ),
  );
  const workspace = await connectTestWorkspace({ me: ALICE.user, org: ALICE.org });
  const { queryClient } = renderWithWorkspace(<RoomView room="general" />, {
    connection: workspace.connection,
    session: ALICE,
  });
  if (!asked) {
    const people = PEOPLE.map((user) => ({ user, role: 'member' }));
    queryClient.setQueryData(roomPeopleQueryKey('general'), people);
  }
  const input = await screen.findByRole('textbox', { name: 'Message #general' });
  const sent = () => workspace.client().publishedOn('chat/general/messages');
  return { input, sent };
}

const options = () =>
  within(screen.getByRole('listbox', { name: 'People to mention' }))
    .getAllByRole('option')
    .map((option) => option.textContent);

describe('mentions in the composer', () => {
  it('asks who may read the room once the field is used, and suggests only them', async () => {
    const asked: string[] = [];
    server.use(
      http.get('/api/rooms/:room/people', ({ params }) => {
        asked.push(String(params.room));
        // bobby may not read #general: a mention would not notify him.
        return HttpResponse.json({
          people: [
            { user: 'alice', role: 'member' },
            { user: 'bob', role: 'admin' },
          ],
        });
      }),
    );
    const { input } = await openComposer({ asked: true });
    expect(asked).toEqual([]); // not for every room opened
    await userEvent.click(input);
    await waitFor(() => expect(asked).toEqual(['general'])); // before any @
    await userEvent.type(input, 'hello @bo');
    expect(options()).toEqual(['@bob']);
    await userEvent.type(input, '{Backspace}{Backspace}{Backspace}@b');
    expect(asked).toEqual(['general']);
  });

  it('without the list (its request failed), suggests nobody and still sends', async () => {
    server.use(
      http.get('/api/rooms/:room/people', () =>
        HttpResponse.json({ error: { code: 'internal', message: 'no' } }, { status: 500 }),
      ),
    );
    const { input, sent } = await openComposer({ asked: true });
    await userEvent.type(input, 'hi @bo');
    expect(screen.queryByRole('listbox')).toBeNull();
    await userEvent.keyboard('{Enter}');
    expect(sent()).toHaveLength(1);
  });

  it('suggests who starts with what follows @, and Enter inserts the chosen one, not sending', async () => {
    const { input, sent } = await openComposer();
    await userEvent.type(input, 'thanks @bo');
    expect(options()).toEqual(['@bob', '@bobby']);
    expect(input).toHaveAttribute('aria-activedescendant', screen.getAllByRole('option')[0]!.id);

    await userEvent.keyboard('{ArrowDown}');
    expect(screen.getByRole('option', { name: '@bobby' })).toHaveAttribute('aria-selected', 'true');
    expect(input).toHaveAttribute('aria-activedescendant', screen.getAllByRole('option')[1]!.id);
    await userEvent.keyboard('{Enter}');
    expect(input).toHaveValue('thanks @bobby ');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(sent()).toHaveLength(0);

    await userEvent.type(input, 'look{Enter}'); // no suggestions: Enter sends
    expect(sent()).toHaveLength(1);
  });

  it('inserts in the middle of a draft, with Tab or a press, and keeps the rest', async () => {
    const { input } = await openComposer();
    await userEvent.type(input, 'hi  there');
    (input as HTMLTextAreaElement).setSelectionRange(3, 3);
    fireEvent.select(input);
    await userEvent.keyboard('@c');
    expect(options()).toEqual(['@carol']);
    await userEvent.keyboard('{Tab}');
    expect(input).toHaveValue('hi @carol there');
    expect(input).toHaveFocus();

    await userEvent.type(input, ' @b');
    fireEvent.mouseDown(screen.getByRole('option', { name: '@bob' }));
    expect(input).toHaveValue('hi @carol there @bob ');

    // With the caret inside a name, the whole name is replaced.
    (input as HTMLTextAreaElement).setSelectionRange(5, 5); // '@c|arol'
    fireEvent.select(input);
    await userEvent.keyboard('{Tab}');
    expect(input).toHaveValue('hi @carol there @bob ');
  });

  it('Escape closes them until another @; the writer, addresses and nobody are not suggested', async () => {
    const { input } = await openComposer();
    await userEvent.type(input, '@b');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
    await userEvent.type(input, 'o');
    expect(screen.queryByRole('listbox')).toBeNull(); // the same @
    await userEvent.type(input, ' @al mail bob@b @zed');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(input).not.toHaveAttribute('aria-activedescendant');
  });

  it('opens again after Escape once that @ is gone or the message is sent', async () => {
    const { input } = await openComposer();
    await userEvent.type(input, '@b');
    await userEvent.keyboard('{Escape}');
    await userEvent.keyboard('{Backspace}{Backspace}@b'); // the same place, another @
    expect(options()).toEqual(['@bob', '@bobby']);
    await userEvent.keyboard('{Escape}');
    await userEvent.type(input, 'x{Enter}'); // sent
    await userEvent.type(input, '@c');
    expect(options()).toEqual(['@carol']);
  });

  it('Shift+Tab leaves the field as it would; a name goes before punctuation without a space', async () => {
    const { input } = await openComposer();
    await userEvent.type(input, '@bo, hi');
    (input as HTMLTextAreaElement).setSelectionRange(3, 3);
    fireEvent.select(input);
    expect(screen.getByText('2 people to mention')).toBeInTheDocument();
    await userEvent.keyboard('{Shift>}{Tab}{/Shift}');
    expect(input).toHaveValue('@bo, hi');
    expect(input).not.toHaveFocus();

    (input as HTMLTextAreaElement).focus();
    (input as HTMLTextAreaElement).setSelectionRange(3, 3);
    fireEvent.select(input);
    await userEvent.keyboard('{Enter}');
    expect(input).toHaveValue('@bob, hi');
  });
});
