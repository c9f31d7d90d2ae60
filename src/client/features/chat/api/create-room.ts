import { useMutation, useQueryClient } from '@tanstack/react-query';
import { isApiError } from '../../../lib/api/api-error';
import { apiFetch } from '../../../lib/api/api-fetch';
import { roomsQueryKey, type Room } from './get-rooms';

export function createRoom(id: string): Promise<Room> {
  return apiFetch<Room>('/api/rooms', { method: 'POST', body: { id } });
}

export function useCreateRoom() {
  const queryClient = useQueryClient();
  const refetchRooms = () =>
    queryClient.invalidateQueries({ queryKey: roomsQueryKey, exact: true });
  return useMutation({
    mutationFn: createRoom,
    onSuccess: refetchRooms,
    // Created by someone else since the list was had: the person is told to open it from
    // the list, so the list has to have it.
    onError: (error) => {
      if (isApiError(error) && error.code === 'room_exists') void refetchRooms();
    },
  });
}
