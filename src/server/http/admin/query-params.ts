import { ApiError } from '../errors';

/** An optional single string from the query string (a repeated key is refused). */
export function optionalString(raw: unknown, name: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    throw new ApiError(400, `invalid_${name}`, `${name} must be given once, as text`);
  }
  return raw;
}
