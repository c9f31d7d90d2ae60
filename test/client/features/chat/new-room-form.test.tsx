import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { NewRoomForm } from '../../../../src/client/features/chat/components/new-room-form';
import { server } from '../../support/msw-server';
import { createTestQueryClient } from '../../support/render';

async function createRoomNamed(id: string) {
  const posted: unknown[] = [];
  server.use(
    http.post('/api/rooms', async ({ request }) => {
      posted.push(await request.json());
      return HttpResponse.json({ id: 'design', name: 'design' }, { status: 201 });
    }),
    http.get('/api/rooms', () => HttpResponse.json({ rooms: [] })),
  );
  const onCreated = vi.fn();
  render(
    <QueryClientProvider client={createTestQueryClient()}>
      <NewRoomForm onCreated={onCreated} />
    </QueryClientProvider>,
  );
  const user = userEvent.setup();
  await user.click(screen.getByText('New room'));
  await user.type(screen.getByRole('textbox', { name: 'Room id' }), id);
  await user.click(screen.getByRole('button', { name: 'Create' }));
  return { posted, onCreated };
}

describe('NewRoomForm', () => {
  it.each([
    ['constructor', '“constructor” is a reserved name. Choose another room id.'],
    ['toString', '“tostring” is a reserved name. Choose another room id.'],
    ['__proto__', 'Use lowercase letters, digits, - and _ (up to 64).'],
    ['two words', 'Use lowercase letters, digits, - and _ (up to 64).'],
  ])('refuses %s before asking the server, saying why', async (id, said) => {
    const { posted } = await createRoomNamed(id);
    expect(screen.getByRole('alert')).toHaveTextContent(said);
    expect(posted).toEqual([]);
  });

  it('creates a room with a valid id', async () => {
    const { posted, onCreated } = await createRoomNamed('design');
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalledWith('design'));
    expect(posted).toEqual([{ id: 'design' }]);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
