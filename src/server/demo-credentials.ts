import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DemoLogin } from './seed';

// The simulated agents and the notifier connect like any device would, with permanent
// passwords. Only hashes are in the database, so the seed keeps the demo fleet's own
// passwords here (readable by the server's user only) for the next start.
const FILE = 'demo-credentials.json';
// Every demo login, until `npm start` has printed them once: a first start that fails
// after seeding (a port in use) would otherwise lose the people's passwords for good.
const UNSHOWN_FILE = 'demo-logins-unshown.json';

export function saveDemoCredentials(dataDir: string, logins: DemoLogin[]): void {
  const fleet = logins.filter((login) => login.role === 'agent' || login.role === 'service');
  writeFileSync(demoCredentialsFile(dataDir), JSON.stringify(fleet, null, 2), { mode: 0o600 });
  writeFileSync(path.join(dataDir, UNSHOWN_FILE), JSON.stringify(logins, null, 2), {
    mode: 0o600,
  });
}

export function loadDemoCredentials(dataDir: string): DemoLogin[] {
  return readLogins(demoCredentialsFile(dataDir));
}

/** Where the demo fleet's passwords are kept (named to an operator who must fix one). */
export function demoCredentialsFile(dataDir: string): string {
  return path.join(dataDir, FILE);
}

/** The demo logins not printed yet (empty once they were), and forgets them. */
export function takeUnshownDemoLogins(dataDir: string): DemoLogin[] {
  const file = path.join(dataDir, UNSHOWN_FILE);
  const logins = readLogins(file);
  rmSync(file, { force: true });
  return logins;
}

function readLogins(file: string): DemoLogin[] {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoLogin[];
  } catch {
    return []; // no demo fleet in this data dir
  }
}
