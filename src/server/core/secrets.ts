// Encryption at rest for what Parley must be able to read back: connected mailboxes' IMAP and
// SMTP passwords. AES-256-GCM (authenticated, so a tampered value fails instead of decrypting to
// garbage) with a key from SECRET_KEY, or else one generated once into DATA_DIR/secret.key (mode
// 0600). Every process of one installation must see the same key: set SECRET_KEY, or share DATA_DIR.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
const keyCache = new Map<string, Buffer>();

export interface SecretKeySource {
  secretKey: string | undefined;
  dataDir: string;
}

/** The 32-byte key: SHA-256 of SECRET_KEY, or the generated file's bytes. */
export function secretKey(source: SecretKeySource): Buffer {
  if (source.secretKey) return crypto.createHash('sha256').update(`parley-secrets:${source.secretKey}`).digest();
  const file = path.join(source.dataDir, 'secret.key');
  const cached = keyCache.get(file);
  if (cached) return cached;
  const key = readOrCreateKeyFile(file);
  keyCache.set(file, key);
  return key;
}

function readOrCreateKeyFile(file: string): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx' fails if the file exists, so two processes starting at once agree on the first key.
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, crypto.randomBytes(32).toString('hex') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${file} is not a Parley secret key (64 hex digits); restore it or remove it to generate a new one`);
  return Buffer.from(text, 'hex');
}

/** `v1:<iv>:<tag>:<ciphertext>` in base64url. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
}

export class SecretDecryptError extends Error {}

export function decryptSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, ct] = sealed.split(':');
  if (version !== VERSION || !iv || !tag || ct === undefined) throw new SecretDecryptError('Not an encrypted Parley secret');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptError('The secret cannot be decrypted with this key (was SECRET_KEY or DATA_DIR/secret.key changed?)');
  }
}

export const sealJson = (key: Buffer, value: unknown): string => encryptSecret(key, JSON.stringify(value));
export const openJson = (key: Buffer, sealed: string): unknown => JSON.parse(decryptSecret(key, sealed));
