import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface IssuedToken {
  jti: string;
  user: string;
  clientId: string;
  /** ms since the epoch */
  issuedAt: number;
  expiresAt: number;
  /** Live connections authenticated with it. */
  connections: number;
  /**
   * Minted by the sign-in asking (this admin's own, in this browser): the server refuses to
   * revoke it. Absent from a server older than this.
   */
  currentSignIn?: boolean;
}

export const TOKENS_REFRESH_MS = 10_000; // the app renews tokens every ~48 min per tab

export async function fetchTokens(user: string | null, signal?: AbortSignal) {
  const query = user === null ? '' : `?user=${encodeURIComponent(user)}`;
  const body = await apiFetch<{ tokens: IssuedToken[] }>(`/api/admin/tokens${query}`, { signal });
  return body.tokens;
}

export const tokensQueryOptions = (user: string | null) =>
  queryOptions({
    queryKey: adminKeys.tokens(user),
    queryFn: ({ signal }) => fetchTokens(user, signal),
    refetchInterval: TOKENS_REFRESH_MS,
  });

export const useTokens = (user: string | null) => useQuery(tokensQueryOptions(user));
