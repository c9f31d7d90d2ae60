import { useTypingUsers } from '../hooks/use-typing-users';

export function describeTyping(users: readonly string[]): string {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return 'Several people are typing…';
}

// Always mounted so the live region exists before its first announcement.
export function TypingIndicator({ room }: { room: string }) {
  const users = useTypingUsers(room);
  return (
    <p className="typing-indicator" role="status" aria-label="Typing" aria-live="polite">
      {describeTyping(users)}
    </p>
  );
}
