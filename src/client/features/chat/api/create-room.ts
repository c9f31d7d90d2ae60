import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { roomsQueryKey, type Room } from './get-rooms';

export function createRoom(id: string): Promise<Room> {
  return apiFetch<Room>('/api/rooms', { method: 'POST', body: { id } });
}

export function useCreateRoom() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createRoom,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: roomsQueryKey }),
  });
}
