import { formatUsername } from '../../shared/ids';
import { isRole, ROLES } from '../../shared/acl';
import { checkNewPassword, generatePassword, hashPassword } from '../auth/password';
import type { Storage, UserRecord } from '../storage';
import { noMoreArguments, requireUsername, type Command } from './cli-context';
import { CliError } from './cli-error';

/** The given password after checking it, or a generated one to print. */
function choosePassword(given: string | undefined): { password: string; generated: boolean } {
  if (given === undefined) return { password: generatePassword(), generated: true };
  const problem = checkNewPassword(given);
  if (problem) throw new CliError(problem);
  return { password: given, generated: false };
}

export const userAdd: Command = async ({ positionals: [name, ...extra], role, password }, deps) => {
  noMoreArguments(extra);
  const { user, org } = requireUsername(name);
  if (role === undefined) throw new CliError(`missing --role (${ROLES.join(', ')})`);
  if (!isRole(role)) throw new CliError(`unknown role "${role}": use ${ROLES.join(', ')}`);
  const chosen = choosePassword(password);
  deps.storage.users.addUser({
    org,
    user,
    role,
    passwordHash: await hashPassword(chosen.password),
  });
  deps.out(`created ${formatUsername(user, org)} (${role})`);
  if (chosen.generated) deps.out(`password: ${chosen.password}`);
};

function formatTable(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col]?.length ?? 0)));
  return rows.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths?.[col] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

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

export const userRemove: Command = ({ positionals: [name, ...extra] }, { storage, out }) => {
  noMoreArguments(extra);
  const { user, org } = requireUsername(name);
  if (!storage.users.removeUser(org, user)) {
    throw new CliError(`no user ${formatUsername(user, org)}`);
  }
  storage.notifications.forgetUser(org, user);
  out(`removed ${formatUsername(user, org)}`);
};

export const userPasswd: Command = async ({ positionals: [name, ...extra], password }, deps) => {
  noMoreArguments(extra);
  const { user, org } = requireUsername(name);
  if (!deps.storage.users.getUser(org, user)) {
    throw new CliError(`no user ${formatUsername(user, org)}`);
  }
  const chosen = choosePassword(password);
  deps.storage.users.setPassword(org, user, await hashPassword(chosen.password));
  // A password change is often a response to a leak: end every sign-in session, and
  // refuse the broker tokens minted for the old one (the broker checks at each CONNECT).
  // A running server closes what those tokens and the old password hold within a second
  // (external-changes.ts).
  const signedOut = deps.storage.sessions.deleteForUser(org, user);
  const revoked = revokeLiveTokens(deps.storage, org, user);
  deps.out(
    `changed the password of ${formatUsername(user, org)}; ended ${signedOut} session(s), revoked ${revoked} token(s)`,
  );
  if (chosen.generated) deps.out(`password: ${chosen.password}`);
};

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
  return ({ positionals: [name, ...extra] }, { storage, out }) => {
    noMoreArguments(extra);
    const { user, org } = requireUsername(name);
    if (!storage.users.getUser(org, user)) {
      throw new CliError(`no user ${formatUsername(user, org)}`);
    }
    storage.users.setDisabled(org, user, disabled);
    if (disabled) storage.sessions.deleteForUser(org, user);
    out(`${disabled ? 'disabled' : 'enabled'} ${formatUsername(user, org)}`);
  };
}

export const userDisable = setDisabled(true);
export const userEnable = setDisabled(false);
