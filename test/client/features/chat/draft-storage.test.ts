import { describe, expect, it, vi } from 'vitest';
import {
  draftsIndexKey,
  forgetOtherAccountsDrafts,
  MAX_KEPT_DRAFT_CHARS,
  MAX_KEPT_DRAFTS,
  readDraft,
  saveDraft,
} from '../../../../src/client/features/chat/lib/draft-storage';

const ALICE = 'alice@demo';
const GENERAL = `switchboard:draft:${ALICE}:general`;

/** A Storage that holds at most `limit` characters of keys and values, as a full quota. */
function storageOf(limit: number): Storage {
  const items = new Map<string, string>();
  const used = () => [...items].reduce((sum, [key, value]) => sum + key.length + value.length, 0);
  return {
    get length() {
      return items.size;
    },
    key: (index: number) => [...items.keys()][index] ?? null,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => {
      const old = items.get(key);
      if (
        used() - (old === undefined ? 0 : key.length + old.length) + key.length + value.length >
        limit
      ) {
        throw new DOMException('full', 'QuotaExceededError');
      }
      items.set(key, value);
    },
    removeItem: (key: string) => void items.delete(key),
    clear: () => items.clear(),
  };
}

describe('draft storage', () => {
  it("keeps each room's draft per account, and forgets it once empty", () => {
    saveDraft(sessionStorage, ALICE, 'general', 'hello');
    saveDraft(sessionStorage, ALICE, 'random', 'other');
    expect(readDraft(sessionStorage, ALICE, 'general')).toBe('hello');
    expect(readDraft(sessionStorage, 'alice@elsewhere', 'general')).toBe('');
    saveDraft(sessionStorage, ALICE, 'general', '');
    expect(readDraft(sessionStorage, ALICE, 'general')).toBe('');
    expect(JSON.parse(sessionStorage.getItem(draftsIndexKey(ALICE))!)).toEqual(['random']);
    saveDraft(sessionStorage, ALICE, 'random', '');
    expect(sessionStorage.length).toBe(0);
  });

  it(`keeps the ${MAX_KEPT_DRAFTS} rooms most recently written, dropping the oldest`, () => {
    const rooms = Array.from({ length: MAX_KEPT_DRAFTS + 1 }, (_, i) => `room-${i}`);
    for (const room of rooms) saveDraft(sessionStorage, ALICE, room, `draft in ${room}`);
    expect(readDraft(sessionStorage, ALICE, 'room-0')).toBe('');
    expect(readDraft(sessionStorage, ALICE, 'room-1')).toBe('draft in room-1');
    expect(readDraft(sessionStorage, ALICE, `room-${MAX_KEPT_DRAFTS}`)).toBe(
      `draft in room-${MAX_KEPT_DRAFTS}`,
    );
    expect(sessionStorage.length).toBe(MAX_KEPT_DRAFTS + 1); // the drafts and their index
  });

  it('drops the draft least recently written, not the one first started', () => {
    const rooms = Array.from({ length: MAX_KEPT_DRAFTS }, (_, i) => `room-${i}`);
    for (const room of rooms) saveDraft(sessionStorage, ALICE, room, `draft in ${room}`);
    saveDraft(sessionStorage, ALICE, 'room-0', 'still writing'); // started first, written last
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    saveDraft(sessionStorage, ALICE, 'room-0', 'still writing it');
    // Typing on in the room written last writes its text alone, not the index.
    expect(setItem.mock.calls.map(([key]) => key)).toEqual([`switchboard:draft:${ALICE}:room-0`]);

    saveDraft(sessionStorage, ALICE, 'new-room', 'a new draft');
    expect(readDraft(sessionStorage, ALICE, 'room-0')).toBe('still writing it');
    expect(readDraft(sessionStorage, ALICE, 'room-1')).toBe('');
    expect(readDraft(sessionStorage, ALICE, 'new-room')).toBe('a new draft');
  });

  it('does not keep a draft too long to keep, nor an older version of it', () => {
    saveDraft(sessionStorage, ALICE, 'general', 'short');
    saveDraft(sessionStorage, ALICE, 'general', 'x'.repeat(MAX_KEPT_DRAFT_CHARS + 1));
    expect(readDraft(sessionStorage, ALICE, 'general')).toBe('');
    expect(sessionStorage.length).toBe(0);
  });

  it.each([
    ['an index that is not JSON', '{not json', 'stale'],
    ['an index that is not a list', '{"general": true}', 'stale'],
    ['an index not listing the room', '["random", 3]', 'stale'],
    ['a draft over the bound', '["general"]', 'x'.repeat(MAX_KEPT_DRAFT_CHARS + 1)],
  ])('ignores %s', (_case, index, draft) => {
    sessionStorage.setItem(draftsIndexKey(ALICE), index);
    sessionStorage.setItem(`switchboard:draft:${ALICE}:general`, draft);
    expect(readDraft(sessionStorage, ALICE, 'general')).toBe('');
  });

  it('leaves no older version of a draft to come back when storage is too full for the new one', () => {
    const index = draftsIndexKey(ALICE).length + '["general"]'.length;
    const storage = storageOf(index + GENERAL.length + 'short'.length);
    saveDraft(storage, ALICE, 'general', 'short');
    expect(readDraft(storage, ALICE, 'general')).toBe('short');

    expect(() => saveDraft(storage, ALICE, 'general', 'a longer version')).not.toThrow();
    expect(readDraft(storage, ALICE, 'general')).toBe('');
    expect(storage.length).toBe(0); // nor its entry in the index
  });

  it('leaves no draft behind that its index has no room for', () => {
    const storage = storageOf(GENERAL.length + 'hello'.length); // the draft fits, alone
    expect(() => saveDraft(storage, ALICE, 'general', 'hello')).not.toThrow();
    expect(readDraft(storage, ALICE, 'general')).toBe('');
    expect(storage.length).toBe(0);
  });

  it('neither throws nor keeps anything when storage refuses', () => {
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {},
    } as unknown as Storage;
    expect(() => saveDraft(refusing, ALICE, 'general', 'hello')).not.toThrow();
    expect(readDraft(refusing, ALICE, 'general')).toBe('');
    expect(readDraft(null, ALICE, 'general')).toBe('');
  });

  it('forgets every other account’s drafts for the one signed in, and none of its own', () => {
    saveDraft(sessionStorage, ALICE, 'general', 'mine');
    // Accounts whose keys start alike: another org, a longer org id.
    for (const other of ['alice@elsewhere', 'alice@demo2', 'bob@demo']) {
      saveDraft(sessionStorage, other, 'general', `from ${other}`);
    }
    sessionStorage.setItem('switchboard:outbox:bob@demo', '[]'); // not a draft
    forgetOtherAccountsDrafts(sessionStorage, ALICE);
    expect(readDraft(sessionStorage, ALICE, 'general')).toBe('mine');
    expect(Object.keys(sessionStorage).sort()).toEqual(
      [draftsIndexKey(ALICE), GENERAL, 'switchboard:outbox:bob@demo'].sort(),
    );
  });
});
