import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useConnectionStore } from '../../connection/stores/connection-store';
import { notificationsQueryKey, useNotifications } from '../api/get-notifications';
import { useNotificationsStore } from '../stores/notifications-store';

/**
 * Fills the inbox from the server (everything sent to this person, from any device and
 * while away) and again after each (re)connect, merging with live ones by id.
 */
export function useSyncInbox(): void {
  const queryClient = useQueryClient();
  const { data } = useNotifications();
  const connectCount = useConnectionStore((state) => state.connectCount);

  useEffect(() => {
    if (data) useNotificationsStore.getState().receiveMany(data);
  }, [data]);

  useEffect(() => {
    if (connectCount > 1) void queryClient.invalidateQueries({ queryKey: notificationsQueryKey });
  }, [connectCount, queryClient]);
}
