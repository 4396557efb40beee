// The SQLite spool's writer thread: batches that reach it together are committed together, and a
// batch that fails does not take the mail of the batches it was grouped with down with it; it
// waits for a write lock held elsewhere, up to its limit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteSpoolWriter } from '../src/server/mail/spool-writer.ts';

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-spool-writer-'));
  file = path.join(dir, 'spool.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`create table inbound_queue (id text primary key, via text not null, channel_id text, mail_from text, recipients_json text not null, raw blob,
    spool_file text, size integer not null, received_at text not null, next_attempt_at text, last_error text)`);
  db.close();
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const row = (id: string) => ({ id, via: 'smtp' as const, channel_id: null, mail_from: 'ann@customer.example', recipients_json: '["help@acme.example"]', raw: Buffer.from(`Subject: ${id}\r\n\r\nHi\r\n`), spool_file: null, size: 20, received_at: new Date().toISOString() });

function ids(): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('select id from inbound_queue order by id').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
}

it('commits every batch handed to it at once, each row once', async () => {
  const writer = new SqliteSpoolWriter(file, 5_000);
  try {
    const batches = Array.from({ length: 30 }, (_, b) => [row(`m${String(b).padStart(2, '0')}a`), row(`m${String(b).padStart(2, '0')}b`)]);
    await Promise.all(batches.map((rows) => writer.write(rows)));
    expect(ids()).toEqual(batches.flat().map((r) => r.id).sort());
  } finally {
    await writer.close();
  }
});

it('refuses only the batch that fails, not the batches committed with it', async () => {
  const writer = new SqliteSpoolWriter(file, 5_000);
  try {
    // Posted in one turn, so the thread takes them as one group; the middle one repeats an id.
    const results = await Promise.allSettled([writer.write([row('a1'), row('a2')]), writer.write([row('b1'), row('a1')]), writer.write([row('c1')])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = results[1] as PromiseRejectedResult;
    expect(String((refused.reason as { code?: string }).code)).toMatch(/^SQLITE_CONSTRAINT/);
    expect(ids()).toEqual(['a1', 'a2', 'c1']);
  } finally {
    await writer.close();
  }
});

it('waits for the write lock another connection holds and commits as soon as it is free; refuses with SQLITE_BUSY past its wait', async () => {
  const other = new Database(file);
  const writer = new SqliteSpoolWriter(file, 1_000);
  try {
    other.exec('begin immediate');
    let settled = false;
    const waiting = writer.write([row('w1')]).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    other.exec('commit');
    await waiting;
    expect(ids()).toEqual(['w1']);

    // Held past the writer's wait: the batch is refused (the receiver answers 451), the next one goes.
    other.exec('begin immediate');
    const refused = await writer.write([row('w2')]).then(
      () => null,
      (err: { code?: string }) => err,
    );
    other.exec('commit');
    expect(refused?.code).toBe('SQLITE_BUSY');
    await writer.write([row('w3')]);
    expect(ids()).toEqual(['w1', 'w3']);
  } finally {
    other.close();
    await writer.close();
  }
});
