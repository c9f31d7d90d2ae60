import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createAgentCommandStore, type AgentCommandStore } from './agent-command-store';
import { createAuditStore, type AuditStore } from './audit-store';
import { createConnectionNotes, type ConnectionNotes } from './connection-notes';
import { createNotificationStore, type NotificationStore } from './notification-store';
import { createReadPositionStore, type ReadPositionStore } from './read-position-store';
import { createHistoryStore, type HistoryStore } from './history-store';
import { createIssuedTokenStore, type IssuedTokenStore } from './issued-token-store';
import { migrate } from './migrations';
import { createRevokedTokenStore, type RevokedTokenStore } from './revoked-token-store';
import { createRoomStore, type RoomStore } from './room-store';
import { createSessionStore, type SessionStore } from './session-store';
import { createUserChangeLog, type UserChangeLog } from './user-change-log';
import { createUserStore, type UserStore } from './user-store';

export interface Storage {
  users: UserStore;
  tokens: RevokedTokenStore;
  sessions: SessionStore;
  rooms: RoomStore;
  history: HistoryStore;
  notifications: NotificationStore;
  /** Each agent's recent commands and their replies, as the broker routed them. */
  agentCommands: AgentCommandStore;
  /** How far each person has read each room: their unread counts. */
  readPositions: ReadPositionStore;
  issuedTokens: IssuedTokenStore;
  audit: AuditStore;
  /** Users removed, disabled or given another role, still to be caught up with in the broker. */
  userChanges: UserChangeLog;
  /** The client ids each user's connections used, for the change log's catch-ups. */
  connectionNotes: ConnectionNotes;
  /**
   * Runs `work` in one transaction: all of it is written, or none of it. It takes the write
   * lock first (BEGIN IMMEDIATE, waiting up to BUSY_TIMEOUT_MS): what `work` reads before it
   * writes would otherwise be refused ("database is locked") as soon as another process (the
   * server, next to the CLI) had committed since.
   */
  transaction(work: () => void): void;
  /** The database file, for a second connection (the server's WAL checkpointer). */
  readonly file: string;
  /**
   * The length of write-ahead log (pages) at which a commit checkpoints it, after
   * setting it when `pages` is given; 0 is never. SQLite's default is
   * DEFAULT_AUTO_CHECKPOINT_PAGES; the server raises it while a worker checkpoints
   * (wal-checkpointer.ts).
   */
  autoCheckpoint(pages?: number): number;
  /**
   * Moves whenever a user is changed or removed or a token revoked, by this process or
   * another (the CLI): migrations.ts, access_changes.
   */
  accessVersion(): number;
  close(): void;
}

export interface StorageOptions {
  /** Clock in ms since the epoch; tests move it to expire sessions. */
  now?: () => number;
}

export const DATABASE_FILE = 'switchboard.db';
// Another process (the CLI next to a running server) may hold the write lock briefly.
export const BUSY_TIMEOUT_MS = 5_000;
/** SQLite's default: a commit that leaves the log this long (pages) checkpoints it. */
export const DEFAULT_AUTO_CHECKPOINT_PAGES = 1_000;

/** Opens (creating if needed) `<dataDir>/switchboard.db` and brings its schema up to date. */
export function openStorage(dataDir: string, options: StorageOptions = {}): Storage {
  const now = options.now ?? Date.now;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // password hashes: the user's only
  const file = join(dataDir, DATABASE_FILE);
  const db = new Database(file);
  try {
    // WAL: the HTTP API reads while the broker records history, without blocking it.
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only power loss can drop the
    // last transactions, and those are chat lines the broker has already delivered.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  const selectAccessVersion = db.prepare<[], { n: number }>(
    'SELECT n FROM access_changes WHERE id = 1',
  );
  return {
    users: createUserStore(db, now),
    tokens: createRevokedTokenStore(db),
    sessions: createSessionStore(db, now),
    rooms: createRoomStore(db, now),
    history: createHistoryStore(db, now),
    notifications: createNotificationStore(db, now),
    agentCommands: createAgentCommandStore(db, now),
    readPositions: createReadPositionStore(db, now),
    issuedTokens: createIssuedTokenStore(db),
    audit: createAuditStore(db, now),
    userChanges: createUserChangeLog(db),
    connectionNotes: createConnectionNotes(db),
    transaction: (work) => db.transaction(work).immediate(),
    file,
    autoCheckpoint: (pages) => {
      if (pages !== undefined) db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.trunc(pages))}`);
      return db.pragma('wal_autocheckpoint', { simple: true }) as number;
    },
    accessVersion: () => selectAccessVersion.get()!.n,
    close: () => db.close(),
  };
}

export { StorageError, isStorageError, type StorageErrorCode } from './storage-error';
export type { UserRecord, NewUser, UserStore } from './user-store';
export type { UserChange, UserChangeKind, UserChangeLog } from './user-change-log';
export type { ConnectionNotes } from './connection-notes';
export type { RevokedTokenStore } from './revoked-token-store';
export type { SessionRecord, SessionStore } from './session-store';
export type { Room, RoomStore } from './room-store';
export type { HistoryPage, HistoryStore } from './history-store';
export type { NotificationStore } from './notification-store';
export type { AgentCommandStore } from './agent-command-store';
export type { ReadPositionStore } from './read-position-store';
export type { IssuedToken, IssuedTokenStore } from './issued-token-store';
export type { AuditDetail, AuditEntry, AuditPage, AuditStore } from './audit-store';
