import { ApiError } from './errors';

/** A page size from the query string: 1..max, `fallback` when absent. */
export function parseLimit(raw: unknown, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const limit = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= max)) {
    throw new ApiError(400, 'invalid_limit', `limit must be a whole number from 1 to ${max}`);
  }
  return limit;
}

const INVALID_CURSOR = 'before must be a nextCursor from an earlier page';

/** The `before` cursor of a paged list, opaque to callers. */
export function parseCursor(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '')
    throw new ApiError(400, 'invalid_cursor', INVALID_CURSOR);
  return raw;
}

/** Runs a storage page query, turning a cursor the store refuses into a 400. */
export function withCursorErrors<T>(
  isInvalidCursor: (error: unknown) => boolean,
  query: () => T,
): T {
  try {
    return query();
  } catch (error) {
    if (isInvalidCursor(error)) throw new ApiError(400, 'invalid_cursor', INVALID_CURSOR);
    throw error;
  }
}
