import type { AppNotification } from '../../../../shared/schemas';
import { displayBody, displayTitle } from './display-text';

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
    // As the inbox shows them: no bidi controls to spoof with there either.
    new Notification(displayTitle(notification.title), {
      body: displayBody(notification.body),
      tag: notification.id,
    });
  } catch {
    // Some mobile browsers only allow notifications from a service worker.
  }
}
