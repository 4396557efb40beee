// The blob sweep, on both stores: blobs a message (its raw bytes) or an attachment refers to stay,
// unreferenced ones old enough go, and so do temp files of writes that never finished; a blob that
// put() reuses while the sweep looks at it stays (its row is about to be committed), and a crashed
// sweep's renamed-aside blob is put back or dropped.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { ingestRawEmail } from '../src/server/mail/ingest.ts';
import { blobStore } from '../src/server/blobs/blob-store.ts';
import { referencedBlobKeys, sweepBlobs } from '../src/server/blobs/blob-sweeper.ts';
import { sweepUnreferencedBlobs, SWEEP_MIN_AGE_MS } from '../src/server/blobs/sweep-blobs.ts';
import { crlf } from './email-in-support.ts';

/** Two hours on: every blob written so far is old enough to be swept. */
const later = () => Date.now() + 2 * SWEEP_MIN_AGE_MS;

/** Makes a file look untouched for two hours. */
function age(file: string): void {
  const old = new Date(Date.now() - 2 * SWEEP_MIN_AGE_MS);
  fs.utimesSync(file, old, old);
}

function withAttachment(id: string): Buffer {
  return crlf(
    `From: Ivy <ivy@customer.example>\nTo: team@acme.example\nSubject: Invoice\nMessage-ID: <${id}@customer.example>\nMIME-Version: 1.0\n` +
      `Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nSee attached.\n--b\n` +
      `Content-Type: application/octet-stream; name="invoice-${id}.bin"\nContent-Disposition: attachment; filename="invoice-${id}.bin"\nContent-Transfer-Encoding: base64\n\n` +
      // Over spool-files.ts INLINE_MAX_BYTES, so the raw message is a blob file too.
      `${crypto.randomBytes(100_000).toString('base64').replace(/.{76}/g, '$&\n')}\n--b--\n`,
  );
}

describeEachStore('blob sweep', (store) => {
  it('keeps what rows refer to and deletes unreferenced blobs and stale temp files', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const stored = await ingestRawEmail(deps, { raw: withAttachment(crypto.randomUUID()), recipients: ['team@acme.example'], mailFrom: null, via: 'imap', channelId: acct.channel.id });
    expect(stored.outcome).toBe('stored');
    const message = await deps.store.db.selectFrom('messages').select('raw_key').where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
    const attachment = await deps.store.db.selectFrom('attachments').select('storage_key').where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
    const blobs = blobStore(deps.config.dataDir);
    const orphan = await blobs.put(crypto.randomBytes(1000));
    const temp = path.join(path.dirname(blobs.pathOf(orphan.key)), `.tmp-1-${crypto.randomBytes(6).toString('hex')}`);
    fs.writeFileSync(temp, 'half a write');

    // Nothing is old enough yet.
    const now = await sweepUnreferencedBlobs(blobs.root, referencedBlobKeys(deps.store.db));
    expect(now.removed).toBe(0);
    expect(await blobs.exists(orphan.key)).toBe(true);

    const swept = await sweepUnreferencedBlobs(blobs.root, referencedBlobKeys(deps.store.db), { now: later });
    expect(swept.removed).toBeGreaterThanOrEqual(1);
    expect(swept.removedBytes).toBeGreaterThanOrEqual(1000);
    expect(swept.staleTemps).toBeGreaterThanOrEqual(1);
    expect(await blobs.exists(orphan.key)).toBe(false);
    expect(fs.existsSync(temp)).toBe(false);
    expect(await blobs.exists(message.raw_key!)).toBe(true);
    expect(await blobs.exists(attachment.storage_key)).toBe(true);
    // The sweeper's own entry point (the worker role's timer) agrees: nothing left to take now.
    expect((await sweepBlobs(deps)).removed).toBe(0);
  });

  it('leaves a blob that put() reuses while the sweep is deciding', async () => {
    const { deps } = store();
    const blobs = blobStore(deps.config.dataDir);
    const bytes = crypto.randomBytes(800);
    const blob = await blobs.put(bytes);
    age(blobs.pathOf(blob.key));
    // The reference question is the moment between the sweep's age check and its rename: ingest
    // stores the same bytes again then (a duplicate attachment), its row not yet committed.
    const referenced = async (keys: string[]) => {
      if (keys.includes(blob.key)) await blobs.put(bytes);
      return referencedBlobKeys(deps.store.db)(keys);
    };
    await sweepUnreferencedBlobs(blobs.root, referenced);
    expect(await blobs.exists(blob.key)).toBe(true);
    expect(fs.existsSync(`${blobs.pathOf(blob.key)}.sweep`)).toBe(false);
    // And one reused before the sweep started is too young to be looked at.
    const earlier = await blobs.put(crypto.randomBytes(800));
    age(blobs.pathOf(earlier.key));
    await blobs.put(fs.readFileSync(blobs.pathOf(earlier.key)));
    await sweepUnreferencedBlobs(blobs.root, referencedBlobKeys(deps.store.db));
    expect(await blobs.exists(earlier.key)).toBe(true);
  });

  it('puts back or drops what a crashed sweep renamed aside', async () => {
    const { deps } = store();
    const blobs = blobStore(deps.config.dataDir);
    const missing = await blobs.put(crypto.randomBytes(700));
    const present = await blobs.put(crypto.randomBytes(700));
    // Renamed aside, then the crash: one blob is gone from its name, the other was written again.
    fs.renameSync(blobs.pathOf(missing.key), `${blobs.pathOf(missing.key)}.sweep`);
    fs.copyFileSync(blobs.pathOf(present.key), `${blobs.pathOf(present.key)}.sweep`);
    // A reference keeps both from being swept as orphans in this same pass.
    const all = async (keys: string[]) => new Set(keys);
    await sweepUnreferencedBlobs(blobs.root, all, { now: later });
    expect(await blobs.exists(missing.key)).toBe(true);
    expect(fs.existsSync(`${blobs.pathOf(missing.key)}.sweep`)).toBe(false);
    expect(fs.existsSync(`${blobs.pathOf(present.key)}.sweep`)).toBe(false);
    expect(await blobs.exists(present.key)).toBe(true);
  });
});
