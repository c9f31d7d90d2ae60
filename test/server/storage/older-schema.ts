import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../../src/server/storage';
import { SCHEMA_VERSION } from '../../../src/server/storage/migrations';

// What undoes each migration from the sixth on (migrations.ts), by the version it brings the
// schema to. A test opens a database "of an older version" by undoing every migration after
// that version, so a new migration adds its undo here and no test has to know of it.
const UNDO: Readonly<Record<number, string>> = {
  6: `DROP TRIGGER users_inserted_read_baseline;
      DROP TABLE read_positions; DROP TABLE read_baselines;
      DROP INDEX messages_room_seq_sender;
      CREATE INDEX messages_room_seq ON messages (org_id, room_id, seq);`,
  7: `DROP INDEX issued_tokens_session;
      ALTER TABLE issued_tokens DROP COLUMN session_key;`,
  8: `DROP INDEX notifications_unread;
      ALTER TABLE notifications DROP COLUMN read_at;`,
};

/** Takes the (closed) database in `dir` back to schema `version`, its data kept. */
export function downgradeSchema(dir: string, version: number): void {
  const db = new Database(join(dir, DATABASE_FILE));
  try {
    db.transaction(() => {
      for (let to = SCHEMA_VERSION; to > version; to--) {
        const undo = UNDO[to];
        if (undo === undefined) throw new Error(`older-schema.ts cannot undo migration ${to}`);
        db.exec(undo);
      }
      db.pragma(`user_version = ${version}`);
    })();
  } finally {
    db.close();
  }
}
