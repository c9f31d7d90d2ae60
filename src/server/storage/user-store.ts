import type { Database } from 'better-sqlite3';
import { isRole, validateNewAclRule, type AclRule, type Role } from '../../shared/acl';
import { StorageError } from './storage-error';
import { assertId } from './validate';

export interface UserRecord {
  org: string;
  user: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
}

export interface NewUser {
  org: string;
  user: string;
  role: Role;
  passwordHash: string;
}

/** Orgs and their users (people, services, agents, devices) with role and extra ACL rules. */
export interface UserStore {
  /** @throws StorageError invalid_id | exists */
  addOrg(org: string): void;
  hasOrg(org: string): boolean;
  listOrgs(): string[];
  /** @throws StorageError invalid_id | invalid_role | unknown_org | exists */
  addUser(user: NewUser): UserRecord;
  getUser(org: string, user: string): UserRecord | undefined;
  /** Sorted by user id. @throws StorageError unknown_org */
  listUsers(org: string): UserRecord[];
  /**
   * listUsers, each with their extra rules, in one query: for answers about many users'
   * rules at once (extraRules for each was a query per user). @throws StorageError unknown_org
   */
  listUsersWithRules(org: string): (UserRecord & { extraRules: AclRule[] })[];
  /** Also ends the user's sign-in sessions. False when there was no such user. */
  removeUser(org: string, user: string): boolean;
  /** @throws StorageError not_found */
  setPassword(org: string, user: string, passwordHash: string): void;
  /** @throws StorageError invalid_role | not_found */
  setRole(org: string, user: string, role: Role): void;
  /** @throws StorageError not_found */
  setDisabled(org: string, user: string, disabled: boolean): void;
  /** The org's admins who are enabled, but `except`; 0 for an org there is not. */
  countEnabledAdmins(org: string, except?: string): number;
  /** Rules added to the role's template for this user. @throws StorageError not_found */
  extraRules(org: string, user: string): AclRule[];
  /** Replaces the user's extra rules. @throws StorageError invalid_rule | not_found */
  setExtraRules(org: string, user: string, rules: unknown[]): void;
}

interface UserRow {
  org_id: string;
  user_id: string;
  role: string;
  password_hash: string;
  disabled: number;
  created_at: number;
}

const USER_COLUMNS = 'org_id, user_id, role, password_hash, disabled, created_at';

function toRecord(row: UserRow): UserRecord {
  return {
    org: row.org_id,
    user: row.user_id,
    // Only isRole-checked values are ever written, so the cast restates the invariant.
    role: row.role as Role,
    passwordHash: row.password_hash,
    disabled: row.disabled !== 0,
    createdAt: row.created_at,
  };
}

function assertRole(role: unknown): asserts role is Role {
  if (!isRole(role)) {
    throw new StorageError('invalid_role', `invalid role "${String(role)}"`);
  }
}

