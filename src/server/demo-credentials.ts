import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DemoLogin } from './seed';

// The simulated agents and the notifier connect like any device would, with permanent
// passwords. Only hashes are in the database, so the seed keeps the demo fleet's own
// passwords here (readable by the server's user only) for the next start.
const FILE = 'demo-credentials.json';

export function saveDemoCredentials(dataDir: string, logins: DemoLogin[]): void {
  const fleet = logins.filter((login) => login.role === 'agent' || login.role === 'service');
  writeFileSync(path.join(dataDir, FILE), JSON.stringify(fleet, null, 2), { mode: 0o600 });
}

export function loadDemoCredentials(dataDir: string): DemoLogin[] {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, FILE), 'utf8')) as DemoLogin[];
  } catch {
    return []; // no demo fleet in this data dir
  }
}
