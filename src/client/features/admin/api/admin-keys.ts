// Every admin query lives under ['admin', …], so signing out or a role change can drop the
// whole console's cache at once, and mutations invalidate exactly the lists they change.
export const adminKeys = {
  all: ['admin'] as const,
  users: () => [...adminKeys.all, 'users'] as const,
  tokens: (user: string | null) => [...adminKeys.all, 'tokens', { user }] as const,
  tokensAll: () => [...adminKeys.all, 'tokens'] as const,
  sessions: () => [...adminKeys.all, 'sessions'] as const,
  retained: (prefix: string) => [...adminKeys.all, 'retained', { prefix }] as const,
  retainedAll: () => [...adminKeys.all, 'retained'] as const,
  health: () => [...adminKeys.all, 'health'] as const,
  audit: () => [...adminKeys.all, 'audit'] as const,
};
