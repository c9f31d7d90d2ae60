import type { AppNotification } from '../../../../shared/schemas';

// The browser's Notification API, used only after the user asked for it (a button).
export type DesktopPermission = NotificationPermission | 'unsupported';

export function desktopPermission(): DesktopPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export async function requestDesktopPermission(): Promise<DesktopPermission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/** Pops a system notification when allowed and the page is not what the user is looking at. */
export function showDesktopNotification(notification: AppNotification): void {
  if (desktopPermission() !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return; // the inbox badge is enough
  try {
    new Notification(notification.title, { body: notification.body, tag: notification.id });
  } catch {
    // Some mobile browsers only allow notifications from a service worker.
  }
}
