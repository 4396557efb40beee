// The server's inbound processing runs in a thread of its own (inbound-processor-thread.ts), on
// both stores: mail received over SMTP becomes conversations exactly once, and the thread's
// commits reach the parent's bus (what live updates and the WebSocket rely on), and a thread that
// dies is started again; on SQLite its commits leave WAL checkpoints to the checkpoint thread. Draining on start is in email-in-spool.test.ts, for both places the
// processor runs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { openTestStore } from './helpers/test-store.ts';
import { checkpointOffThread } from '../src/server/db/wal-checkpointer.ts';
import { startSmtpReceiver } from '../src/server/mail/smtp-in.ts';
import { inboundSpool } from '../src/server/mail/inbound-spool.ts';
import { startProcessorThread } from '../src/server/mail/inbound-processor-thread.ts';
import { crlf, sendRaw } from './email-in-support.ts';

const mail = (to: string, id: string) => crlf(`From: Ann <ann@customer.example>\nTo: ${to}\nSubject: ${id}\nMessage-ID: <${id}@customer.example>\n\nHello\n`);
const uid = (tag: string) => `${tag}-${crypto.randomBytes(5).toString('hex')}`;

describeEachStore('inbound processor thread', (store) => {
  it('turns mail received over SMTP into conversations, each once, and tells the bus', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const published = new Set<string>();
    const unsubscribe = store().deps.bus.subscribe((accountId) => published.add(accountId));
    const smtp = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1', processing: 'thread' });
    try {
      const ids = Array.from({ length: 25 }, () => uid('thread'));
      // Each one twice, concurrently: accepted both times, stored once.
      const replies = await Promise.all([...ids, ...ids].map((id) => sendRaw(smtp.port, { from: 'ann@customer.example', to: [to], data: mail(to, id) })));
      expect(replies.map((r) => r.final).filter((f) => !/^250 2\.0\.0 Queued as /.test(f))).toEqual([]);
      await smtp.settled();
      const rows = await store().deps.store.db.selectFrom('messages').select('message_id').where('account_id', '=', acct.account.id).execute();
      expect(rows.map((r) => r.message_id).sort()).toEqual(ids.map((id) => `${id}@customer.example`).sort());
      expect(await store().deps.store.db.selectFrom('conversations').select('id').where('account_id', '=', acct.account.id).execute()).toHaveLength(ids.length);
      expect(await store().deps.store.db.selectFrom('inbound_queue').select('id').execute()).toEqual([]);
      expect(published.has(acct.account.id)).toBe(true);
    } finally {
      unsubscribe();
      await smtp.stop();
    }
  });


  it('starts the thread again when it dies, and processes what arrived meanwhile', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const spool = inboundSpool(store().deps.store);
    const append = (id: string) => {
      const raw = mail(to, id);
      return spool.append({ raw, file: null, size: raw.length, mailFrom: 'ann@customer.example', recipients: [to] });
    };
    const processing = startProcessorThread(store().deps);
    try {
      const first = uid('before');
      await append(first);
      await processing.idle();
      const dead = processing.current();
      expect(dead).not.toBeNull();
      await dead!.terminate();
      const second = uid('after');
      await append(second);
      await processing.idle();
      expect(processing.current()).not.toBe(dead);
      const rows = await store().deps.store.db.selectFrom('messages').select('message_id').where('account_id', '=', acct.account.id).execute();
      expect(rows.map((r) => r.message_id).sort()).toEqual([`${first}@customer.example`, `${second}@customer.example`].sort());
    } finally {
      await processing.release();
    }
  });
});

it('leaves WAL checkpoints to the checkpoint thread: the processor thread never runs one in its commits (SQLite)', async () => {
  const t = await openTestStore('sqlite');
  try {
    // A checkpoint thread that does not look during the test: any checkpoint now would be one
    // that a commit ran itself. Until one runs, the database file does not grow.
    expect(checkpointOffThread(t.deps.store, 3_600_000)).toBe(true);
    const acct = await makeAccount(t.deps);
    const to = acct.email.inbound_address;
    const dbFile = path.join(t.config.dataDir, 'parley.sqlite');
    t.deps.store.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
    const before = fs.statSync(dbFile).size;
    const spool = inboundSpool(t.deps.store);
    const processing = startProcessorThread(t.deps);
    try {
      // Enough commits to pass SQLite's automatic checkpoint (1,000 WAL pages) several times.
      const ids = Array.from({ length: 300 }, () => uid('wal'));
      await Promise.all(ids.map((id) => spool.append({ raw: mail(to, id), file: null, size: 200, mailFrom: 'ann@customer.example', recipients: [to] })));
      await processing.idle();
      expect(await t.deps.store.db.selectFrom('conversations').select('id').where('account_id', '=', acct.account.id).execute()).toHaveLength(ids.length);
      expect(fs.statSync(dbFile).size).toBe(before);
    } finally {
      await processing.release();
    }
  } finally {
    await t.dispose();
  }
});
