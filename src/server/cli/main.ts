import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config';
import { DATABASE_FILE, isStorageError, openStorage, type Storage } from '../storage';
import { errorLine, EXIT_REFUSED } from './cli-error';
import { cliActor } from './cli-actor';
import { runCli } from './run-cli';

// `npm run cli -- …`: the admin CLI against the data directory in DATA_DIR. It can run
// next to a live server (SQLite in WAL mode with a busy timeout serialises the writes).
async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(errorLine('invalid_config', err.message));
      return EXIT_REFUSED;
    }
    throw err;
  }
  const { dataDir } = config;
  const args = process.argv.slice(2);
  // A mistyped DATA_DIR would otherwise get a new, empty database and list no users.
  const [group, action] = args.filter((arg) => !arg.startsWith('-'));
  const creates = group === undefined || group === 'help' || (group === 'org' && action === 'add');
  if (!creates && !existsSync(path.join(dataDir, DATABASE_FILE))) {
    console.error(
      errorLine(
        'no_data',
        `no Switchboard data in "${dataDir}" (DATA_DIR): start the server there once, or create an org with \`org add <org>\``,
      ),
    );
    return EXIT_REFUSED;
  }
  let storage: Storage;
  try {
    storage = openStorage(dataDir);
  } catch (err) {
    // A database of a newer version (schema_too_new): this CLI must not write to it.
    if (isStorageError(err)) {
      console.error(errorLine(err.code, err.message));
      return EXIT_REFUSED;
    }
    throw err;
  }
  try {
    return await runCli(args, {
      storage,
      actor: cliActor(),
      maxRoomsPerOrg: config.maxRoomsPerOrg,
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } finally {
    storage.close();
  }
}

process.exitCode = await main();
