import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useConnectionStore } from '../../connection/stores/connection-store';
import { notificationsQueryKey, useNotifications } from '../api/get-notifications';
import { useSendReadMarks } from './use-send-read-marks';

/**
 * Keeps the inbox the server's, both ways: fills it from the server (everything sent to
 * this person, from any device and while away, and which were read anywhere) and again
 * after each (re)connect, merging with live ones by id (get-notifications.ts); and sends
 * what is marked read here.
 */
export function useSyncInbox(): void {
  const queryClient = useQueryClient();
  useNotifications();
  const connectCount = useConnectionStore((state) => state.connectCount);

  useEffect(() => {
    if (connectCount > 1) void queryClient.invalidateQueries({ queryKey: notificationsQueryKey });
  }, [connectCount, queryClient]);

  useSendReadMarks();
}
