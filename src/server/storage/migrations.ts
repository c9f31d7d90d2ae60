import type { Database } from 'better-sqlite3';
import { ROOM_NAME_KEY_SQL_FUNCTION, roomNameKey } from './room-name-key';
import { StorageError } from './storage-error';

// Append only: migration N brings `PRAGMA user_version` from N to N + 1. Never edit one
// that has shipped; add another.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE users (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    extra_rules TEXT NOT NULL DEFAULT '[]', -- JSON array of EMQX 5 ACL rules
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
  ) STRICT;

  CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);

  -- Only the SHA-256 of a session id is stored: a copy of the database signs nobody in.
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, user_id) ON DELETE CASCADE
  ) STRICT;
  CREATE INDEX sessions_user ON sessions (org_id, user_id);

  CREATE TABLE rooms (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
  ) STRICT;

  -- AUTOINCREMENT: seq never goes back, even after pruning the newest rows, so a cursor
  -- handed out earlier never points at a different message.
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    id TEXT NOT NULL,
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (org_id, room_id, id)
  ) STRICT;
  CREATE INDEX messages_room_seq ON messages (org_id, room_id, seq);
  CREATE INDEX messages_received ON messages (received_at);
  `,
  // Admin console: the tokens POST /api/token minted (so they can be listed and revoked),
  // and who changed what.
  `
  CREATE TABLE issued_tokens (
    jti TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX issued_tokens_user ON issued_tokens (org_id, user_id);
  CREATE INDEX issued_tokens_expires ON issued_tokens (expires_at);

  -- No foreign keys: the log outlives the users it names.
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL -- JSON object
  ) STRICT;
  CREATE INDEX audit_log_org_seq ON audit_log (org_id, seq);
  `,
  // Each person's notifications, so an inbox is complete on any device: the broker's
  // persistent session only queues for a client id that has connected before.
  `
  CREATE TABLE notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    created_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (org_id, user_id, id)
  ) STRICT;
  CREATE INDEX notifications_user_seq ON notifications (org_id, user_id, seq);
  CREATE INDEX notifications_received ON notifications (received_at);
  `,
  // A counter of changes to who may stay connected (a user changed or gone, a token
  // revoked), whoever made them: the server polls it to close connections the CLI, another
  // process, has taken away (external-changes.ts). Chat and sessions never move it.
  `
  CREATE TABLE access_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
  ) STRICT;
  INSERT INTO access_changes (id, n) VALUES (1, 0);
  CREATE TRIGGER users_updated AFTER UPDATE ON users
    BEGIN UPDATE access_changes SET n = n + 1; END;
  CREATE TRIGGER users_deleted AFTER DELETE ON users
    BEGIN UPDATE access_changes SET n = n + 1; END;
  CREATE TRIGGER revoked_tokens_inserted AFTER INSERT ON revoked_tokens
    BEGIN UPDATE access_changes SET n = n + 1; END;
  `,
  // Users removed or disabled, whoever did it, for the server to catch up with in the broker
  // (external-changes.ts), also what the CLI did while the server was down: reading the
  // whole users table at each change to find them cost up to 300 ms of event loop at
  // 100,000 users. An org's users, deleted by its ON DELETE CASCADE, fire the delete trigger
  // too. created_at is the changed row's: a user created again under the id is another.
  // The server deletes entries once caught up with; it is the log's only reader. `at` comes
  // from julianday, rounded (truncated, half of them came out 1 ms early), not from
  // unixepoch('subsec'): that needs SQLite 3.42, and with an older sqlite3 shell (3.40 in
  // Debian 12) deleting or disabling a user failed on a NULL and was rolled back.
  // connection_notes: the client ids each user's connections used, with when they last
  // connected, so that a catch-up spares a user created again under the id what they did
  // since, even after a restart (users-seen.ts).
  `
  CREATE TABLE user_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('removed', 'disabled')),
    created_at INTEGER NOT NULL,
    at INTEGER NOT NULL -- ms since the epoch, by SQLite's clock
  ) STRICT;
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
    END;
  -- Pruning keeps the notes of users with a removal still logged.
  CREATE INDEX user_changes_user ON user_changes (org_id, user_id);

  CREATE TABLE connection_notes (
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    connected_at INTEGER NOT NULL, -- ms since the epoch, by the server's clock
    PRIMARY KEY (org_id, user_id, client_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX connection_notes_connected ON connection_notes (connected_at);
  `,
  // How far each person has read each room (read-position-store.ts), so unread counts
  // survive reloads and follow them to other devices. A room read nowhere yet counts from
  // read_baselines: the newest message seq when the user was created (this migration: when
  // it ran), so a new user is not handed a room's whole past as unread. Both go with the
  // user (the cascade), so one created again under the id starts afresh.
  // messages_room_seq gains sender, replacing it rather than adding a fourth index to
  // messages: counting others' messages after a position is then an index-only walk, at
  // about the old insert rate (a fourth index cost about 40% of it, measured), and every
  // query that used it (history pages: org, room, seq order) uses this one the same way.
  `
  DROP INDEX messages_room_seq;
  CREATE INDEX messages_room_seq_sender ON messages (org_id, room_id, seq, sender);

  CREATE TABLE read_positions (
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    seq INTEGER NOT NULL, -- messages.seq read up to, that message included
    read_at INTEGER NOT NULL, -- ms since the epoch, by the server's clock
    PRIMARY KEY (org_id, user_id, room_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, user_id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE read_baselines (
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, user_id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;
  -- sqlite_sequence holds the highest messages.seq ever handed out (AUTOINCREMENT), pruned
  -- or not; it has no row for messages before the first one.
  INSERT INTO read_baselines (org_id, user_id, seq)
    SELECT org_id, user_id,
           COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0)
    FROM users;
  CREATE TRIGGER users_inserted_read_baseline AFTER INSERT ON users
    BEGIN
      INSERT OR REPLACE INTO read_baselines (org_id, user_id, seq)
      VALUES (NEW.org_id, NEW.user_id,
              COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0));
    END;
  `,
  // The sign-in session that minted each token (sessions.id_hash, never the id), so revoking
  // a token ends that sign-in too: left alone, the app got a fresh token from it within a
  // second. NULL for tokens minted before this migration. No foreign key: a token record
  // outlives its session by up to the token's lifetime, for the admin's list.
  `
  ALTER TABLE issued_tokens ADD COLUMN session_key TEXT;
  CREATE INDEX issued_tokens_session ON issued_tokens (session_key);
  `,
  // Which notifications each person has read (notification-store.ts), so it is the same on
  // every device: read_at is when (ms, the server's clock), NULL while unread. The partial
  // index holds the unread ones alone, with received_at (and seq, the rowid every index
  // has): counting them, or marking all read up to a seq, is a walk of the unread however
  // many were read. read_at is in it, always NULL, only so that SQLite takes it as covering.
  // Those from before this migration start unread: the app sends the marks its browser
  // kept (saved-inbox.ts).
  `
  ALTER TABLE notifications ADD COLUMN read_at INTEGER;
  CREATE INDEX notifications_unread ON notifications (org_id, user_id, received_at, read_at)
    WHERE read_at IS NULL;
  `,
  // Role changes join the user change log, whoever made them, so that the server gives the
  // user's connections and stored sessions their new rules (`user role` in the CLI;
  // user-change-catch-up.ts). SQLite cannot alter a CHECK: the table is built again, its
  // entries and their seqs kept, and sqlite_sequence carried over (the highest seq ever
  // handed out, maybe above the highest left), or a seq could be handed out twice. The
  // triggers that write the log go first and come back unchanged: renaming the new table
  // to user_changes fails while a trigger names a user_changes that is gone.
  `
  DROP TRIGGER users_deleted_logged;
  DROP TRIGGER users_disabled_logged;
  CREATE TABLE user_changes_new (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('removed', 'disabled', 'role')),
    created_at INTEGER NOT NULL,
    at INTEGER NOT NULL -- ms since the epoch, by SQLite's clock
  ) STRICT;
  INSERT INTO user_changes_new (seq, org_id, user_id, kind, created_at, at)
    SELECT seq, org_id, user_id, kind, created_at, at FROM user_changes;
  DELETE FROM sqlite_sequence WHERE name = 'user_changes_new';
  INSERT INTO sqlite_sequence (name, seq)
    SELECT 'user_changes_new', seq FROM sqlite_sequence WHERE name = 'user_changes';
  DROP TABLE user_changes;
  ALTER TABLE user_changes_new RENAME TO user_changes;
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
    END;
  CREATE TRIGGER users_role_logged AFTER UPDATE OF role ON users
    WHEN OLD.role <> NEW.role
    BEGIN
      INSERT INTO user_changes (org_id, user_id, kind, created_at, at)
      VALUES (NEW.org_id, NEW.user_id, 'role', NEW.created_at,
              CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER));
    END;
  `,
  // Each agent's command log (agent-command-store.ts): the commands the broker routed to
  // `agents/<agent>/inbox` and the replies it routed on `agents/<agent>/replies`, so the log
  // survives a reload and is the same for every dashboard that may read the agent's replies.
  // The last MAX_LOGGED_COMMANDS_PER_AGENT per org and agent are kept (the oldest go as one
  // is written), none past the history's retention (the hourly prune). A reply is kept only
  // for a command kept, and goes with it (the cascade). No foreign key to users: the sender
  // or the agent may be removed since (the broker logs commands only to agents it knows).
  // A command's args are never kept (they may hold a secret only the agent may read), only
  // a digest of them, to tell a resend of the command from another one under its id.
  // When the agent goes offline after accepting a command and before finishing it, the
  // broker marks the command (agent_left_at), so a dashboard opened after the agent is back
  // still tells it went offline before finishing. `awaiting_result` mirrors the replies kept
  // (an accepted, and no done or failed), so that the mark, at every offline state of the
  // agent, walks only the commands it marks (the partial index), not the agent's whole log.
  `
  CREATE TABLE agent_commands (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    id TEXT NOT NULL,
    sender TEXT NOT NULL,
    command TEXT NOT NULL,
    args_digest TEXT, -- hex SHA-256 (agent-command-store.ts); NULL when there were none
    received_at INTEGER NOT NULL, -- ms since the epoch, by the server's clock
    awaiting_result INTEGER NOT NULL DEFAULT 0, -- 1: its replies hold an accepted, no result
    agent_left_at INTEGER, -- ms since the epoch, by the server's clock; the first time only
    UNIQUE (org_id, agent_id, id)
  ) STRICT;
  CREATE INDEX agent_commands_agent_seq ON agent_commands (org_id, agent_id, seq);
  CREATE INDEX agent_commands_received ON agent_commands (received_at);
  CREATE INDEX agent_commands_unfinished ON agent_commands (org_id, agent_id)
    WHERE awaiting_result = 1 AND agent_left_at IS NULL;

  CREATE TABLE agent_replies (
    seq INTEGER PRIMARY KEY,
    command_seq INTEGER NOT NULL REFERENCES agent_commands (seq) ON DELETE CASCADE,
    status TEXT NOT NULL,
    detail TEXT,
    received_at INTEGER NOT NULL -- ms since the epoch, by the server's clock
  ) STRICT;
  CREATE INDEX agent_replies_command ON agent_replies (command_seq, seq);
  `,
  // Each room's name as compared for uniqueness (room-name-key.ts), under a unique index: a
  // new room's name is looked up, not compared in JS with every name of the org. SQLite has
  // no NFKC, so the key comes from the function migrate() lends this connection. Rooms made
  // before names were compared may share a key: the first made keeps it (new names are
  // still refused against it), each later one gets one of its own, by its id (a NUL cannot
  // be in a name, so no name has that key).
  `
  ALTER TABLE rooms ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
  UPDATE rooms SET name_key = ${ROOM_NAME_KEY_SQL_FUNCTION}(name);
  UPDATE rooms SET name_key = name_key || char(0) || id
    WHERE EXISTS (
      SELECT 1 FROM rooms AS earlier
      WHERE earlier.org_id = rooms.org_id AND earlier.name_key = rooms.name_key
        AND (earlier.created_at, earlier.id) < (rooms.created_at, rooms.id)
    );
  CREATE UNIQUE INDEX rooms_name_key ON rooms (org_id, name_key);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database): void {
  // The version is read in the write transaction that applies the migrations: a server and
  // the CLI opening one data dir at once would otherwise both read the old version and both
  // apply the same migrations. BEGIN IMMEDIATE takes the write lock before the read, so the
  // second waits (busy_timeout) and then finds the schema current.
  db.function(ROOM_NAME_KEY_SQL_FUNCTION, { deterministic: true }, (name) =>
    roomNameKey(String(name)),
  );
  const upgrade = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new StorageError(
        'schema_too_new',
        `the database is at schema version ${current} but this server knows only up to ${SCHEMA_VERSION}: upgrade Switchboard`,
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }
  });
  upgrade.immediate();
}
