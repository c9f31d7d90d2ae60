import { describe, expect, it } from 'vitest';
import {
  checkNewPassword,
  dummyPasswordHash,
  generatePassword,
  hashPassword,
  verifyPassword,
} from '../../../src/server/auth/password';

describe('password hashing', () => {
  it('hashes to scrypt$N$r$p$salt$hash and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const hash = await hashPassword('caf\u00e9!');
    expect(await verifyPassword('cafe\u0301!', hash)).toBe(true);
  });

  it('honours the parameters stored in the hash (cost can change later)', async () => {
    const hash = await hashPassword('pw');
    const parts = hash.split('$');
    // Same salt and key with different parameters must not verify.
    const cheaper = ['scrypt', '16384', '8', '1', parts[4], parts[5]].join('$');
    expect(await verifyPassword('pw', cheaper)).toBe(false);
  });

  const malformed = [
    '',
    'plaintext',
    'bcrypt$10$abc',
    'scrypt$32768$8$1$salt',
    'scrypt$3$8$1$c2FsdA$a2V5', // N not a power of two
    'scrypt$2097152$8$1$c2FsdA$a2V5', // N above the ceiling
    'scrypt$16384$0$1$c2FsdA$a2V5',
    'scrypt$16384$8$99$c2FsdA$a2V5',
    'scrypt$16384$8$1$$a2V5',
    'scrypt$16384$8$1$c2FsdA$',
    'scrypt$1e4$8$1$c2FsdA$a2V5',
  ];
  it.each(malformed)('refuses (without throwing) malformed hash %j', async (stored) => {
    await expect(verifyPassword('pw', stored)).resolves.toBe(false);
  });

  it('has a dummy hash that is valid, stable, and matches no ordinary password', async () => {
    const dummy = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(dummy);
    expect(dummy.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('', dummy)).toBe(false);
  });
});

describe('generatePassword', () => {
  it('is 20 readable characters, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pw = generatePassword();
      expect(pw).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);
      seen.add(pw);
    }
    expect(seen.size).toBe(50);
  });
});

describe('checkNewPassword', () => {
  it.each([
    ['short', 'abc', /at least 8/],
    ['too long', 'x'.repeat(1_025), /at most 1024/],
    // Hashed as U+FFFD, as any other lone surrogate: "\uDFFF".repeat(8) would sign in too.
    ['half a surrogate pair', 'password\uD800', /well-formed/],
    ['lone surrogates alone', '\uDC00'.repeat(8), /well-formed/],
  ])('refuses %s', (_name, pw, message) => {
    expect(checkNewPassword(pw)).toMatch(message);
  });
  it.each(['12345678', generatePassword(), 'emoji 🔑 ok'])('accepts %j', (pw) => {
    expect(checkNewPassword(pw)).toBeNull();
  });
});
