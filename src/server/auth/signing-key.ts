import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const SIGNING_ALG = 'ES256';
export const KEY_FILE = 'jwt-key.json';
// Owner read/write only: whoever reads this file can mint tokens for anyone.
const KEY_FILE_MODE = 0o600;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

interface KeyFile {
  kid: string;
  privateJwk: JWK;
}

// Copied field by field (not "everything but d") so no private member can ever leak.
function publicPart({ kty, crv, x, y }: JWK): JWK {
  return { kty, crv, x, y };
}

async function fromPrivateJwk(kid: string, privateJwk: JWK): Promise<SigningKey> {
  const publicJwk: JWK = { ...publicPart(privateJwk), kid, alg: SIGNING_ALG, use: 'sig' };
  const privateKey = (await importJWK(privateJwk, SIGNING_ALG)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey;
  return { kid, privateKey, publicKey, publicJwk };
}

async function createKeyFile(path: string): Promise<KeyFile> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const keyFile: KeyFile = {
    kid: await calculateJwkThumbprint(publicPart(privateJwk)),
    privateJwk,
  };
  // Written whole under a name of its own, then linked into place: the key file is never
  // seen half-written (a kill mid-write used to leave an empty one, and a data dir that
  // could not start), and a link, unlike a rename, fails if another process created the
  // key meanwhile: theirs is kept (read it below).
  const partial = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.partial`;
  try {
    const file = await open(partial, 'wx', KEY_FILE_MODE);
    try {
      await file.writeFile(JSON.stringify(keyFile));
      await file.sync();
    } finally {
      await file.close();
    }
    await link(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  return keyFile;
}

async function readKeyFile(path: string): Promise<KeyFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: Partial<KeyFile>;
  try {
    parsed = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    parsed = {};
  }
  if (typeof parsed.kid !== 'string' || typeof parsed.privateJwk?.d !== 'string') {
    throw new Error(`${path} is not a Switchboard signing key; move it away to create a new one`);
  }
  return { kid: parsed.kid, privateJwk: parsed.privateJwk };
}

/**
 * The ES256 key pair that signs broker tokens, created on first start and kept under the
 * data directory so tokens (and external brokers' cached JWKS) survive a restart.
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const path = join(dataDir, KEY_FILE);
  let keyFile = await readKeyFile(path);
  if (!keyFile) {
    try {
      keyFile = await createKeyFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      keyFile = await readKeyFile(path);
      if (!keyFile) throw err;
    }
  }
  return fromPrivateJwk(keyFile.kid, keyFile.privateJwk);
}
