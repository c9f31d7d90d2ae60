// A random token for the current sign-in in this tab. Each history entry the app writes
// carries it (view-location.ts), and a view found on an entry opens only for the sign-in
// that wrote it. Random rather than the account: `history.state` stays readable to
// whoever uses the tab next, and the token tells them nothing.
//
// In sessionStorage so that a reload is the same sign-in; forgotten at a sign-out, here or
// in another tab. A sign-in that ended otherwise (refused, expired, ended by an admin)
// keeps it: signing back in as the same person is the same sign-in, back in its views.
// Stored with a tag of the account it is for, a hash that does not spell the account:
// after a reload under another account (the cookie changed in another tab), the stored
// token is not that account's, and it gets one of its own; so does anyone else signing in.

const TOKEN_STORAGE_KEY = 'switchboard:sign-in-token';
const TOKEN_BYTES = 16; // 128 bits: never guessed, never repeated
const STORED_PATTERN = /^([0-9a-f]{32})\.([0-9a-f]{8})$/;

// In memory too: a tab whose storage refuses writes still knows its own entries, and a
// different account signed in without a sign-out in between gets a token of its own.
let current: { account: string; token: string } | null = null;

/** This tab's token for `account`'s sign-in: the stored one after a reload, else new. */
export function signInToken(account: string, storage = sessionStorageOrNull()): string {
  if (current?.account === account) return current.token;
  const stored = current === null ? read(storage, account) : null;
  const token = stored ?? randomToken();
  current = { account, token };
  if (stored === null) write(storage, account, token);
  return token;
}

/** Entries written so far belong to no one signing in later. */
export function forgetSignInToken(storage = sessionStorageOrNull()): void {
  current = null;
  try {
    storage?.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // Storage unavailable: the memory is forgotten, and nothing was stored.
  }
}

// crypto.randomUUID needs a secure context; an instance served over plain HTTP on a LAN
// has getRandomValues alone.
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The stored token, if it was stored for `account`. */
function read(storage: Storage | null, account: string): string | null {
  try {
    const match = STORED_PATTERN.exec(storage?.getItem(TOKEN_STORAGE_KEY) ?? '');
    const token = match?.[1];
    return token !== undefined && match?.[2] === accountTag(account, token) ? token : null;
  } catch {
    return null;
  }
}

function write(storage: Storage | null, account: string, token: string): void {
  try {
    storage?.setItem(TOKEN_STORAGE_KEY, `${token}.${accountTag(account, token)}`);
  } catch {
    // Full or refused: a reload then starts at a fresh token, and at Welcome on Back.
  }
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * FNV-1a (32 bits) of the account and the token: tells whether a stored token was this
 * account's without writing the account down. Not a secret (the token is beside it):
 * only the plain name is kept out of storage, as it is out of `history.state`.
 */
function accountTag(account: string, token: string): string {
  let hash = 0x811c9dc5;
  for (const char of `${account}\n${token}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
