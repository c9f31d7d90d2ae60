import type { LastKnownKeys } from '../../../../shared/last-known-api';
import { apiFetch } from '../../../lib/api/api-fetch';

/** Whose last-known state the broker holds now (agents, connections the caller may read). */
export function fetchLastKnown(signal?: AbortSignal): Promise<LastKnownKeys> {
  return apiFetch<LastKnownKeys>('/api/last-known', { signal });
}
