import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canUseApp } from '../../shared/acl';
import { formatUsername, isValidId } from '../../shared/ids';
import { effectiveRules } from '../auth/effective-rules';
import { MQTT_WEBSOCKET_PATH } from '../broker/transports/websocket';
import { notAnAppAccount } from './app-account';
import { brokerOrigin } from './broker-origin';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';
import { parseBody } from './parse-body';
import { authOf, requireSession, type AuthContext } from './require-session';
import { clearSessionCookie } from './session-cookie';

const TOKEN_MAX_PER_WINDOW = 30;
const TOKEN_WINDOW_MS = 60_000;
// MQTT 3.1.1 only; MQTT 5 extras are used against brokers that offer them (DESIGN.md).
const MQTT_PROTOCOL_VERSION = 4;
const CLIENT_ID_RANDOM_BYTES = 6; // 12 hex characters
const MAX_ID_LENGTH = 64;

const tokenSchema = z
  .strictObject({ clientId: z.string().optional() })
  .optional()
  .transform((body) => body ?? {});

/** `<user>-<random>`, shortening the user part so the whole stays a valid id. */
function newClientId(user: string): string {
  const suffix = randomBytes(CLIENT_ID_RANDOM_BYTES).toString('hex');
  return `${user.slice(0, MAX_ID_LENGTH - suffix.length - 1)}-${suffix}`;
}

function brokerUrl(request: FastifyRequest, config: HttpDeps['config']): string {
  const origin = brokerOrigin(request, config);
  if (origin === undefined) {
    throw new ApiError(400, 'invalid_host', 'the Host header is not a host name');
  }
  return `${origin}${MQTT_WEBSOCKET_PATH}`;
}

// The raw session id stays out of the limiter's memory.
function sessionRateKey(request: FastifyRequest): string {
  const sessionId = request.auth?.sessionId;
  return sessionId ? createHash('sha256').update(sessionId).digest('base64url') : request.ip;
}

export function tokenRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage, config, tokens } = deps;

  app.post(
    '/api/token',
    {
      preHandler: requireSession(storage, config),
      config: {
        rateLimit: {
          max: TOKEN_MAX_PER_WINDOW,
          timeWindow: TOKEN_WINDOW_MS,
          hook: 'preHandler', // after requireSession, which sets the key
          keyGenerator: sessionRateKey,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { org, user, role } = auth;
      if (!canUseApp(role)) {
        // A session from before such accounts were refused at sign-in: it ends here, so a
        // reload shows the sign-in page, which says why.
        storage.sessions.delete(auth.sessionId);
        clearSessionCookie(reply, request, config);
        throw notAnAppAccount();
      }
      const body = parseBody(tokenSchema, request.body);
      if (body.clientId !== undefined && !isValidId(body.clientId)) {
        throw new ApiError(
          400,
          'invalid_client_id',
          'clientId must be 1-64 lowercase letters, digits, "-" or "_"',
        );
      }
      const clientId = body.clientId ?? newClientId(user);
      const acl = effectiveRules(storage.users, { org, user, role });
      const minted = await tokens.mint({ org, user, clientId, acl });
      // Signed out while it was being signed (a password reset, disabling or removing the
      // user, a role that cannot use the app, revoking their tokens: each revokes what the
      // user's sessions minted, from the inventory below): a token recorded after that would
      // outlive it, so it is not handed out.
      if (!stillSignedIn(storage, auth)) {
        tokens.revoke(minted.jti, minted.expiresAt);
        throw new ApiError(401, 'not_signed_in', 'sign in first');
      }
      // The admin console lists and revokes what was handed out.
      storage.issuedTokens.record({
        jti: minted.jti,
        org,
        user,
        clientId,
        issuedAt: minted.issuedAt,
        expiresAt: minted.expiresAt,
        // Revoking the token ends the sign-in that minted it (token-revocation.ts).
        sessionKey: storage.sessions.keyOf(auth.sessionId),
      });
      reply.header('cache-control', 'no-store');
      return {
        url: brokerUrl(request, config),
        username: formatUsername(user, org),
        password: minted.token,
        clientId,
        // Both by this server's clock: the client renews after a share of the lifetime
        // they give, measured on its own clock, so a skewed clock does not matter.
        issuedAt: minted.issuedAt,
        expiresAt: minted.expiresAt,
        protocolVersion: MQTT_PROTOCOL_VERSION,
      };
    },
  );
}

/**
 * The session still exists and its user may still sign in to the app. (The role check is a
 * guard only: the one role change there is, PATCH /api/admin/users/:user, ends the user's
 * sessions in the same turn as it stores the role, so no mint sees the one without the other.)
 */
function stillSignedIn(storage: HttpDeps['storage'], auth: AuthContext): boolean {
  if (!storage.sessions.get(auth.sessionId)) return false;
  const user = storage.users.getUser(auth.org, auth.user);
  return user !== undefined && !user.disabled && canUseApp(user.role);
}
