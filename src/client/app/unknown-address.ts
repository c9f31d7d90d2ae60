import { isValidId } from '../../shared/ids';

// What an address that names no view asked for, to say so in words a person can check
// against what they typed or followed.

// Enough to recognise a typo; a pasted novel is cut (the address bar still holds it all).
export const MAX_SHOWN_ADDRESS_CHARS = 80;

export interface UnknownAddress {
  /** A room's address with no room id in it (`#/rooms/GENERAL`), or any other. */
  kind: 'room' | 'page';
  /** The room id, or the whole address (`#/bogus`), decoded and cut to a readable length. */
  asked: string;
  /** The room it likely meant (`#/rooms/General` → `general`), when that is an id. */
  suggestion: string | null;
}

export function describeUnknownAddress(hash: string): UnknownAddress {
  const path = hash.startsWith('#') ? hash.slice(1) : hash;
  const room = /^\/rooms\/([^/]+)$/.exec(path)?.[1];
  if (room === undefined) return { kind: 'page', asked: cut(decode(hash)), suggestion: null };
  const id = decode(room);
  const lower = id.trim().toLowerCase();
  return { kind: 'room', asked: cut(id), suggestion: isValidId(lower) ? lower : null };
}

function cut(text: string): string {
  return text.length > MAX_SHOWN_ADDRESS_CHARS
    ? `${text.slice(0, MAX_SHOWN_ADDRESS_CHARS)}…`
    : text;
}

/** `%3C` as `<`: the address bar encodes some of what was typed. As it was when malformed. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
