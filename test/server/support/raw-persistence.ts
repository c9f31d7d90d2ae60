import { createRequire } from 'node:module';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Level } from 'level';

/** aedes-persistence-level as aedes itself drives it, without Switchboard's layer on top. */
export interface RawPersistence {
  addSubscriptions(client: { id: string }, subs: { topic: string; qos: number }[]): Promise<void>;
  putWill(client: { id: string }, packet: object): Promise<void>;
}

/**
 * Writes to a data dir's broker store as an older Switchboard, or a broker that crashed,
 * left it (as broker `brokerId`); the server must not be running on it.
 */
export async function writeBrokerStore(
  dataDir: string,
  brokerId: string,
  write: (persistence: RawPersistence) => Promise<void>,
): Promise<void> {
  const dir = path.join(dataDir, 'broker');
  await mkdir(dir, { recursive: true });
  const AsyncLevelPersistence = createRequire(import.meta.url)(
    'aedes-persistence-level/asyncPersistence.js',
  ) as new (db: Level<string, unknown>) => RawPersistence & {
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  };
  const persistence = new AsyncLevelPersistence(new Level<string, unknown>(dir));
  await persistence.setup({ id: brokerId, emit: () => {} });
  try {
    await write(persistence);
  } finally {
    await persistence.destroy();
  }
}
