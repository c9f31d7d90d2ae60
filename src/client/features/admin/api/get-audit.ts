import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface AuditEntry {
  id: string;
  /** ms since the epoch */
  at: number;
  /** The admin who made the change, or `cli:<OS user>` for a change made with the CLI. */
  actor: string;
  /** e.g. `user.role`, `token.revoke` */
  action: string;
  /** A user id, token id, client id or topic. */
  target: string;
  detail: Record<string, unknown>;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** Pass as `before` for the next older page; null at the beginning. */
  nextCursor: string | null;
}

export const AUDIT_PAGE_SIZE = 50;

export function fetchAuditPage(before: string | null, signal?: AbortSignal): Promise<AuditPage> {
  const query = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  if (before !== null) query.set('before', before);
  return apiFetch<AuditPage>(`/api/admin/audit?${query.toString()}`, { signal });
}

export const auditQueryOptions = () =>
  infiniteQueryOptions({
    queryKey: adminKeys.audit(),
    queryFn: ({ pageParam, signal }) => fetchAuditPage(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

export const useAuditLog = () => useInfiniteQuery(auditQueryOptions());
