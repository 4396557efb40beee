// Frees blobs no row refers to. Blobs are written durably before the row that names them is
// committed (RFC 5321 §6.1), so a crash in between, a reply whose request failed after its
// attachments were stored, or mail that ingest then dropped (a bounce, a turned-off channel)
// leaves bytes nobody can reach; on a busy server they add up, and they may hold a customer's
// mail that the product no longer shows.
//
// Safe against a put() of the same bytes at the same moment: put() sets the mtime of a blob it
// reuses, and the sweep only takes blobs untouched for `minAgeMs`. It first renames the blob aside
// (`<sha>.sweep`), then looks at the mtime again: a put() that reused the blob before the rename
// shows there (the blob goes back), one after it finds no file and writes a fresh copy. A sweep
// that crashed between the rename and the delete leaves a `.sweep` file, which the next sweep
// puts back if the blob is missing (it will be judged again) and deletes otherwise.
import fsp from 'node:fs/promises';
import path from 'node:path';

export interface SweepOptions {
  /** Blobs and temp files untouched for less than this are left alone (a write may be under way). */
  minAgeMs?: number;
  now?: () => number;
}

export interface SweepResult {
  /** Blob files looked at. */
  scanned: number;
  /** Unreferenced blobs deleted, and their bytes. */
  removed: number;
  removedBytes: number;
  /** Temp files of writes that never finished, deleted. */
  staleTemps: number;
}

/** Which of these keys a row still refers to. */
export type ReferencedKeys = (keys: string[]) => Promise<Set<string>>;

/** Older than any message's processing or any request: nobody still writes or reuses such a blob. */
export const SWEEP_MIN_AGE_MS = 60 * 60_000;
/** A `.sweep` file this long after its rename is a crashed sweep's, not one under way. */
const QUARANTINE_STALE_MS = 10 * 60_000;
/** Keys per reference question. */
const CHUNK = 500;
const HEX_DIR = /^[0-9a-f]{2}$/;
const BLOB_NAME = /^[0-9a-f]{64}$/;
const QUARANTINED = /^([0-9a-f]{64})\.sweep$/;

/** Walks `<root>/sha256/xx/yy/` and deletes the blobs `referenced` does not claim. */
export async function sweepUnreferencedBlobs(root: string, referenced: ReferencedKeys, opts: SweepOptions = {}): Promise<SweepResult> {
  const minAgeMs = opts.minAgeMs ?? SWEEP_MIN_AGE_MS;
  const now = opts.now ?? Date.now;
  const result: SweepResult = { scanned: 0, removed: 0, removedBytes: 0, staleTemps: 0 };
  const base = path.join(root, 'sha256');
  for (const a of await hexDirs(base)) {
    for (const b of await hexDirs(path.join(base, a))) {
      await sweepLeaf(path.join(base, a, b), `sha256/${a}/${b}/`, referenced, minAgeMs, now, result);
    }
  }
  return result;
}

async function hexDirs(dir: string): Promise<string[]> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => HEX_DIR.test(n)).sort();
}

async function sweepLeaf(dir: string, keyPrefix: string, referenced: ReferencedKeys, minAgeMs: number, now: () => number, result: SweepResult): Promise<void> {
  const candidates: string[] = [];
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const st = await fsp.stat(file).catch(() => null);
    if (!st?.isFile()) continue;
    if (BLOB_NAME.test(name)) {
      result.scanned++;
      if (now() - st.mtimeMs >= minAgeMs) candidates.push(name);
    } else if (name.startsWith('.tmp-')) {
      if (now() - st.mtimeMs < minAgeMs) continue;
      await fsp.rm(file, { force: true });
      result.staleTemps++;
    } else {
      const quarantined = QUARANTINED.exec(name);
      if (quarantined && now() - st.ctimeMs >= QUARANTINE_STALE_MS) await restoreOrDrop(file, path.join(dir, quarantined[1]!));
    }
  }
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const chunk = candidates.slice(i, i + CHUNK);
    const inUse = await referenced(chunk.map((name) => keyPrefix + name));
    for (const name of chunk) {
      if (inUse.has(keyPrefix + name)) continue;
      const freed = await removeUnlessReused(path.join(dir, name), minAgeMs, now);
      if (freed === null) continue;
      result.removed++;
      result.removedBytes += freed;
    }
  }
}

/** The rename-aside delete; the bytes freed, or null when the blob stays (reused, or gone already). */
async function removeUnlessReused(file: string, minAgeMs: number, now: () => number): Promise<number | null> {
  const aside = `${file}.sweep`;
  try {
    await fsp.rename(file, aside);
  } catch {
    return null;
  }
  const st = await fsp.stat(aside);
  if (now() - st.mtimeMs < minAgeMs) {
    await restoreOrDrop(aside, file);
    return null;
  }
  await fsp.rm(aside, { force: true });
  return st.size;
}

/** Puts a renamed-aside blob back unless a fresh copy was written meanwhile (same bytes, by its name). */
async function restoreOrDrop(aside: string, file: string): Promise<void> {
  const fresh = await fsp.stat(file).catch(() => null);
  if (fresh) await fsp.rm(aside, { force: true });
  else await fsp.rename(aside, file);
}
