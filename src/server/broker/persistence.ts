import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Level } from 'level';

// aedes 1.x needs an async persistence; aedes-persistence-level's default export is the
// callback wrapper for aedes 0.x, its async class is this file.
const require = createRequire(import.meta.url);
const AsyncLevelPersistence = require('aedes-persistence-level/asyncPersistence.js') as new (
  db: Level<string, unknown>,
) => BrokerPersistence;

export interface BrokerPersistence {
  destroy(): Promise<void>;
}

/** Retained messages, sessions, subscriptions, offline queues and wills, on disk. */
export function openBrokerPersistence(dataDir: string): BrokerPersistence {
  const dir = path.join(dataDir, 'broker');
  mkdirSync(dir, { recursive: true });
  return new AsyncLevelPersistence(new Level(dir));
}
