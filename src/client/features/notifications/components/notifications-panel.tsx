import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { NOTIFICATIONS_UNREAD_CAP } from '../../../../shared/notifications-api';
import { useAnnouncement } from '../../../hooks/use-announcement';
import { useLoadOlderNotifications } from '../api/get-older-notifications';
import { selectUnreadCount, useNotificationsStore } from '../stores/notifications-store';
import { useUnreadNotifications } from '../hooks/use-unread-notifications';
import { DesktopNotificationsButton } from './desktop-notifications-button';
import { NotificationItem } from './notification-item';

// The server counts no further: there are at least this many.
const unreadLabel = (unread: number) =>
  unread >= NOTIFICATIONS_UNREAD_CAP ? `${NOTIFICATIONS_UNREAD_CAP}+` : String(unread);

const unreadText = (unread: number) =>
  unread === 0 ? 'All caught up' : `${unreadLabel(unread)} unread`;

/** `isAdmin`: whether the viewer may open the admin console (links to it are named so). */
export function NotificationsPanel({ isAdmin }: { isAdmin: boolean }) {
  const items = useNotificationsStore((state) => state.items);
  const older = useNotificationsStore((state) => state.older);
  const readIds = useNotificationsStore((state) => state.readIds);
  const hasOlder = useNotificationsStore((state) => state.olderCursor !== null);
  const markAllRead = useNotificationsStore((state) => state.markAllRead);
  const markRead = useNotificationsStore((state) => state.markRead);
  const show = useNotificationsStore((state) => state.show);
  // While shown, a listing keeps the older pages loaded, past their bound too.
  useEffect(show, [show]);
  const unread = useUnreadNotifications();
  const olderPage = useLoadOlderNotifications();
  // The count is no live region: each arrival is said by the top bar's announcer, and the
  // count changing with it would be said too. What the person's own marks did is said here.
  const [marked, sayMarked] = useAnnouncement();
  const listRef = useRef<HTMLUListElement>(null);
  const loadOlderRef = useRef<HTMLButtonElement>(null);
  // The first of an older page asked for from its button, or the last held when it added
  // none: focus goes on to it, the button being gone when there is nothing older still. By
  // id: arrivals meanwhile move it down.
  const [focusId, setFocusId] = useState<string | null>(null);
  const shown = useMemo(() => (older.length === 0 ? items : [...items, ...older]), [items, older]);

  useEffect(() => {
    if (focusId === null) return;
    const at = shown.findIndex((item) => item.id === focusId);
    listRef.current?.querySelectorAll<HTMLElement>(':scope > li > article')[at]?.focus();
    setFocusId(null);
  }, [focusId, shown]);

  // Stable, as NotificationItem is memoised: a mark re-renders the one marked only.
  const markOneRead = useCallback(
    (id: string) => {
      markRead(id);
      sayMarked(`Marked read. ${unreadText(selectUnreadCount(useNotificationsStore.getState()))}`);
    },
    [markRead, sayMarked],
  );

  const loadOlder = () => {
    if (olderPage.isPending) return;
    olderPage.mutate(undefined, {
      onSuccess: (firstAdded) => {
        // Unless the reader went elsewhere meanwhile.
        const focused = document.activeElement;
        if (focused !== loadOlderRef.current && focused !== document.body) return;
        // None added (all of it held already) and nothing older: the button goes, with focus
        // on it. On to the last held then, where the button was (none added: as shown here).
        const gone = useNotificationsStore.getState().olderCursor === null;
        setFocusId(firstAdded ?? (gone ? shown.at(-1)?.id : null) ?? null);
      },
    });
  };

  return (
    <section className="notifications" aria-labelledby="notifications-heading">
      <div className="view-header">
        <h2 id="notifications-heading" className="view-title">
          Notifications
        </h2>
        <p className="muted">{unreadText(unread)}</p>
        <p className="visually-hidden" role="status">
          {marked}
        </p>
        {/* aria-disabled, not disabled: pressed from the keyboard, it keeps focus (a disabled
            button drops it to the page). */}
        <button
          className="button"
          aria-disabled={unread === 0 || undefined}
          onClick={() => {
            if (unread === 0) return;
            markAllRead();
            sayMarked('All marked read');
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
        // Named apart from the section (Notifications) it is in.
        <ul className="notifications__list" ref={listRef} aria-label="Notifications, newest first">
          {shown.map((item) => (
            <NotificationItem
              key={item.id}
              notification={item}
              read={readIds[item.id] === true}
              isAdmin={isAdmin}
              onMarkRead={markOneRead}
            />
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
