import { ConfigError, loadConfig } from '../config';
import { openStorage } from '../storage';
import { runCli } from './run-cli';

// `npm run cli -- …`: the admin CLI against the data directory in DATA_DIR. It can run
// next to a live server (SQLite in WAL mode with a busy timeout serialises the writes).
async function main(): Promise<number> {
  let dataDir: string;
  try {
    dataDir = loadConfig().dataDir;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const storage = openStorage(dataDir);
  try {
    return await runCli(process.argv.slice(2), {
      storage,
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } finally {
    storage.close();
  }
}

process.exitCode = await main();
