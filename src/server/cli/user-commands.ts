import { formatUsername, type Username } from '../../shared/ids';
import { canUseApp, isRole, ROLES } from '../../shared/acl';
import { checkNewPassword, generatePassword, hashPassword } from '../auth/password';
import type { Storage, UserRecord } from '../storage';
import { noMoreArguments, requireUsername, type Command } from './cli-context';
import { CliError, UsageError } from './cli-error';
import { formatTable } from './format-table';

// Each change is audited as the admin console audits its own (http/admin/users.ts), under
// the same action names, in one transaction with it: both are written, or neither.

/** The given password after checking it, or a generated one to print. */
function choosePassword(given: string | undefined): { password: string; generated: boolean } {
  if (given === undefined) return { password: generatePassword(), generated: true };
  const problem = checkNewPassword(given);
  if (problem) throw new UsageError('invalid_password', problem);
  return { password: given, generated: false };
}

export const userAdd: Command = async ({ positionals: [name, ...extra], role, password }, deps) => {
  noMoreArguments(extra);
  const { user, org } = requireUsername(name);
  if (role === undefined)
    throw new UsageError('missing_argument', `missing --role (${ROLES.join(', ')})`);
  if (!isRole(role))
    throw new UsageError('invalid_role', `unknown role "${role}": use ${ROLES.join(', ')}`);
  const chosen = choosePassword(password);
  const passwordHash = await hashPassword(chosen.password);
  deps.storage.transaction(() => {
    deps.storage.users.addUser({ org, user, role, passwordHash });
    deps.storage.audit.record(org, {
      actor: deps.actor,
      action: 'user.create',
      target: user,
      detail: { role },
    });
  });
  deps.out(`created ${formatUsername(user, org)} (${role})`);
  if (chosen.generated) deps.out(`password: ${chosen.password}`);
};

export const userList: Command = ({ positionals: [org, ...extra] }, { storage, out }) => {
  noMoreArguments(extra);
  const orgs = org === undefined ? storage.users.listOrgs() : [org];
  const users: UserRecord[] = orgs.flatMap((o) => storage.users.listUsers(o));
  const rows = users.map((u) => [
    formatUsername(u.user, u.org),
    u.role,
    u.disabled ? 'disabled' : 'active',
  ]);
  for (const line of formatTable([['USERNAME', 'ROLE', 'STATUS'], ...rows])) out(line);
};

export const userRemove: Command = ({ positionals: [name, ...extra] }, { storage, actor, out }) => {
  noMoreArguments(extra);
  const { user, org } = requireUsername(name);
  storage.transaction(() => {
    const record = existingUser(storage, { user, org });
    keepAnEnabledAdmin(storage, record, 'remove');
    storage.users.removeUser(org, user);
    storage.notifications.forgetUser(org, user);
    storage.agentCommands.forgetAgent(org, user);
    // What the console's detail adds (tokens, connections, states) the server does itself.
    storage.audit.record(org, {
      actor,
      action: 'user.delete',
      target: user,
      detail: { role: record.role },
    });
  });
  out(`removed ${formatUsername(user, org)}`);
};

export const userPasswd: Command = async ({ positionals: [name, ...extra], password }, deps) => {
  noMoreArguments(extra);
  const { storage } = deps;
  const { user, org } = existingUser(storage, requireUsername(name));
  const chosen = choosePassword(password);
  const passwordHash = await hashPassword(chosen.password);
  let signedOut = 0;
  let revoked = 0;
  storage.transaction(() => {
    existingUser(storage, { user, org }); // still there after the hashing's wait
    storage.users.setPassword(org, user, passwordHash);
    // A password change is often a response to a leak: end every sign-in session, and
    // refuse the broker tokens minted for the old one (the broker checks at each CONNECT).
    // A running server closes what those tokens and the old password hold within a second
    // (external-changes.ts).
    signedOut = storage.sessions.deleteForUser(org, user);
    revoked = revokeLiveTokens(storage, org, user);
    // The console's reset, whether the password was generated or given.
    storage.audit.record(org, {
      actor: deps.actor,
      action: 'user.password_reset',
      target: user,
      detail: { signedOut, revokedTokens: revoked },
    });
  });
  deps.out(
    `changed the password of ${formatUsername(user, org)}; ended ${signedOut} session(s), revoked ${revoked} token(s)`,
  );
  if (chosen.generated) deps.out(`password: ${chosen.password}`);
};

/**
 * The role is the command's one argument, not an option as in `user add`, which sets
 * several things at once: `user role eve@acme agent`, as `user passwd` names what it sets.
 */
