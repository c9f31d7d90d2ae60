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
  // The log as the fifth migration made it, its role entries gone (no kind of theirs there).
  9: `DROP TRIGGER users_role_logged;
      DROP TRIGGER users_deleted_logged;
      DROP TRIGGER users_disabled_logged;
      CREATE TABLE user_changes_old (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('removed', 'disabled')),
        created_at INTEGER NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      INSERT INTO user_changes_old (seq, org_id, user_id, kind, created_at, at)
        SELECT seq, org_id, user_id, kind, created_at, at FROM user_changes
        WHERE kind IN ('removed', 'disabled');
      DELETE FROM sqlite_sequence WHERE name = 'user_changes_old';
      INSERT INTO sqlite_sequence (name, seq)
        SELECT 'user_changes_old', seq FROM sqlite_sequence WHERE name = 'user_changes';
      DROP TABLE user_changes;
      ALTER TABLE user_changes_old RENAME TO user_changes;
      CREATE INDEX user_changes_user ON user_changes (org_id, user_id);
      CREATE TRIGGER users_deleted_logged AFTER DELETE ON users
        BEGIN
          INSERT INTO user_changes (org_id, user_id, kind, created_at, at)
          VALUES (OLD.org_id, OLD.user_id, 'removed', OLD.created_at,
                  CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
        END;
      CREATE TRIGGER users_disabled_logged AFTER UPDATE OF disabled ON users
        WHEN OLD.disabled = 0 AND NEW.disabled = 1
        BEGIN
          INSERT INTO user_changes (org_id, user_id, kind, created_at, at)
          VALUES (NEW.org_id, NEW.user_id, 'disabled', NEW.created_at,
                  CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
        END;`,
  10: `DROP TABLE agent_replies;
      DROP TABLE agent_commands;
      DELETE FROM sqlite_sequence WHERE name = 'agent_commands';`,
  11: `DROP INDEX rooms_name_key;
      ALTER TABLE rooms DROP COLUMN name_key;`,
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
