/**
 * What two room names share when a reader cannot tell them apart: `General` and `general`,
 * a full-width `ｇeneral`. Stored beside each name (rooms.name_key), under a unique index.
 */
export const roomNameKey = (name: string): string => name.normalize('NFKC').toLowerCase();

/** The SQL function the migration that adds rooms.name_key computes it with (migrations.ts). */
export const ROOM_NAME_KEY_SQL_FUNCTION = 'room_name_key';
