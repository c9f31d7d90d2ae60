// Characters a reader does not see (Default_Ignorable_Code_Point: zero-width space and
// joiners, word joiner, the BOM, soft hyphen, variation selectors, Hangul fillers, tags).
const UNSEEN = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * What two room names share when a reader cannot tell them apart: `General` and `general`,
 * a full-width `ｇeneral`, a `gen\u200Beral` (QA: shown as "# general" beside the real one).
 * Stored beside each name (rooms.name_key), under a unique index. Look-alike letters of
 * other scripts (a Cyrillic `е`) are not folded: that needs Unicode's confusables data.
 */
export const roomNameKey = (name: string): string =>
  name.normalize('NFKC').replace(UNSEEN, '').toLowerCase();

/** The SQL function the migration that adds rooms.name_key computes it with (migrations.ts). */
export const ROOM_NAME_KEY_SQL_FUNCTION = 'room_name_key';
