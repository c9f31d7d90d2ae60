import { InPlaceLink } from '../../../components/in-place-link';
import { useUnreadNotifications } from '../hooks/use-unread-notifications';

interface NotificationsLinkProps {
  /** The address of the notifications view. */
  href: string;
  current: boolean;
  onOpen(): void;
}

export function NotificationsLink({ href, current, onOpen }: NotificationsLinkProps) {
  const unread = useUnreadNotifications();
  return (
    <InPlaceLink
      className="icon-button notifications-link"
      href={href}
      onFollow={onOpen}
      aria-current={current ? 'page' : undefined}
      aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
    >
      <svg aria-hidden="true" className="notifications-link__icon" viewBox="0 0 24 24">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
        />
      </svg>
      {unread > 0 && (
        <span className="badge badge--overlay" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </InPlaceLink>
  );
}
