import { useState } from 'react';
import {
  desktopPermission,
  requestDesktopPermission,
  type DesktopPermission,
} from '../lib/desktop-notifications';

export function DesktopNotificationsButton() {
  const [permission, setPermission] = useState<DesktopPermission>(desktopPermission);
  if (permission === 'unsupported') return null;
  if (permission === 'granted') return <p className="muted">Desktop notifications are on.</p>;
  if (permission === 'denied') {
    return (
      <p className="muted">Desktop notifications are blocked in this browser's site settings.</p>
    );
  }
  return (
    <button className="button" onClick={() => void requestDesktopPermission().then(setPermission)}>
      Enable desktop notifications
    </button>
  );
}
