import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface RetainedMessage {
  /** As the org's clients see it. */
  topic: string;
  /** Payload size in bytes. */
  size: number;
  qos: number;
  /** The payload's first KB as UTF-8: text to show, never markup to render. */
  preview: string;
  previewTruncated: boolean;
}

export interface RetainedPage {
  messages: RetainedMessage[];
  /** More matched than the limit; narrow the prefix to see them. */
  truncated: boolean;
}

export const RETAINED_LIMIT = 1_000; // the server's maximum page

/** `prefix` is a plain topic prefix (`agents/`), not a filter. */
export function fetchRetained(prefix: string, signal?: AbortSignal): Promise<RetainedPage> {
  const query = new URLSearchParams({ limit: String(RETAINED_LIMIT) });
  if (prefix !== '') query.set('prefix', prefix);
  return apiFetch<RetainedPage>(`/api/admin/retained?${query.toString()}`, { signal });
}

export const retainedQueryOptions = (prefix: string) =>
  queryOptions({
    queryKey: adminKeys.retained(prefix),
    queryFn: ({ signal }) => fetchRetained(prefix, signal),
  });

export const useRetained = (prefix: string) => useQuery(retainedQueryOptions(prefix));
