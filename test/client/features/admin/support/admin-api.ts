import { http, HttpResponse, type JsonBodyType } from 'msw';
import { onTestFinished } from 'vitest';
import type { AdminUser } from '../../../../../src/client/features/admin/api/get-users';
import { server } from '../../../support/msw-server';

// Bodies as src/server/http/admin/** sends them (see test/server/admin/** for the
// server's own assertions on the same shapes).

export const T0 = 1_735_725_600_000;

export function adminUser(user: string, extra: Partial<AdminUser> = {}): AdminUser {
  return {
    user,
    role: 'member',
    disabled: false,
    createdAt: T0,
    rules: [],
    connections: 0,
    ...extra,
  };
}

/** The API's one error shape, with `details` when the server gives them. */
export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: details ? { code, message, details } : { code, message } };
}

export const forbidden = () =>
  HttpResponse.json(errorBody('forbidden', 'only an admin of this org can do this'), {
    status: 403,
  });

export interface Recorded {
  method: string;
  path: string;
  search: string;
  body: unknown;
}

/** Records every request a handler answered, for asserting what the console sent. */
export function recorder() {
  const calls: Recorded[] = [];
  const record = async (request: Request): Promise<void> => {
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    calls.push({
      method: request.method,
      path: url.pathname,
      search: url.search,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    });
  };
  return { calls, record };
}

/** GET /api/admin/users from a list the test mutates as the fake server. */
export function usersHandler(users: AdminUser[]) {
  return http.get('/api/admin/users', () => HttpResponse.json({ users } as JsonBodyType));
}

/**
 * Every request the app makes during the test, handled or not, as "METHOD /path". An
 * unhandled request only makes the app's fetch fail (msw logs it), so a test that must
 * prove nothing was sent asserts on this list.
 */
export function trackRequests(): string[] {
  const seen: string[] = [];
  const listener = ({ request }: { request: Request }) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
  };
  server.events.on('request:start', listener);
  onTestFinished(() => server.events.removeListener('request:start', listener));
  return seen;
}
