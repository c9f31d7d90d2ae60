import { ApiError, NETWORK_ERROR_CODE } from './api-error';

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /**
   * Lets the request outlive the page (it is sent as the page goes away). Same headers and
   * cookie as any other, so the server's origin and JSON checks pass alike; bodies are
   * limited to 64 KiB in flight per page, so only small ones.
   */
  keepalive?: boolean;
}

/**
 * Same-origin JSON request. Resolves with the parsed body (undefined for 204) and rejects
 * with an ApiError for every failure, so callers handle one error type.
 */
export async function apiFetch<T>(path: string, request: ApiRequest = {}): Promise<T> {
  const { method = 'GET', body, signal, keepalive } = request;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      signal,
      keepalive,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    if (signal?.aborted) throw cause; // react-query expects the abort error untouched
    throw new ApiError(0, NETWORK_ERROR_CODE, 'Could not reach the server. Check your connection.');
  }
  if (response.status === 204) return undefined as T;
  const payload = await readJson(response);
  if (!response.ok) throw toApiError(response, payload);
  // The server is this app's own same-origin contract (DESIGN.md); its bodies are typed there.
  return payload as T;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toApiError(response: Response, payload: unknown): ApiError {
  if (isErrorBody(payload)) {
    const { code, message, details } = payload.error;
    return new ApiError(response.status, code, message, isRecord(details) ? details : undefined);
  }
  return new ApiError(
    response.status,
    'http_error',
    `The server answered ${response.status} ${response.statusText}`.trim(),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorBody(
  value: unknown,
): value is { error: { code: string; message: string; details?: unknown } } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
