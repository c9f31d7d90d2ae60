import { useIsOnline } from '../stores/presence-store';

export function PresenceDot({ user }: { user: string }) {
  const online = useIsOnline(user);
  return (
    <span className={online ? 'presence-dot presence-dot--online' : 'presence-dot'}>
      <span className="visually-hidden">{online ? 'online' : 'offline'}</span>
    </span>
  );
}
