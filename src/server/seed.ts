import type { Role } from '../shared/acl';
import { formatUsername } from '../shared/ids';
import { checkNewPassword, generatePassword, hashPassword } from './auth/password';
import { ConfigError } from './config';
import type { Storage } from './storage';

export interface DemoLogin {
  username: string;
  role: Role;
  password: string;
}

export interface SeedResult {
  created: boolean;
  logins: DemoLogin[];
}

export interface SeedOptions {
  /** One password for every demo user (DEMO_PASSWORD), or null to generate one each. */
  password: string | null;
  /** How many simulated agents (agent-01 …); DEMO_AGENTS. */
  agents?: number;
}

export const DEMO_ORG = 'demo';
export const DEMO_ROOMS = ['general', 'random', 'ops'] as const;
const DEFAULT_DEMO_AGENTS = 5;

function demoUsers(agents: number): { user: string; role: Role }[] {
  return [
    { user: 'admin', role: 'admin' },
    { user: 'alice', role: 'member' },
    { user: 'bob', role: 'member' },
    { user: 'notifier', role: 'service' },
    ...Array.from({ length: agents }, (_, i) => ({
      user: `agent-${String(i + 1).padStart(2, '0')}`,
      role: 'agent' as const,
    })),
  ];
}

/**
 * First start on an empty data directory: an org to try everything with. Does nothing
 * once any org exists, so restarting never resets passwords or recreates deleted users.
 */
export async function seedDemo(storage: Storage, options: SeedOptions): Promise<SeedResult> {
  if (storage.users.listOrgs().length > 0) return { created: false, logins: [] };

  // Checked only here, where it is used: a data dir seeded long ago starts whatever it says.
  const problem = options.password === null ? null : checkNewPassword(options.password);
  if (problem) throw new ConfigError('DEMO_PASSWORD', problem);
  const users = demoUsers(options.agents ?? DEFAULT_DEMO_AGENTS);
  // Hash everything before writing anything, so a failure leaves the database empty and
  // the next start seeds again instead of skipping a half-made org.
  const prepared = await Promise.all(
    users.map(async ({ user, role }) => {
      const password = options.password ?? generatePassword();
      return { user, role, password, passwordHash: await hashPassword(password) };
    }),
  );

  storage.transaction(() => {
    storage.users.addOrg(DEMO_ORG);
    for (const { user, role, passwordHash } of prepared) {
      storage.users.addUser({ org: DEMO_ORG, user, role, passwordHash });
    }
    for (const room of DEMO_ROOMS) storage.rooms.add(DEMO_ORG, room);
  });

  return {
    created: true,
    logins: prepared.map(({ user, role, password }) => ({
      username: formatUsername(user, DEMO_ORG),
      role,
      password,
    })),
  };
}

/** Lines for the start-up banner: one login per line, aligned. */
export function formatDemoLogins(logins: DemoLogin[]): string[] {
  const width = Math.max(0, ...logins.map((l) => l.username.length));
  return logins.map((l) => `  ${l.username.padEnd(width)}  ${l.password}  (${l.role})`);
}