export function createUserStore(db: Database, now: () => number): UserStore {
  const insertOrg = db.prepare('INSERT INTO orgs (id, created_at) VALUES (?, ?)');
  const selectOrg = db.prepare<[string], { id: string }>('SELECT id FROM orgs WHERE id = ?');
  const selectOrgs = db.prepare<[], { id: string }>('SELECT id FROM orgs ORDER BY id');
  const insertUser = db.prepare(
    `INSERT INTO users (org_id, user_id, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const selectUser = db.prepare<[string, string], UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE org_id = ? AND user_id = ?`,
  );
  const selectUsers = db.prepare<[string], UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE org_id = ? ORDER BY user_id`,
  );
  const selectUsersWithRules = db.prepare<[string], UserRow & { extra_rules: string }>(
    `SELECT ${USER_COLUMNS}, extra_rules FROM users WHERE org_id = ? ORDER BY user_id`,
  );
  const deleteUser = db.prepare('DELETE FROM users WHERE org_id = ? AND user_id = ?');
  const updatePassword = db.prepare(
    'UPDATE users SET password_hash = ? WHERE org_id = ? AND user_id = ?',
  );
  const updateRole = db.prepare('UPDATE users SET role = ? WHERE org_id = ? AND user_id = ?');
  const updateDisabled = db.prepare(
    'UPDATE users SET disabled = ? WHERE org_id = ? AND user_id = ?',
  );
  // `IS NOT NULL` without `except`: every user counts.
  const countAdmins = db.prepare<[string, string | null], { n: number }>(
    `SELECT COUNT(*) AS n FROM users
     WHERE org_id = ? AND role = 'admin' AND disabled = 0 AND user_id IS NOT ?`,
  );
  const selectRules = db.prepare<[string, string], { extra_rules: string }>(
    'SELECT extra_rules FROM users WHERE org_id = ? AND user_id = ?',
  );
  const updateRules = db.prepare(
    'UPDATE users SET extra_rules = ? WHERE org_id = ? AND user_id = ?',
  );

  const hasOrg = (org: string): boolean => selectOrg.get(org) !== undefined;

  function mustChange(changes: number, org: string, user: string): void {
    if (changes === 0) throw new StorageError('not_found', `no user ${user}@${org}`);
  }

  return {
    addOrg(org) {
      assertId('org', org);
      if (hasOrg(org)) throw new StorageError('exists', `org "${org}" already exists`);
      insertOrg.run(org, now());
    },
    hasOrg,
    listOrgs: () => selectOrgs.all().map((row) => row.id),

    addUser({ org, user, role, passwordHash }) {
      assertId('org', org);
      assertId('user', user);
      assertRole(role);
      if (!hasOrg(org)) throw new StorageError('unknown_org', `no org "${org}"`);
      if (selectUser.get(org, user)) {
        throw new StorageError('exists', `user ${user}@${org} already exists`);
      }
      const createdAt = now();
      insertUser.run(org, user, role, passwordHash, createdAt);
      return { org, user, role, passwordHash, disabled: false, createdAt };
    },
    getUser(org, user) {
      const row = selectUser.get(org, user);
      return row && toRecord(row);
    },
    listUsers(org) {
      if (!hasOrg(org)) throw new StorageError('unknown_org', `no org "${org}"`);
      return selectUsers.all(org).map(toRecord);
    },
    listUsersWithRules(org) {
      if (!hasOrg(org)) throw new StorageError('unknown_org', `no org "${org}"`);
      return selectUsersWithRules.all(org).map((row) => ({
        ...toRecord(row),
        extraRules: JSON.parse(row.extra_rules) as AclRule[],
      }));
    },
    removeUser: (org, user) => deleteUser.run(org, user).changes > 0,
    setPassword(org, user, passwordHash) {
      mustChange(updatePassword.run(passwordHash, org, user).changes, org, user);
    },
    setRole(org, user, role) {
      assertRole(role);
      mustChange(updateRole.run(role, org, user).changes, org, user);
    },
    setDisabled(org, user, disabled) {
      mustChange(updateDisabled.run(disabled ? 1 : 0, org, user).changes, org, user);
    },
    countEnabledAdmins: (org, except) => countAdmins.get(org, except ?? null)?.n ?? 0,
    extraRules(org, user) {
      const row = selectRules.get(org, user);
      if (!row) throw new StorageError('not_found', `no user ${user}@${org}`);
      return JSON.parse(row.extra_rules) as AclRule[];
    },
    setExtraRules(org, user, rules) {
      if (!Array.isArray(rules)) {
        throw new StorageError('invalid_rule', 'extra rules must be an array of ACL rules');
      }
      const valid = rules.map((rule, i) => {
        const result = validateNewAclRule(rule);
        if (!result.ok) throw new StorageError('invalid_rule', `rule ${i}: ${result.error}`);
        // Stored with exactly the known fields, whatever else the caller passed.
        const { permission, action, topic } = result.rule;
        return { permission, action, topic };
      });
      mustChange(updateRules.run(JSON.stringify(valid), org, user).changes, org, user);
    },
  };
}
