import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { canUseApp, isRole, ROLES, type Role } from '../../../shared/acl';
import { isValidId } from '../../../shared/ids';
import { checkNewPassword, generatePassword, hashPassword } from '../../auth/password';
import { isStorageError, type UserRecord } from '../../storage';
import { ApiError } from '../errors';
import type { HttpDeps } from '../http-deps';
import { parseBody, refuseFields } from '../parse-body';
import { authOf } from '../require-session';
import {
  brokerEffect,
  endThenMarkOffline,
  liveTokensOf,
  revokeTokens,
  signOutUser,
} from '../token-revocation';
import { applyCurrentRules, disconnectUser } from './live-effects';
import { findUser, refuseSelf } from './target-user';

const newUserSchema = z.strictObject({
  user: z.string(),
  role: z.string(),
  password: z.string().optional(),
});

const changeSchema = z.strictObject({
  role: z.string().optional(),
  disabled: z.boolean().optional(),
});

function parseRole(role: string): Role {
  if (!isRole(role)) {
    throw new ApiError(400, 'invalid_role', `role must be one of ${ROLES.join(', ')}`);
  }
  return role;
}

export function userRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage } = deps;

  /** Live connections per user of `org`. */
  const connectionCounts = (org: string) => {
    const counts = new Map<string, number>();
    for (const identity of deps.broker?.connections() ?? []) {
      if (identity.org === org) counts.set(identity.user, (counts.get(identity.user) ?? 0) + 1);
    }
    return counts;
  };

  const view = (record: UserRecord, counts = connectionCounts(record.org)) => ({
    user: record.user,
    role: record.role,
    disabled: record.disabled,
    createdAt: record.createdAt,
    /** Rules evaluated before the role's template. */
    rules: storage.users.extraRules(record.org, record.user),
    connections: counts.get(record.user) ?? 0,
  });

  app.get('/users', async (request) => {
    const { org } = authOf(request);
    const counts = connectionCounts(org);
    return { users: storage.users.listUsers(org).map((record) => view(record, counts)) };
  });

  app.post('/users', async (request, reply) => {
    const auth = authOf(request);
    const body = parseBody(newUserSchema, request.body);
    if (!isValidId(body.user)) {
      throw new ApiError(
        400,
        'invalid_user_id',
        'user id must be 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit',
      );
    }
    const role = parseRole(body.role);
    const generated = body.password === undefined;
    const password = body.password ?? generatePassword();
    const problem = checkNewPassword(password);
    if (problem) throw new ApiError(400, 'invalid_password', problem);
    let record: UserRecord;
    try {
      record = storage.users.addUser({
        org: auth.org,
        user: body.user,
        role,
        passwordHash: await hashPassword(password),
      });
    } catch (err) {
      if (isStorageError(err, 'exists')) {
        throw new ApiError(409, 'user_exists', `user "${body.user}" already exists`);
      }
      throw err;
    }
    storage.audit.record(auth.org, {
      actor: auth.user,
      action: 'user.create',
      target: record.user,
      detail: { role },
    });
    // A generated password is shown this once; it is stored only as a hash.
    return reply.code(201).send({ ...view(record), ...(generated ? { password } : {}) });
  });

  app.patch<{ Params: { user: string } }>('/users/:user', async (request) => {
    const auth = authOf(request);
    const record = findUser(storage, auth.org, request.params.user);
    const body = parseBody(changeSchema, request.body ?? {});
    if (body.role === undefined && body.disabled === undefined) {
      throw new ApiError(400, 'invalid_body', 'give role or disabled to change');
    }
    const role = body.role === undefined ? undefined : parseRole(body.role);
    if (role !== undefined && role !== record.role) {
      refuseSelf(auth, record.user, 'change the role of');
      storage.users.setRole(auth.org, record.user, role);
      // A role that cannot use the app ends their sign-ins as disabling does, and the tokens
      // those minted: the open app closes and returns to the sign-in page.
      const signOut = canUseApp(role) ? null : signOutUser(deps, auth.org, record.user);
      // As at disabling: a presence their app left online without its will (a DISCONNECT at
      // a token renewal) stayed so for good, with no app of theirs left to correct it and
      // no presence theirs to publish now. After the close, as there.
      const markedOffline =
        signOut === null
          ? undefined
          : await brokerEffect(deps, 'mark_offline', auth.org, record.user, (admin) =>
              admin.markOffline(auth.org, record.user),
            );
      const live = await applyCurrentRules(deps, { ...record, role });
      storage.audit.record(auth.org, {
        actor: auth.user,
        action: 'user.role',
        target: record.user,
        detail: {
          from: record.role,
          to: role,
          ...live,
          ...(signOut && {
            signedOut: signOut.signedOut,
            revokedTokens: signOut.revoked.length,
            disconnected: signOut.disconnected,
            markedOffline,
          }),
        },
      });
    }
    if (body.disabled !== undefined && body.disabled !== record.disabled) {
      if (body.disabled) {
        refuseSelf(auth, record.user, 'disable');
        storage.users.setDisabled(auth.org, record.user, true);
        // Sign-in sessions end and connections close now; new ones are refused. Their
        // tokens are revoked too: enabled again, the user signs in again, and a token taken
        // before (a copy the disabling was meant to stop) stays refused.
        const signOut = signOutUser(deps, auth.org, record.user);
        const disconnected = signOut.disconnected + disconnectUser(deps, auth.org, record.user);
        // A presence they left online without a will (a DISCONNECT, as at the app's token
        // renewal) stayed so for good. After the close: nothing of theirs says online later.
        const markedOffline = await brokerEffect(
          deps,
          'mark_offline',
          auth.org,
          record.user,
          (admin) => admin.markOffline(auth.org, record.user),
        );
        storage.audit.record(auth.org, {
          actor: auth.user,
          action: 'user.disable',
          target: record.user,
          detail: {
            signedOut: signOut.signedOut,
            revokedTokens: signOut.revoked.length,
            disconnected,
            markedOffline,
          },
        });
      } else {
        // Enabled again, no token minted before works: disabling revokes them only since
        // 2026-12-06, so one disabled before still held live ones. None are left for one
        // disabled since, and none can be minted while disabled.
        const revocation = revokeTokens(deps, auth.org, liveTokensOf(deps, auth.org, record.user));
        storage.users.setDisabled(auth.org, record.user, false);
        storage.audit.record(auth.org, {
          actor: auth.user,
          action: 'user.enable',
          target: record.user,
          ...(revocation.revoked.length > 0 && {
            detail: { revokedTokens: revocation.revoked.length },
          }),
        });
      }
    }
    return view(findUser(storage, auth.org, record.user));
  });

  app.delete<{ Params: { user: string } }>('/users/:user', async (request, reply) => {
    const auth = authOf(request);
    const record = findUser(storage, auth.org, request.params.user);
    refuseSelf(auth, record.user, 'delete');
    // Revoked first: a user created later under the same id must not inherit them.
    const revocation = revokeTokens(deps, auth.org, liveTokensOf(deps, auth.org, record.user));
    storage.users.removeUser(auth.org, record.user); // its sign-in sessions go with it
    storage.notifications.forgetUser(auth.org, record.user);
    storage.agentCommands.forgetAgent(auth.org, record.user);
    // Password connections (services, devices) are left after the token ones.
    const disconnected = revocation.disconnected + disconnectUser(deps, auth.org, record.user);
    // Their persistent sessions would otherwise keep queueing messages for nobody.
    const forgottenSessions = await brokerEffect(
      deps,
      'forget_user',
      auth.org,
      record.user,
      (admin) => admin.forgetUser(auth.org, record.user),
    );
    // Their presence and agent state would stay on everyone's boards, offline, for good (a
    // will of theirs firing now is not sent: authorize-publish.ts).
    const clearedStates = await brokerEffect(
      deps,
      'clear_last_known',
      auth.org,
      record.user,
      (admin) => admin.clearLastKnown(auth.org, record.user),
    );
    storage.audit.record(auth.org, {
      actor: auth.user,
      action: 'user.delete',
      target: record.user,
      detail: {
        role: record.role,
        revokedTokens: revocation.revoked.length,
        disconnected,
        forgottenSessions,
        clearedStates,
      },
    });
    return reply.code(204).send();
  });

  app.post<{ Params: { user: string } }>('/users/:user/password', async (request) => {
    refuseFields(request.body);
    const auth = authOf(request);
    const record = findUser(storage, auth.org, request.params.user);
    refuseSelf(auth, record.user, 'reset the password of');
    const password = generatePassword();
    storage.users.setPassword(auth.org, record.user, await hashPassword(password));
    // A reset often answers a leak: whoever holds the old password is signed out, and
    // loses what they made with it: the broker tokens their sign-ins minted (as
    // `user passwd` does) and the MQTT connections signed in with it (services, devices).
    // And a presence a tab left online mid-renewal is said offline (endThenMarkOffline).
    const revocation = await endThenMarkOffline(deps, auth.org, record.user, () =>
      signOutUser(deps, auth.org, record.user),
    );
    const { signedOut } = revocation;
    const disconnected =
      revocation.disconnected +
      disconnectUser(deps, auth.org, record.user, (identity) => identity.jti === null);
    storage.audit.record(auth.org, {
      actor: auth.user,
      action: 'user.password_reset',
      target: record.user,
      detail: { signedOut, disconnected, revokedTokens: revocation.revoked.length },
    });
    return { user: record.user, password };
  });
}
