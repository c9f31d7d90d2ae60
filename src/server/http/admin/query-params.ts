import { ApiError } from '../errors';

/** A page size from the query string: 1..max, `fallback` when absent. */
export function parseLimit(raw: unknown, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const limit = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= max)) {
    throw new ApiError(400, 'invalid_limit', `limit must be a whole number from 1 to ${max}`);
  }
  return limit;
}

/** An optional single string from the query string (a repeated key is refused). */
export function optionalString(raw: unknown, name: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    throw new ApiError(400, `invalid_${name}`, `${name} must be given once, as text`);
  }
  return raw;
}
