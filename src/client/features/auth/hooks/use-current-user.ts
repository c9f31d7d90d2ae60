import { useQuery } from '@tanstack/react-query';
import { sessionQueryOptions } from '../api/get-session';

/** The signed-in user's id; only valid inside the workspace, which renders after sign-in. */
export function useCurrentUser(): string {
  const { data } = useQuery(sessionQueryOptions());
  if (!data) throw new Error('useCurrentUser outside a signed-in workspace');
  return data.user;
}
