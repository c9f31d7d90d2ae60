import { useEffect, useRef, useState } from 'react';
import { NOTIFICATIONS_UNREAD_CAP } from '../../../../shared/notifications-api';
import { useLoadOlderNotifications } from '../api/get-older-notifications';
import { useNotificationsStore } from '../stores/notifications-store';
import { useUnreadNotifications } from '../hooks/use-unread-notifications';
import { DesktopNotificationsButton } from './desktop-notifications-button';
import { NotificationItem } from './notification-item';

// The server counts no further: there are at least this many.
const unreadLabel = (unread: number) =>
  unread >= NOTIFICATIONS_UNREAD_CAP ? `${NOTIFICATIONS_UNREAD_CAP}+` : String(unread);

export function NotificationsPanel() {
  const items = useNotificationsStore((state) => state.items);
  const older = useNotificationsStore((state) => state.older);
  const readIds = useNotificationsStore((state) => state.readIds);
  const hasOlder = useNotificationsStore((state) => state.olderCursor !== null);
  const markAllRead = useNotificationsStore((state) => state.markAllRead);
  const unread = useUnreadNotifications();
  const olderPage = useLoadOlderNotifications();
  const listRef = useRef<HTMLUListElement>(null);
  const loadOlderRef = useRef<HTMLButtonElement>(null);
  // The first of an older page asked for from its button: focus goes on to it, the button
  // being gone when there is nothing older still.
  const [focusAt, setFocusAt] = useState<number | null>(null);
  const shown = older.length === 0 ? items : [...items, ...older];

  useEffect(() => {
    if (focusAt === null) return;
    listRef.current?.querySelectorAll<HTMLElement>(':scope > li > article')[focusAt]?.focus();
    setFocusAt(null);
  }, [focusAt]);

  const loadOlder = () => {
    if (olderPage.isPending) return;
    const firstAdded = shown.length;
    olderPage.mutate(undefined, {
      onSuccess: (added) => {
        // Unless the reader went elsewhere meanwhile.
        const focused = document.activeElement;
        if (added && (focused === loadOlderRef.current || focused === document.body)) {
          setFocusAt(firstAdded);
        }
      },
    });
  };

  return (
    <section className="notifications" aria-labelledby="notifications-heading">
      <div className="view-header">
        <h2 id="notifications-heading" className="view-title">
          Notifications
        </h2>
        <p className="muted" aria-live="polite">
          {unread === 0 ? 'All caught up' : `${unreadLabel(unread)} unread`}
        </p>
        {/* aria-disabled, not disabled: pressed from the keyboard, it keeps focus (a disabled
            button drops it to the page). */}
        <button
          className="button"
          aria-disabled={unread === 0 || undefined}
          onClick={() => {
            if (unread > 0) markAllRead();
          }}
        >
          Mark all read
        </button>
      </div>
      <DesktopNotificationsButton />
      {shown.length === 0 ? (
        <p className="muted">
          Nothing here yet. Notifications sent to you appear here, also those sent while you were
          away.
        </p>
      ) : (
        <ul className="notifications__list" ref={listRef}>
          {shown.map((item) => (
            <NotificationItem key={item.id} notification={item} read={readIds[item.id] === true} />
          ))}
        </ul>
      )}
      {hasOlder && (
        <div className="notifications__older">
          {/* aria-disabled while loading, for the same reason as Mark all read. */}
          <button
            ref={loadOlderRef}
            className="button"
            aria-disabled={olderPage.isPending || undefined}
            onClick={loadOlder}
          >
            {olderPage.isPending ? 'Loading older notifications…' : 'Load older notifications'}
          </button>
          {olderPage.isError && (
            <p className="muted" role="alert">
              Could not load older notifications. Try again in a moment.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
