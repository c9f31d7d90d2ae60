import { selectUnreadCount, useNotificationsStore } from '../stores/notifications-store';

export const useUnreadNotifications = (): number => useNotificationsStore(selectUnreadCount);
