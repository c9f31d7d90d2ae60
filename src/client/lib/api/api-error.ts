// Every server error has the shape {"error":{"code","message"}}; code is stable, message
// is for people. Network failures get status 0 so callers can tell "server said no" from
// "could not reach the server".
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export const NETWORK_ERROR_CODE = 'network_error';

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** True when the server refused who we are (session gone or credentials wrong). */
export function isUnauthorized(error: unknown): boolean {
  return isApiError(error) && (error.status === 401 || error.status === 403);
}

/** 4xx other than 408/429 will not succeed by retrying the same request. */
export function isRetryable(error: unknown): boolean {
  if (!isApiError(error)) return true;
  if (error.status === 408 || error.status === 429) return true;
  return error.status === 0 || error.status >= 500;
}
