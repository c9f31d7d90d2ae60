import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { isApiError } from '../../../lib/api/api-error';

export interface Session {
  user: string;
  org: string;
  role: string;
}

export const sessionQueryKey = ['session'] as const;

/**
 * `user@org`, as the broker names a member: what this browser keeps per person (inbox,
 * outbox) is kept under it, since a user id is unique only within its org.
 */
export const accountOf = (session: Pick<Session, 'user' | 'org'>): string =>
  `${session.user}@${session.org}`;

/** null when nobody is signed in (401 not_signed_in). */
export async function fetchSession(signal?: AbortSignal): Promise<Session | null> {
  try {
    return await apiFetch<Session>('/api/session', { signal });
  } catch (error) {
    if (isApiError(error) && error.status === 401) return null;
    throw error;
  }
}

export const sessionQueryOptions = () =>
  queryOptions({
    queryKey: sessionQueryKey,
    queryFn: ({ signal }) => fetchSession(signal),
    // Sign-in, sign-out and an auth error write this query themselves; what changes
    // elsewhere (the role, or the session ended in another tab) the workspace asks for
    // again when it may have (app/use-refetch-changed-elsewhere.ts), not each new observer.
    staleTime: Infinity,
  });

export const useSession = () => useQuery(sessionQueryOptions());
