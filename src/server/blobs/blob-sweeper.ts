// The worker role's blob housekeeping: sweeps DATA_DIR's blobs that no message or attachment
// refers to (sweep-blobs.ts) a few minutes after start and then daily. Several processes may run
// it at once: the rename-aside delete lets only one take each blob.
import type { Kysely } from 'kysely';
import type { Deps } from '../deps.ts';
import type { Database } from '../db/schema.ts';
import { blobStore } from './blob-store.ts';
import { sweepUnreferencedBlobs, type ReferencedKeys, type SweepResult } from './sweep-blobs.ts';

const FIRST_SWEEP_MS = 5 * 60_000;
const SWEEP_EVERY_MS = 24 * 60 * 60_000;

/** The keys among these that a message (its raw bytes) or an attachment refers to. */
export function referencedBlobKeys(db: Kysely<Database>): ReferencedKeys {
  return async (keys) => {
    if (keys.length === 0) return new Set();
    const [raws, files] = await Promise.all([
      db.selectFrom('messages').select('raw_key as key').where('raw_key', 'in', keys).execute(),
      db.selectFrom('attachments').select('storage_key as key').where('storage_key', 'in', keys).execute(),
    ]);
    return new Set([...raws, ...files].map((r) => r.key!));
  };
}

/** One sweep of this DATA_DIR against this store. */
export function sweepBlobs(deps: Deps): Promise<SweepResult> {
  return sweepUnreferencedBlobs(blobStore(deps.config.dataDir).root, referencedBlobKeys(deps.store.db));
}

export function startBlobSweeper(deps: Deps): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const log = deps.log.child({ role: 'worker', task: 'blob sweep' });
  const run = () => {
    if (running) return;
    running = sweepBlobs(deps)
      .then((r) => log.info(r, 'swept unreferenced blobs'))
      .catch((err: unknown) => log.warn({ err }, 'sweeping unreferenced blobs failed; trying again at the next sweep'))
      .finally(() => (running = null));
  };
  const first = setTimeout(run, FIRST_SWEEP_MS);
  const daily = setInterval(run, SWEEP_EVERY_MS);
  first.unref();
  daily.unref();
  return {
    stop: async () => {
      clearTimeout(first);
      clearInterval(daily);
      await running;
    },
  };
}
