// The spool's writer threads: batches that reach one together are committed together, and a
// batch that fails does not take the mail of the batches it was grouped with down with it.
// SQLite's waits for a write lock held elsewhere, up to its limit; PostgreSQL's refuses with the
// server's error when it cannot reach it (the receiver answers 451).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolWriterThread } from '../src/server/mail/spool-writer.ts';
import { openTestStore, type TestStore } from './helpers/test-store.ts';

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
  const writer = SpoolWriterThread.sqlite(file, 5_000);
  try {
    const batches = Array.from({ length: 30 }, (_, b) => [row(`m${String(b).padStart(2, '0')}a`), row(`m${String(b).padStart(2, '0')}b`)]);
    await Promise.all(batches.map((rows) => writer.write(rows)));
    expect(ids()).toEqual(batches.flat().map((r) => r.id).sort());
  } finally {
    await writer.close();
  }
});

it('refuses only the batch that fails, not the batches committed with it', async () => {
  const writer = SpoolWriterThread.sqlite(file, 5_000);
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
  const writer = SpoolWriterThread.sqlite(file, 1_000);
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

describe('on PostgreSQL', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore('postgres');
  });
  afterEach(() => store.dispose());

  const pgIds = async () => (await store.deps.store.db.selectFrom('inbound_queue').select('id').orderBy('id').execute()).map((r) => r.id);

  it('commits every batch handed to it at once, each row once, the bytes intact', async () => {
    const writer = SpoolWriterThread.postgres(store.config.databaseUrl!);
    try {
      // More rows than one insert takes, so they span several inserts, some under way at once.
      const batches = Array.from({ length: 60 }, (_, b) => [row(`m${String(b).padStart(2, '0')}a`), row(`m${String(b).padStart(2, '0')}b`)]);
      await Promise.all(batches.map((rows) => writer.write(rows)));
      expect(await pgIds()).toEqual(batches.flat().map((r) => r.id).sort());
      const stored = await store.deps.store.db.selectFrom('inbound_queue').select(['raw', 'recipients_json', 'channel_id']).where('id', '=', 'm07b').executeTakeFirstOrThrow();
      expect(Buffer.from(stored.raw!).toString()).toBe('Subject: m07b\r\n\r\nHi\r\n');
      expect(stored.recipients_json).toBe('["help@acme.example"]');
      expect(stored.channel_id).toBeNull();
    } finally {
      await writer.close();
    }
  });

  it('refuses only the batch that fails, not the batches committed with it', async () => {
    const writer = SpoolWriterThread.postgres(store.config.databaseUrl!);
    try {
      // Up to four inserts run at once, so the failing batch repeats a row committed before; it is
      // posted among others, past the first four, so that it shares an insert with some.
      await writer.write([row('a0')]);
      const good = Array.from({ length: 11 }, (_, b) => [row(`g${String(b).padStart(2, '0')}a`), row(`g${String(b).padStart(2, '0')}b`)]);
      const posted = [...good.slice(0, 7), [row('b1'), row('a0')], ...good.slice(7)];
      const results = await Promise.allSettled(posted.map((rows) => writer.write(rows)));
      expect(results.map((r) => r.status)).toEqual(posted.map((_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
      expect(String(((results[7] as PromiseRejectedResult).reason as { code?: string }).code)).toBe('23505');
      expect(await pgIds()).toEqual(['a0', ...good.flat().map((r) => r.id)].sort());
    } finally {
      await writer.close();
    }
  });

  it('refuses with the connection error when PostgreSQL cannot be reached, and keeps going', async () => {
    const url = new URL(store.config.databaseUrl!);
    url.port = '1';
    const writer = SpoolWriterThread.postgres(url.toString());
    try {
      const refused = await writer.write([row('x1')]).then(
        () => null,
        (err: { code?: string }) => err,
      );
      expect(refused?.code).toBe('ECONNREFUSED');
      const again = await writer.write([row('x2')]).then(
        () => null,
        (err: { code?: string }) => err,
      );
      expect(again?.code).toBe('ECONNREFUSED');
    } finally {
      await writer.close();
    }
  });
});
