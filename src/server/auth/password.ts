import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { hasLoneSurrogate } from '../../shared/lone-surrogate';

// Stored as `scrypt$N$r$p$salt$hash` (salt and hash base64url) so the cost can be raised
// later without invalidating existing hashes: each hash carries its own parameters.

// N = 2^15, r = 8: 32 MiB and ≈50-100 ms per hash, a sign-in cost users do not notice
// and an offline attacker pays per guess.
const COST_N = 2 ** 15;
const BLOCK_SIZE_R = 8;
const PARALLELISM_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Ceilings for parameters read back from the database, so a tampered row cannot make
// one sign-in allocate gigabytes.
const MAX_COST_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_KEY_BYTES = 64;

/** Long enough to resist online guessing (sign-in is also rate limited). */
export const MIN_PASSWORD_LENGTH = 8;
/** scrypt accepts any length; this only stops megabyte passwords being hashed per request. */
export const MAX_PASSWORD_LENGTH = 1_024;

// No 0/O, 1/l/I: generated passwords get read off a terminal and typed.
const READABLE_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const GENERATED_PASSWORD_LENGTH = 20; // 56^20 ≈ 2^116

function derive(password: string, salt: Buffer, length: number, params: Params): Promise<Buffer> {
  const { n, r, p } = params;
  // Node refuses a computation above `maxmem` (default 32 MiB); 128·N·r·p is what it needs.
  const options: ScryptOptions = { N: n, r, p, maxmem: 128 * n * r * p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // NFC: the same password typed on two keyboards may arrive composed differently.
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, {
    n: COST_N,
    r: BLOCK_SIZE_R,
    p: PARALLELISM_P,
  });
  return [
    'scrypt',
    COST_N,
    BLOCK_SIZE_R,
    PARALLELISM_P,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

interface Params {
  n: number;
  r: number;
  p: number;
}

interface ParsedHash extends Params {
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [n, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,8}$/.test(s) ? Number(s) : NaN));
  if (n === undefined || r === undefined || p === undefined) return null;
  const isPowerOfTwo = n > 1 && (n & (n - 1)) === 0;
  if (!isPowerOfTwo || n > MAX_COST_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) {
    return null;
  }
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length === 0 || key.length === 0 || key.length > MAX_KEY_BYTES) return null;
  return { n, r, p, salt, key };
}

/** False for a wrong password and for a malformed hash (never throws for either). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(candidate, parsed.key);
}

let dummy: Promise<string> | undefined;

/**
 * A valid hash of a password nobody knows. Sign-in verifies against it when the user
 * does not exist, so "no such user" takes as long as "wrong password".
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummy;
}

export function generatePassword(): string {
  let out = '';
  for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) {
    out += READABLE_ALPHABET[randomInt(READABLE_ALPHABET.length)];
  }
  return out;
}

/** Null when acceptable as a new password, else why not. */
export function checkNewPassword(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  }
  if (hasLoneSurrogate(password)) {
    // Hashed as U+FFFD, as every other lone surrogate is: any of them would then sign in.
    return 'password must be well-formed Unicode text';
  }
  return null;
}
