import { chmodSync, mkdirSync, statSync } from 'node:fs';
import type { Logger } from 'pino';

const PRIVATE_MODE = 0o700;

/**
 * Creates the data dir for the server's user only, and makes one that already exists so:
 * it holds password hashes, chat history and notifications, and SQLite and LevelDB create
 * their files by the umask (0644 under the usual 022), so a dir others may enter leaves
 * them readable to every local user. Where the mode cannot be changed (a dir of another
 * owner, a file system without modes) it says so and goes on.
 */
export function makeDataDirPrivate(dataDir: string, logger: Logger): void {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_MODE });
  if (process.platform === 'win32') return; // modes mean nothing there
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    chmodSync(dataDir, PRIVATE_MODE);
    logger.warn(
      { event: 'data_dir_made_private', dataDir, was: mode.toString(8) },
      'the data dir was open to other users: now only this user may enter it',
    );
  } catch (error) {
    logger.warn(
      { event: 'data_dir_not_private', dataDir, mode: mode.toString(8), err: error },
      'the data dir is open to other users and could not be made private: its files (password hashes, history) may be readable by them',
    );
  }
}
