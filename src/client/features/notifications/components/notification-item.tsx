import { memo } from 'react';
import type { AppNotification } from '../../../../shared/schemas';
import { hasVisibleText } from '../../../../shared/visible-text';
import { ShownText } from '../../../components/shown-text';
import { useNotificationsStore } from '../stores/notifications-store';
import { displayBody, displayTitle, UNTITLED } from '../lib/display-text';
import { linkLabel } from '../lib/link-label';
import { isAppView, safeHref } from '../lib/safe-href';

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

const MIDDLE_BUTTON = 1; // a middle click opens a link in a new tab: no click event

interface NotificationItemProps {
  notification: AppNotification;
  read: boolean;
  /** Whether the viewer may open the admin console: a link to it opens Welcome otherwise. */
  isAdmin: boolean;
  /** What its Mark read button does: the list's, one for every item (kept stable: memo). */
  onMarkRead(id: string): void;
}

/**
 * Memoised: with older pages there may be hundreds, and a mark or an arrival changes one
 * (its link's name alone parses a URL).
 */
export const NotificationItem = memo(function NotificationItem({
  notification,
  read,
  isAdmin,
  onMarkRead,
}: NotificationItemProps) {
  const markRead = useNotificationsStore((state) => state.markRead);
  const title = displayTitle(notification.title);
  const body = displayBody(notification.body);
  const href = safeHref(notification.link);
  // Opening it is reading it, wherever it leads.
  const open = () => markRead(notification.id);

  return (
    <li className={read ? 'notification' : 'notification notification--unread'}>
      <article aria-label={title} tabIndex={-1}>
        <header className="notification__header">
          <h3 className="notification__title" dir="auto">
            {/* Its own direction, so the title's first letter sets the heading's (dir="auto"). */}
            {!read && (
              <span className="visually-hidden" dir="ltr">
                Unread:{' '}
              </span>
            )}
            {hasVisibleText(notification.title) ? (
              <ShownText text={notification.title} />
            ) : (
              UNTITLED
            )}
          </h3>
          <time dateTime={new Date(notification.createdAt).toISOString()} className="muted">
            {dateTimeFormat.format(notification.createdAt)}
          </time>
        </header>
        {body && (
          <p className="notification__body" dir="auto">
            <ShownText text={notification.body} />
          </p>
        )}
        <div className="notification__actions">
          {href && (
            <a
              href={href}
              // A view of this app opens in this tab; anything else in another.
              {...(isAppView(href) ? {} : { target: '_blank', rel: 'noopener noreferrer' })}
              onClick={open}
              onAuxClick={(event) => {
                if (event.button === MIDDLE_BUTTON) open();
              }}
            >
              {linkLabel(href, { isAdmin })}
            </a>
          )}
          {!read && (
            <button
              className="link-button"
              onClick={(event) => {
                // The button goes with the unread state: keep keyboard focus on the
                // notification rather than losing it to the page.
                event.currentTarget.closest('article')?.focus();
                onMarkRead(notification.id);
              }}
              aria-label={`Mark read: ${title}`}
            >
              Mark read
            </button>
          )}
        </div>
      </article>
    </li>
  );
});
