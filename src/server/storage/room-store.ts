import type { Database } from 'better-sqlite3';
import { hasLoneSurrogate } from '../../shared/lone-surrogate';
import { hasVisibleText } from '../../shared/visible-text';
import { roomNameKey } from './room-name-key';
import { StorageError } from './storage-error';
import { assertId } from './validate';

export interface Room {
  id: string;
  name: string;
}

export interface RoomStore {
  /** Sorted by id. */
  list(org: string): Room[];
  has(org: string, id: string): boolean;
  get(org: string, id: string): Room | undefined;
  count(org: string): number;
  /**
   * `name` defaults to the id; `maxRooms`: the org may have no more (MAX_ROOMS_PER_ORG).
   * @throws StorageError invalid_id | room_limit_reached | invalid_name | unknown_org |
   * exists | name_taken (another room of the org is called that, in any case)
   */
  add(org: string, id: string, name?: string, limits?: { maxRooms?: number }): Room;
}

const MAX_ROOM_NAME_CHARS = 100;
// Control characters (a NUL, a line break, U+2028/2029) and the direction overrides and
// isolates: one U+202E turned the rest of its sidebar label around, which invites spoofing.
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

export function createRoomStore(db: Database, now: () => number): RoomStore {
  const selectAll = db.prepare<[string], Room>(
    'SELECT id, name FROM rooms WHERE org_id = ? ORDER BY id',
  );
  const selectOne = db.prepare<[string, string], { one: number }>(
    'SELECT 1 AS one FROM rooms WHERE org_id = ? AND id = ?',
  );
  const selectRoom = db.prepare<[string, string], Room>(
    'SELECT id, name FROM rooms WHERE org_id = ? AND id = ?',
  );
  const selectNameKey = db.prepare<[string, string], { one: number }>(
    'SELECT 1 AS one FROM rooms WHERE org_id = ? AND name_key = ?',
  );
  const selectCount = db.prepare<[string], { n: number }>(
    'SELECT COUNT(*) AS n FROM rooms WHERE org_id = ?',
  );
  const selectOrg = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM orgs WHERE id = ?');
  const insert = db.prepare(
    'INSERT INTO rooms (org_id, id, name, name_key, created_at) VALUES (?, ?, ?, ?, ?)',
  );

  const has = (org: string, id: string): boolean => selectOne.get(org, id) !== undefined;
  const count = (org: string): number => selectCount.get(org)?.n ?? 0;

  return {
    list: (org) => selectAll.all(org),
    has,
    get: (org, id) => selectRoom.get(org, id),
    count,
    add(org, id, name = id, { maxRooms = Infinity } = {}) {
      assertId('room', id);
      // An id taken is still answered as such (exists, below): open it from the list.
      if (count(org) >= maxRooms && !has(org, id)) {
        throw new StorageError(
          'room_limit_reached',
          `the org has ${maxRooms} rooms, the most it may have (MAX_ROOMS_PER_ORG)`,
        );
      }
      const trimmed = name.trim();
      if (trimmed === '' || trimmed.length > MAX_ROOM_NAME_CHARS) {
        throw new StorageError(
          'invalid_name',
          `room name must be 1-${MAX_ROOM_NAME_CHARS} characters`,
        );
      }
      if (!hasVisibleText(trimmed)) {
        // Zero-width spaces or a Hangul filler alone: a bare "#" in the sidebar and titles.
        throw new StorageError('invalid_name', 'room name must have a visible character');
      }
      if (hasLoneSurrogate(trimmed)) {
        // Stored as U+FFFD: the list would name the room otherwise than its creation said.
        throw new StorageError('invalid_name', 'room name must be well-formed Unicode text');
      }
      if (FORBIDDEN_IN_NAME.test(trimmed)) {
        throw new StorageError(
          'invalid_name',
          'room name must not hold control characters or text-direction overrides',
        );
      }
      if (!selectOrg.get(org)) throw new StorageError('unknown_org', `no org "${org}"`);
      if (has(org, id)) throw new StorageError('exists', `room "${id}" already exists`);
      // The sidebar, titles and mention notices name rooms by name: a second "general"
      // could pass for the first. One index look-up (rooms_name_key, migrations.ts), not a
      // comparison with every name of the org; the unique index holds it in any case.
      const nameKey = roomNameKey(trimmed);
      if (selectNameKey.get(org, nameKey)) {
        throw new StorageError('name_taken', `a room is already called "${trimmed}"`);
      }
      insert.run(org, id, trimmed, nameKey, now());
      return { id, name: trimmed };
    },
  };
}