export const userRole: Command = (
  { positionals: [name, role, ...extra] },
  { storage, actor, out },
) => {
  noMoreArguments(extra);
  const { user, org } = requireUsername(name);
  if (role === undefined)
    throw new UsageError('missing_argument', `missing <role> (${ROLES.join(', ')})`);
  if (!isRole(role))
    throw new UsageError('invalid_role', `unknown role "${role}": use ${ROLES.join(', ')}`);
  const username = formatUsername(user, org);
  let from: string | undefined;
  let signedOut = 0;
  let revoked = 0;
  storage.transaction(() => {
    const record = existingUser(storage, { user, org });
    from = record.role;
    // As in the console, only a change is audited (and acted on): not the role they have.
    if (record.role === role) return;
    keepAnEnabledAdmin(storage, record, 'demote');
    storage.users.setRole(org, user, role);
    // As the console's change does: a role that cannot use the app ends their sign-ins and
    // refuses the broker tokens those minted. A running server closes the connections on
    // them, gives the others the new rules and turns offline the presence their app left
    // online, within a second (external-changes.ts); one that is stopped, as it starts.
    if (!canUseApp(role)) {
      signedOut = storage.sessions.deleteForUser(org, user);
      revoked = revokeLiveTokens(storage, org, user);
    }
    storage.audit.record(org, {
      actor,
      action: 'user.role',
      target: user,
      detail: {
        from: record.role,
        to: role,
        ...(canUseApp(role) ? {} : { signedOut, revokedTokens: revoked }),
      },
    });
  });
  if (from === role) {
    out(`${username} is already ${role}`);
    return;
  }
  const signOut = canUseApp(role)
    ? ''
    : `; ended ${signedOut} session(s), revoked ${revoked} token(s)`;
  out(`changed the role of ${username} from ${from} to ${role}${signOut}`);
};

/**
 * Refuses to demote, disable or remove the last enabled admin of an org. The console
 * refuses an admin these changes of their own, so it always keeps one; the CLI acts for
 * nobody of the org, and would leave it with no one to run it. Only what takes the enabled
 * admins from one to none: an org whose admins are all disabled already loses nobody, and
 * its disabled admins may be changed. In the change's transaction, which holds the write
 * lock: no other change of the users comes between the count and the change.
 */
function keepAnEnabledAdmin(
  storage: Storage,
  record: UserRecord,
  change: 'demote' | 'disable' | 'remove',
): void {
  if (record.role !== 'admin' || record.disabled) return;
  if (storage.users.countEnabledAdmins(record.org, record.user) > 0) return;
  throw new CliError(
    'last_admin',
    `cannot ${change} ${formatUsername(record.user, record.org)}: the last enabled admin of ${record.org}; make another user admin first (user role <user>@${record.org} admin)`,
  );
}

function revokeLiveTokens(storage: Storage, org: string, user: string): number {
  const now = Date.now();
  const live = storage.issuedTokens.listLive(org, now, user);
  storage.transaction(() => {
    for (const { jti, expiresAt } of live) {
      storage.tokens.revoke(jti, expiresAt);
      storage.issuedTokens.markRevoked(jti, now);
    }
  });
  return live.length;
}

function setDisabled(disabled: boolean): Command {
  return ({ positionals: [name, ...extra] }, { storage, actor, out }) => {
    noMoreArguments(extra);
    const { user, org } = requireUsername(name);
    let signedOut = 0;
    let revoked = 0;
    storage.transaction(() => {
      const record = existingUser(storage, { user, org });
      if (disabled) keepAnEnabledAdmin(storage, record, 'disable');
      storage.users.setDisabled(org, user, disabled);
      // As in the console: their sign-ins end, and their tokens stay refused once they are
      // enabled again (a copy taken before is what disabling may be meant to stop).
      if (disabled) {
        signedOut = storage.sessions.deleteForUser(org, user);
        revoked = revokeLiveTokens(storage, org, user);
      } else if (record.disabled) {
        // As in the console: enabled again, no token minted before works (one disabled
        // before disabling revoked them, 2026-12-06, still held live ones).
        revoked = revokeLiveTokens(storage, org, user);
      }
      // As in the console, only a change is audited: not a user disabled again.
      if (record.disabled !== disabled) {
        storage.audit.record(org, {
          actor,
          action: disabled ? 'user.disable' : 'user.enable',
          target: user,
          ...(disabled
            ? { detail: { signedOut, revokedTokens: revoked } }
            : revoked > 0 && { detail: { revokedTokens: revoked } }),
        });
      }
    });
    const ended = disabled
      ? `; ended ${signedOut} session(s), revoked ${revoked} token(s)`
      : revoked > 0
        ? `; revoked ${revoked} token(s) from before`
        : '';
    out(`${disabled ? 'disabled' : 'enabled'} ${formatUsername(user, org)}${ended}`);
  };
}

function existingUser(storage: Storage, { user, org }: Username): UserRecord {
  const record = storage.users.getUser(org, user);
  if (!record) throw new CliError('not_found', `no user ${formatUsername(user, org)}`);
  return record;
}

export const userDisable = setDisabled(true);
export const userEnable = setDisabled(false);
