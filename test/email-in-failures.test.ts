// Email in when things go wrong: a message the parser cannot finish in its time limit is kept
// raw with the error while the event loop stays free; a full disk answers 452 4.3.1 and never 250;
// an unreachable database answers 451 4.3.0; STARTTLS when a certificate is configured; and a
// spoofed From of one of our agents never makes an agent's message.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { loadConfig } from '../src/server/config.ts';
import { createDeps } from '../src/server/deps.ts';
import { makeAccount, openTestStore, type TestStore } from './helpers/stores.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../src/server/mail/smtp-in.ts';
import { configureParsePool, ParsePool } from '../src/server/mail/parse.ts';
import { ingestRawEmail } from '../src/server/mail/ingest.ts';
import { crlf, sendRaw } from './email-in-support.ts';

const heavy = () => crlf(`From: slow@customer.example\nTo: x@y\nSubject: Heavy\nMessage-ID: <heavy-${Date.now()}@customer.example>\nContent-Type: text/plain; format=flowed; delsp=yes\n\n${('word '.repeat(15) + '\n').repeat(40_000)}`);

describe('parsing in a worker with a time limit', () => {
  it('gives up on a message that takes too long, while the event loop stays free', async () => {
    const pool = new ParsePool(1, 300);
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const result = await pool.parse(heavy());
      clearInterval(timer);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/could not be parsed within/);
      // The main thread ran its timers while the worker was busy.
      expect(ticks).toBeGreaterThan(3);
      // The pool replaced the worker and still parses.
      const ok = await pool.parse(crlf('From: a@b.c\nSubject: fine\n\nok\n'));
      expect(ok.ok && ok.parsed.subject).toBe('fine');
    } finally {
      await pool.close();
    }
  });

  it('stores such a message raw with its parse error (never a bounce)', async () => {
    const store = await openTestStore('sqlite');
    try {
      await configureParsePool({ size: 1, timeoutMs: 300 });
      const acct = await makeAccount(store.deps);
      const to = acct.email.inbound_address;
      const result = await ingestRawEmail(store.deps, { raw: heavy(), recipients: [to], mailFrom: 'slow@customer.example', via: 'smtp' });
      expect(result.outcome).toBe('stored');
      const m = await store.deps.store.db.selectFrom('messages').selectAll().where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
      expect(m.parse_error).toMatch(/could not be parsed within/);
      expect(m.raw_key).toBeTruthy();
      const conv = await store.deps.store.db.selectFrom('conversations').selectAll().where('id', '=', m.conversation_id).executeTakeFirstOrThrow();
      expect(conv.preview).toMatch(/could not be read/);
    } finally {
      await configureParsePool({});
      await store.dispose();
    }
  });
});

/** A small tmpfs, so "disk full" is real; only where mounting is permitted (root in CI). */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const canMount = (() => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-mount-probe-'));
  const ok = mountTmpfs(probe, '64k');
  if (ok) execFileSync('umount', [probe]);
  fs.rmSync(probe, { recursive: true, force: true });
  return ok;
})();

describe.skipIf(!canMount)('disk full', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-full-'));
  let store: TestStore;
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    mountTmpfs(dataDir, '4m');
    // PostgreSQL holds the rows; DATA_DIR (the blobs) is the small disk.
    store = await openTestStore('postgres', { DATA_DIR: dataDir });
    smtp = await startSmtpReceiver(store.deps, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await smtp?.stop();
    await store?.dispose().catch(() => {});
    try {
      execFileSync('umount', [dataDir]);
    } catch {
      // already gone
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 452 4.3.1 while the disk is full, and 250 once there is room', async () => {
    const acct = await makeAccount(store.deps);
    const to = acct.email.inbound_address;
    const filler = path.join(dataDir, 'filler');
    try {
      fs.writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024 - 64 * 1024));
    } catch {
      // filled to the brim: that is the point
    }
    const mail = crlf(`From: full@customer.example\nTo: ${to}\nSubject: Disk full\nMessage-ID: <full-1@customer.example>\n\n${'x'.repeat(75) + '\n'}`.repeat(1) + 'y'.repeat(76).concat('\n').repeat(3000));
    const full = await sendRaw(smtp.port, { from: 'full@customer.example', to: [to], data: mail });
    expect(full.final).toMatch(/^452 4\.3\.1 /);
    expect(await store.deps.store.db.selectFrom('messages').select('id').where('account_id', '=', acct.account.id).execute()).toEqual([]);
    fs.rmSync(filler);
    const ok = await sendRaw(smtp.port, { from: 'full@customer.example', to: [to], data: mail });
    expect(ok.final).toMatch(/^250 /);
  });
});

describe('our own failures and TLS', () => {
  it('answers 451 4.3.0 at RCPT when the database is unreachable', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-down-'));
    const deps = await createDeps(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', LOG_LEVEL: 'silent' }), { migrate: false, logger: pino({ level: 'silent' }) });
    const smtp = await startSmtpReceiver(deps, { port: 0, host: '127.0.0.1' });
    try {
      const r = await sendRaw(smtp.port, { from: 'a@customer.example', to: ['inbox@acme.parley.localhost'], data: 'Subject: x\r\n\r\nx\r\n' });
      expect(r.final).toMatch(/^451 4\.3\.0 /);
    } finally {
      await smtp.stop();
      await deps.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('offers STARTTLS with a configured certificate and receives over TLS; spoofing an agent gives no agent identity', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const store = await openTestStore('sqlite', { SMTP_TLS_KEY: path.join(dir, 'key.pem'), SMTP_TLS_CERT: path.join(dir, 'cert.pem') });
    const smtp = await startSmtpReceiver(store.deps, { port: 0, host: '127.0.0.1' });
    try {
      const acct = await makeAccount(store.deps);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
      const info = await transport.sendMail({ from: `Owner <${acct.owner.email}>`, to: acct.email.inbound_address, subject: 'Over TLS, claiming to be the owner', text: 'I am totally the agent.' });
      expect(info.response).toMatch(/^250 /);
      await smtp.settled();
      const m = await store.deps.store.db.selectFrom('messages').selectAll().where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
      expect(m.direction).toBe('in');
      expect(m.author_user_id).toBeNull();
      const contact = await store.deps.store.db.selectFrom('contacts').selectAll().where('id', '=', m.author_contact_id!).executeTakeFirstOrThrow();
      expect(contact.email).toBe(acct.owner.email.toLowerCase());
    } finally {
      await smtp.stop();
      await store.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
