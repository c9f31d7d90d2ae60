import { randomBytes, scryptSync } from 'node:crypto';

// The server verifies a password at the cost its stored hash names (password.ts). A test
// that makes dozens of password logins stores a hash this cheap (128 KiB, about a
// millisecond) instead of the real cost (32 MiB, 50–100 ms idle, several times that on a
// loaded 2-core machine): what such a test checks is turns and counts, not scrypt, and at
// the real cost its last login waits behind all the others past mqtt.js's CONNACK timeout.
const TEST_COST_N = 2 ** 10;
const BLOCK_SIZE_R = 8;
const PARALLELISM_P = 1;

/** A hash of `password` in password.ts's `scrypt$N$r$p$salt$hash` form, at a low cost. */
export function cheapPasswordHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, 32, {
    N: TEST_COST_N,
    r: BLOCK_SIZE_R,
    p: PARALLELISM_P,
  });
  return [
    'scrypt',
    TEST_COST_N,
    BLOCK_SIZE_R,
    PARALLELISM_P,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}
