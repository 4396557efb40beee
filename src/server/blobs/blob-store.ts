// The durable, content-addressed blob store in DATA_DIR: attachments and raw messages over 128 KB
// (smaller ones live in the database, message_raws), keyed by their SHA-256 so the same bytes are
// stored once. RFC 5321 §6.1 makes a 250 a promise, so a write
// returns only after the file and its directory entry are on disk: temp file, fsync, rename,
// fsync the directory (rename alone is not durable on ext4/xfs until the directory is synced).
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from './fsync-dir.ts';

export interface StoredBlob {
  /** Storage key relative to the blob root, e.g. `sha256/ab/cd/abcd…`. */
  key: string;
  sha256: string;
  size: number;
}

const KEY_RE = /^sha256\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

export class BlobStore {
  readonly root: string;
  private readonly knownDirs = new Set<string>();

  constructor(dataDir: string) {
    this.root = path.resolve(dataDir, 'blobs');
  }

  /** The absolute path of a key; refuses anything that is not one of our keys (no path escape). */
  pathOf(key: string): string {
    const m = KEY_RE.exec(key);
    if (!m) throw new Error(`Not a blob key: ${JSON.stringify(key)}`);
    return path.join(this.root, 'sha256', m[1]!, m[2]!, m[3]!);
  }

  /** Writes the bytes durably (or finds them already stored) and returns their key. */
  async put(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const key = `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    if (await reuse(file, bytes.byteLength)) return { key, sha256, size: bytes.byteLength };
    // A directory made (and synced) once stays: skip the mkdir and its parents' fsyncs after that.
    if (!this.knownDirs.has(dir)) {
      await mkdirDurable(this.root, dir);
      if (this.knownDirs.size >= 70_000) this.knownDirs.clear();
      this.knownDirs.add(dir);
    }
    const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    const handle = await fsp.open(tmp, 'w', 0o640);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => {});
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    await handle.close();
    await fsp.rename(tmp, file);
    await fsyncDir(dir);
    return { key, sha256, size: bytes.byteLength };
  }

  async read(key: string): Promise<Buffer> {
    return fsp.readFile(this.pathOf(key));
  }

  stream(key: string): fs.ReadStream {
    return fs.createReadStream(this.pathOf(key));
  }

  async exists(key: string): Promise<boolean> {
    return fsp
      .stat(this.pathOf(key))
      .then(() => true)
      .catch(() => false);
  }
}

/**
 * True when the blob is already stored: its mtime is set to now, which tells the sweep
 * (sweep-blobs.ts) it is in use again before the row that refers to it is committed. False when
 * it is missing, also when the sweep took it away between the two calls: then put writes it anew.
 */
async function reuse(file: string, size: number): Promise<boolean> {
  const existing = await fsp.stat(file).catch(() => null);
  if (!existing || existing.size !== size) return false;
  const now = new Date();
  return fsp
    .utimes(file, now, now)
    .then(() => true)
    .catch(() => false);
}

/** mkdir -p, then fsync each newly made directory's parent so the new entries survive a crash. */
async function mkdirDurable(root: string, dir: string): Promise<void> {
  const first = await fsp.mkdir(dir, { recursive: true });
  if (!first) return;
  let d = dir;
  const made: string[] = [];
  while (d.length >= first.length && d.startsWith(root)) {
    made.push(path.dirname(d));
    if (d === first) break;
    d = path.dirname(d);
  }
  for (const parent of made) await fsyncDir(parent);
}

const stores = new Map<string, BlobStore>();
/** One BlobStore per DATA_DIR. */
export function blobStore(dataDir: string): BlobStore {
  let s = stores.get(dataDir);
  if (!s) {
    s = new BlobStore(dataDir);
    stores.set(dataDir, s);
  }
  return s;
}
