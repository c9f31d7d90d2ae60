import { NOTIFICATIONS_UNREAD_CAP } from '../../../../shared/notifications-api';
import { useNotificationsStore } from '../stores/notifications-store';
import { useUnreadNotifications } from '../hooks/use-unread-notifications';
import { isAppView, safeHref } from '../lib/safe-href';
import { DesktopNotificationsButton } from './desktop-notifications-button';

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

// The server counts no further: there are at least this many.
const unreadLabel = (unread: number) =>
  unread >= NOTIFICATIONS_UNREAD_CAP ? `${NOTIFICATIONS_UNREAD_CAP}+` : String(unread);

export function NotificationsPanel() {
  const items = useNotificationsStore((state) => state.items);
  const readIds = useNotificationsStore((state) => state.readIds);
  const markRead = useNotificationsStore((state) => state.markRead);
  const markAllRead = useNotificationsStore((state) => state.markAllRead);
  const unread = useUnreadNotifications();

  return (
    <section className="notifications" aria-labelledby="notifications-heading">
      <div className="view-header">
        <h2 id="notifications-heading" className="view-title">
          Notifications
        </h2>
        <p className="muted" aria-live="polite">
          {unread === 0 ? 'All caught up' : `${unreadLabel(unread)} unread`}
        </p>
        <button className="button" onClick={markAllRead} disabled={unread === 0}>
          Mark all read
        </button>
      </div>
      <DesktopNotificationsButton />
      {items.length === 0 ? (
        <p className="muted">
          Nothing here yet. Notifications sent to you appear here, also those sent while you were
          away.
        </p>
      ) : (
        <ul className="notifications__list">
          {items.map((item) => {
            const read = readIds[item.id] === true;
            const href = safeHref(item.link);
            return (
              <li
                key={item.id}
                className={read ? 'notification' : 'notification notification--unread'}
              >
                <article aria-label={item.title} tabIndex={-1}>
                  <header className="notification__header">
                    <h3 className="notification__title" dir="auto">
                      {!read && <span className="visually-hidden">Unread: </span>}
                      {item.title}
                    </h3>
                    <time dateTime={new Date(item.createdAt).toISOString()} className="muted">
                      {dateTimeFormat.format(item.createdAt)}
                    </time>
                  </header>
                  {item.body && (
                    <p className="notification__body" dir="auto">
                      {item.body}
                    </p>
                  )}
                  <div className="notification__actions">
                    {href &&
                      (isAppView(href) ? (
                        // Opening it is reading it; the view it names opens in this tab.
                        <a href={href} onClick={() => markRead(item.id)}>
                          Open link
                        </a>
                      ) : (
                        <a href={href} target="_blank" rel="noopener noreferrer">
                          Open link
                        </a>
                      ))}
                    {!read && (
                      <button
                        className="link-button"
                        onClick={(event) => {
                          // The button goes with the unread state: keep keyboard focus on
                          // the notification rather than losing it to the page.
                          event.currentTarget.closest('article')?.focus();
                          markRead(item.id);
                        }}
                        aria-label={`Mark read: ${item.title}`}
                      >
                        Mark read
                      </button>
                    )}
                  </div>
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
