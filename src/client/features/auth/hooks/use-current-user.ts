import { useQuery } from '@tanstack/react-query';
import { accountOf, sessionQueryOptions, type Session } from '../api/get-session';

// Only valid inside the workspace, which renders after sign-in.
function useSignedInSession(hook: string): Session {
  const { data } = useQuery(sessionQueryOptions());
  if (!data) throw new Error(`${hook} outside a signed-in workspace`);
  return data;
}

/** The signed-in user's id; only valid inside the workspace, which renders after sign-in. */
export function useCurrentUser(): string {
  return useSignedInSession('useCurrentUser').user;
}

/** The signed-in account (accountOf: user@org); only valid inside the workspace. */
export function useCurrentAccount(): string {
  return accountOf(useSignedInSession('useCurrentAccount'));
}
