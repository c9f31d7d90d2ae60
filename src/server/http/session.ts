import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { canUseApp } from '../../shared/acl';
import { formatUsername, parseUsername } from '../../shared/ids';
import { dummyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../auth/password';
import { AUTH_CHECKS_IN_PARALLEL, AuthThrottle } from '../auth/auth-throttle';
import { notAnAppAccount } from './app-account';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseBody } from './parse-body';
import { authOf, requireSession } from './require-session';
import { clearSessionCookie, sessionIdOf, setSessionCookie } from './session-cookie';
import { endSignIn, endThenMarkOffline } from './token-revocation';

// Per IP and username: slows guessing one account without letting one noisy office
// (shared IP) lock everyone else out. The IP is request.ip: behind a reverse proxy, the
// client's only when the proxy is in TRUST_PROXY, else the proxy's, shared by everyone.
const SIGN_IN_MAX_PER_WINDOW = 10;
const SIGN_IN_WINDOW_MS = 60_000;
// Per IP, failed sign-ins only, whatever the username: one address trying a password
// against many accounts (each a 32 MiB scrypt) is stopped too, and an office whose
// people sign in successfully never is.
export const SIGN_IN_FAILURES_PER_ADDRESS = 30;

const signInSchema = z.strictObject({
  username: z.string().max(200),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

function signInRateKey(request: { ip: string; body: unknown }): string {
  const body = request.body as { username?: unknown } | undefined;
  const username = typeof body?.username === 'string' ? body.username.toLowerCase() : '';
  return `${request.ip}|${username}`;
}

export function sessionRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config } = deps;
  // Per username, SIGN_IN_MAX_PER_WINDOW above is the bound.
  const failures = new AuthThrottle(
    Infinity,
    SIGN_IN_WINDOW_MS,
    AUTH_CHECKS_IN_PARALLEL,
    SIGN_IN_FAILURES_PER_ADDRESS,
  );

  /** Whose sign-in the cookie `sessionId` was; undefined when unknown, or over and done. */
  const ownerOf = (sessionId: string): { org: string; user: string } | undefined =>
    storage.sessions.get(sessionId) ??
    // Expired, its tokens may still live for up to their hour: whose they are, they say.
    storage.issuedTokens.anyLiveOfSession(storage.sessions.keyOf(sessionId), Date.now());

  /**
   * Ends the sign-in with this cookie everywhere: the broker tokens it got stop working and
   * their connections close (the browser's other tabs; their Last Wills say offline), or a
   * shared computer's next user would find them still connected and posting as this one.
   * At sign-out the app has said offline for its own tab first (with its token, so it must
   * still work); a sign-in over this one (below) comes with no such word, and that tab closes
   * with the others. Presences left online with no connection are marked offline after.
   * Not audited: the audit log is of what admins (and the CLI) change, not sign-ins.
   */
  const endSession = async (sessionId: string): Promise<void> => {
    const owner = ownerOf(sessionId);
    // Unknown, or expired with nothing left live: its row, if any, just goes.
    if (!owner) return void storage.sessions.delete(sessionId);
    const key = storage.sessions.keyOf(sessionId);
    await endThenMarkOffline(deps, owner.org, owner.user, () => endSignIn(deps, owner.org, key));
  };

  /**
   * A sign-in of the same user over the earlier one of this browser (`sessionId`, which it
   * sent): the new one (`nextId`) takes the earlier one over. The earlier session goes (its
   * cookie is replaced: the browser cannot send it again), but its live tokens stay, and the
   * user's other tabs with them, connected; they renew with the new cookie, which browsers
   * share. Those tokens count from now on as the new sign-in's, so signing out of it (or an
   * admin revoking one of them) still ends them, and the tabs with them. One transaction:
   * no sign-out sees the tokens moved and the earlier session still there.
   */
  const takeOver = (sessionId: string, nextId: string): void => {
    const keys = storage.sessions;
    storage.transaction(() => {
      storage.issuedTokens.moveToSession(keys.keyOf(sessionId), keys.keyOf(nextId), Date.now());
      keys.delete(sessionId);
    });
  };

  app.post(
    '/api/session',
    {
      config: {
        rateLimit: {
          max: SIGN_IN_MAX_PER_WINDOW,
          timeWindow: SIGN_IN_WINDOW_MS,
          hook: 'preHandler', // after body parsing: the key needs the username
          keyGenerator: signInRateKey,
        },
      },
    },
    async (request, reply) => {
      const body = parseBody(signInSchema, request.body);
      const name = parseUsername(body.username);
      if (!name) {
        throw new ApiError(
          400,
          'invalid_username',
          'username must be <user>@<org>, for example alice@demo',
        );
      }
      // Taking turns per address, so a parallel burst is counted as it goes.
      const record = await failures.attempt(
        { address: request.ip, username: formatUsername(name.user, name.org) },
        async () => {
          const found = storage.users.hasOrg(name.org)
            ? storage.users.getUser(name.org, name.user)
            : undefined;
          // Always one scrypt, so an unknown user or org answers as slowly as a wrong password.
          const hash = found?.passwordHash ?? (await dummyPasswordHash());
          const passwordOk = await verifyPassword(body.password, hash);
          if (!found || !passwordOk) {
            throw new ApiError(401, 'invalid_credentials', 'wrong username or password');
          }
          return found;
        },
        {
          blocked: () =>
            new ApiError(
              429,
              'rate_limited',
              'too many failed sign-ins from this address; try again in a minute',
            ),
          failed: (error) => error instanceof ApiError && error.statusCode === 401,
        },
      );
      if (record.disabled) {
        throw new ApiError(403, 'account_disabled', 'this account is disabled');
      }
      if (!canUseApp(record.role)) throw notAnAppAccount();
      // The sign-in this browser had: someone else's (a shared computer) ends, as at
      // sign-out; the same user's is taken over, its tabs left connected (takeOver).
      const previous = sessionIdOf(request, config);
      const earlier = previous ? ownerOf(previous) : undefined;
      const sameUser = earlier?.org === record.org && earlier.user === record.user;
      if (previous && !sameUser) await endSession(previous);
      const session = storage.sessions.create(record.org, record.user, config.sessionTtlSeconds);
      if (previous && sameUser) takeOver(previous, session.id);
      setSessionCookie(reply, request, config, session.id);
      reply.header('cache-control', 'no-store');
      return { user: record.user, org: record.org, role: record.role };
    },
  );

  app.get(
    '/api/session',
    { preHandler: requireSession(storage, config) },
    async (request, reply) => {
      const { user, org, role } = authOf(request);
      reply.header('cache-control', 'no-store');
      return { user, org, role };
    },
  );

  // Works signed in or not: signing out must never fail.
  app.delete('/api/session', async (request, reply) => {
    const sessionId = sessionIdOf(request, config);
    if (sessionId) await endSession(sessionId);
    clearSessionCookie(reply, request, config);
    return reply.code(204).send();
  });
}
