import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { roomsQueryKey, useRooms } from '../../../../src/client/features/chat/api/get-rooms';
import { NewRoomForm } from '../../../../src/client/features/chat/components/new-room-form';
import { apiError } from '../../support/fixtures';
import { server } from '../../support/msw-server';
import { createTestQueryClient } from '../../support/render';

const OPEN_ROOM_HISTORY = ['rooms', 'general', 'messages'];
const RULE = 'Use 1–64 lowercase letters, digits, - and _, starting with a letter or digit.';

async function createRoomNamed(id: string, answer?: () => Response) {
  const posted: unknown[] = [];
  const listed = { requests: 0 };
  server.use(
    http.post('/api/rooms', async ({ request }) => {
      posted.push(await request.json());
      return answer?.() ?? HttpResponse.json({ id: 'design', name: 'design' }, { status: 201 });
    }),
    http.get('/api/rooms', () => {
      listed.requests += 1;
      return HttpResponse.json({ rooms: [] });
    }),
  );
  const onCreated = vi.fn();
  const queryClient = createTestQueryClient();
  // The room list, as the sidebar shows it beside the form; and the open room's history.
  queryClient.setQueryData(roomsQueryKey, []);
  queryClient.setQueryData(OPEN_ROOM_HISTORY, { pages: [], pageParams: [] });
  render(
    <QueryClientProvider client={queryClient}>
      <RoomsObserved />
      <NewRoomForm onCreated={onCreated} />
    </QueryClientProvider>,
  );
  const user = userEvent.setup();
  await user.click(screen.getByText('New room'));
  const field = screen.getByRole('textbox', { name: 'Room id' });
  if (id !== '') await user.type(field, id);
  await user.click(screen.getByRole('button', { name: 'Create' }));
  return { posted, onCreated, field, listed, queryClient };
}

function RoomsObserved() {
  useRooms();
  return null;
}

describe('NewRoomForm', () => {
  it.each([
    ['constructor', '“constructor” is a reserved name. Choose another room id.'],
    ['toString', '“tostring” is a reserved name. Choose another room id.'],
    ['__proto__', RULE],
    ['two words', RULE],
    ['', `Give the room an id. ${RULE}`],
  ])('refuses “%s” before asking the server, saying why, on the field', async (id, said) => {
    const { posted, field } = await createRoomNamed(id);
    expect(screen.getByRole('alert')).toHaveTextContent(said);
    expect(field).toHaveFocus();
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription(said);
    expect(field).toHaveValue(id);
    expect(posted).toEqual([]);
  });

  it('creates a room with a valid id', async () => {
    const { posted, onCreated, field } = await createRoomNamed('design');
    expect(screen.getByRole('group', { name: 'New room' })).toContainElement(field);
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalledWith('design'));
    expect(posted).toEqual([{ id: 'design' }]);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(field).toHaveValue('');
  });

  it.each([
    [
      'an id the server does not accept',
      () => HttpResponse.json(apiError('invalid_room_id', 'room id must be 1-64'), { status: 400 }),
      `The server does not accept “design”. ${RULE}`,
    ],
    [
      'a name made of the id that the server does not accept',
      () => HttpResponse.json(apiError('invalid_room_name', 'name too long'), { status: 400 }),
      `The server does not accept “design”. ${RULE}`,
    ],
    [
      'an id taken',
      () => HttpResponse.json(apiError('room_exists', 'room "design" exists'), { status: 409 }),
      'There is already a room “design”: open it from the list, or choose another id.',
    ],
    [
      'a name another room has',
      () =>
        HttpResponse.json(apiError('room_name_taken', 'a room is already called "design"'), {
          status: 409,
        }),
      'Another room is already called “design”. Choose another id.',
    ],
    [
      'a room one may not read',
      () => HttpResponse.json(apiError('forbidden', 'not one you may read'), { status: 403 }),
      'You are not allowed to create the room “design”. Try another id, or ask an admin.',
    ],
  ])('says so, on the field kept as typed, for %s', async (_case, answer, said) => {
    const { field } = await createRoomNamed('Design', answer);
    expect(await screen.findByRole('alert')).toHaveTextContent(said);
    expect(field).toHaveFocus();
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription(said);
    expect(field).toHaveValue('Design');
  });

  it.each([
    [
      'no network',
      () => HttpResponse.error(),
      'Could not reach the server. Check your connection and try again.',
    ],
    [
      'a session that ended',
      () => HttpResponse.json(apiError('not_signed_in', 'sign in first'), { status: 401 }),
      'Your session has ended. Sign in again to create a room.',
    ],
    [
      'a server error',
      () => HttpResponse.json(apiError('internal_error', 'went wrong'), { status: 500 }),
      'Something went wrong on the server. Try again in a moment.',
    ],
    [
      'a proxy’s error page',
      () => new HttpResponse('<html>Bad gateway</html>', { status: 502 }),
      'Something went wrong on the server. Try again in a moment.',
    ],
    [
      'a role that may not create rooms (no id would do)',
      () =>
        HttpResponse.json(apiError('role_cannot_create_rooms', 'an agent cannot create rooms'), {
          status: 403,
        }),
      'Your role does not allow creating rooms. Ask an admin to create one for you.',
    ],
    [
      'an org with as many rooms as it may have',
      () =>
        HttpResponse.json(apiError('room_limit_reached', 'the org has 500 rooms'), {
          status: 409,
        }),
      'Your organisation has as many rooms as the server allows, so no more can be created. Whoever runs the server can raise its MAX_ROOMS_PER_ORG setting.',
    ],
    [
      'too many rooms created in a minute',
      () =>
        HttpResponse.json(
          apiError('rate_limited', 'too many rooms created; try again in 1 minute'),
          {
            status: 429,
          },
        ),
      'You have created many rooms in a short time. Wait a minute, then try again.',
    ],
    [
      'a request refused for another reason',
      () => HttpResponse.json(apiError('unsupported_media_type', 'send json'), { status: 415 }),
      'The server refused the request. Reload the page and try again.',
    ],
  ])('says so for %s, leaving the id as it is', async (_case, answer, said) => {
    const { field } = await createRoomNamed('design', answer);
    expect(await screen.findByRole('alert')).toHaveTextContent(said);
    expect(field).not.toHaveAttribute('aria-invalid');
    expect(field).toHaveValue('design');
  });

  it('asks for the room list again when the id is taken: the room is to be opened from it', async () => {
    const { listed, queryClient } = await createRoomNamed('design', () =>
      HttpResponse.json(apiError('room_exists', 'room "design" exists'), { status: 409 }),
    );
    await screen.findByRole('alert');
    await vi.waitFor(() => expect(listed.requests).toBe(1));
    // Only the list: not every loaded page of the open room's history.
    expect(queryClient.getQueryState(OPEN_ROOM_HISTORY)?.isInvalidated).toBe(false);
  });
});
