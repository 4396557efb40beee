// RFC 5321 §6.1, proved: the real server (`node bin/parley.js start`, roles smtp,web) is killed
// with SIGKILL at random points (during DATA, after the spool commit, while the processor parses
// and commits conversations) while a client that retries on 4xx and dropped connections sends a
// burst. Each restart drains what the spool held. Afterwards every message the client saw
// acknowledged is stored exactly once, and nothing is half-written: no conversation without
// messages, no message without its raw blob, nothing left in the spool.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../src/server/config.ts';
import { createDeps } from '../src/server/deps.ts';
import { makeAccount, PG_ADMIN_URL, STORE_KINDS } from './helpers/stores.ts';
import { blobStore } from '../src/server/blobs/blob-store.ts';
import { crlf, sendRaw } from './email-in-support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const KILLS = 4;
const MIN_MESSAGES = 30;
const CONCURRENCY = 4;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, proc: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`server exited (${proc.exitCode ?? proc.signalCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start in time');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const kind of STORE_KINDS) {
  describe(`SIGKILL during an SMTP burst [${kind}]`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-crash-'));
    const dbName = `parley_crash_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    let databaseUrl: string | undefined;
    let server: ChildProcess | null = null;

    afterAll(async () => {
      server?.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (databaseUrl) {
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    });

    it('loses nothing acknowledged and stores nothing twice', { timeout: 240_000 }, async () => {
      if (kind === 'postgres') {
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(`create database ${dbName}`);
        await admin.end();
        const u = new URL(PG_ADMIN_URL);
        u.pathname = `/${dbName}`;
        databaseUrl = u.toString();
      }
      const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
      const setup = await createDeps(loadConfig(env), { logger: pino({ level: 'silent' }) });
      const acct = await makeAccount(setup);
      await setup.close();
      const to = acct.email.inbound_address;

      const [smtpPort, httpPort] = [await freePort(), await freePort()];
      const start = () => {
        server = spawn(process.execPath, [path.join(ROOT, 'bin/parley.js'), 'start'], {
          cwd: ROOT,
          env: { ...process.env, ...env, ROLES: 'smtp,web', PORT: String(httpPort), SMTP_PORT: String(smtpPort), HOST: '127.0.0.1' },
          stdio: 'ignore',
        });
        return server;
      };
      await waitForPort(smtpPort, start());

      const acked = new Set<string>();
      let withAttachment = 0;
      let attempts = 0;
      let stop = false;
      const send = async (i: number) => {
        const id = `crash-${i}-${crypto.randomBytes(4).toString('hex')}@customer.example`;
        // Every third message has an attachment, every fifth replies to an earlier one.
        const parts = [
          `From: Customer ${i % 7} <c${i % 7}@customer.example>`,
          `To: ${to}`,
          `Subject: Burst ${i}`,
          `Message-ID: <${id}>`,
          ...(i % 5 === 4 ? [`In-Reply-To: <crash-${i - 1}@nowhere>`] : []),
          'MIME-Version: 1.0',
        ];
        const data =
          i % 3 === 0
            ? crlf([...parts, 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', `Message ${i}`, '--b', 'Content-Type: application/octet-stream', `Content-Disposition: attachment; filename="f${i}.bin"`, 'Content-Transfer-Encoding: base64', '', crypto.randomBytes(3000).toString('base64').replace(/.{76}/g, '$&\n'), '--b--', ''].join('\n'))
            : crlf([...parts, 'Content-Type: text/plain', '', `Message ${i} `.repeat(50), ''].join('\n'));
        for (;;) {
          attempts++;
          try {
            const r = await Promise.race([
              sendRaw(smtpPort, { from: `c${i % 7}@customer.example`, to: [to], data }),
              sleep(20_000).then(() => ({ final: '(timeout)', replies: [] })),
            ]);
            if (r.final.startsWith('250')) {
              acked.add(id);
              if (i % 3 === 0) withAttachment++;
              return;
            }
            if (/^5/.test(r.final)) throw new Error(`permanent failure for ${id}: ${r.final}`);
          } catch (err) {
            if ((err as Error).message.startsWith('permanent')) throw err;
          }
          await sleep(100);
        }
      };
      // The burst runs until the killer is done (and at least MIN_MESSAGES were sent).
      let next = 0;
      const workers = Array.from({ length: CONCURRENCY }, async () => {
        while (!stop || next < MIN_MESSAGES) await send(next++);
      });
      const sending = Promise.all(workers);

      let kills = 0;
      while (kills < KILLS) {
        await sleep(150 + Math.random() * 1000);
        const victim = server!;
        const exited = new Promise((r) => victim.once('exit', r));
        victim.kill('SIGKILL');
        await exited;
        kills++;
        await waitForPort(smtpPort, start());
      }
      stop = true;
      await sending;

      expect(acked.size).toBe(next);
      expect(acked.size).toBeGreaterThanOrEqual(MIN_MESSAGES);

      const check = await createDeps(loadConfig(env), { logger: pino({ level: 'silent' }) });
      try {
        const db = check.store.db;
        // 250 means spooled: the running server processes the rest (and what the kills left).
        for (let i = 0; ; i++) {
          const left = await db.selectFrom('inbound_queue').select('id').execute();
          if (left.length === 0) break;
          if (i > 600) throw new Error(`${left.length} messages still in the spool`);
          await sleep(100);
        }
        server!.kill('SIGTERM');
        await new Promise((r) => server!.once('exit', r));
        server = null;
        const rows = await db.selectFrom('messages').select(['id', 'message_id', 'raw_key', 'raw_inline', 'conversation_id']).where('account_id', '=', acct.account.id).where('kind', '=', 'message').execute();
        const count = new Map<string, number>();
        for (const r of rows) count.set(r.message_id ?? '', (count.get(r.message_id ?? '') ?? 0) + 1);
        for (const id of acked) expect(count.get(id), `message ${id}`).toBe(1);
        expect([...count.values()].every((n) => n === 1)).toBe(true);
        const blobs = blobStore(dataDir);
        // Every raw copy is there: small ones in the database with their message, larger ones as blob files.
        const inline = new Set((await db.selectFrom('message_raws').select('message_id').execute()).map((r) => r.message_id));
        for (const r of rows) expect(r.raw_inline ? inline.has(r.id) : await blobs.exists(r.raw_key!), `raw of ${r.message_id}`).toBe(true);
        const atts = await db.selectFrom('attachments').select('storage_key').where('account_id', '=', acct.account.id).execute();
        expect(atts.length).toBe(withAttachment);
        for (const a of atts) expect(await blobs.exists(a.storage_key)).toBe(true);
        const empty = await db
          .selectFrom('conversations')
          .select('id')
          .where('account_id', '=', acct.account.id)
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('messages').select(sql`1`.as('one')).whereRef('messages.conversation_id', '=', 'conversations.id'))))
          .execute();
        expect(empty).toEqual([]);
        const numbers = await db.selectFrom('conversations').select('number').where('account_id', '=', acct.account.id).execute();
        expect(new Set(numbers.map((n) => n.number)).size).toBe(numbers.length);
        console.log(`[${kind}] ${kills} kills, ${attempts} attempts, ${acked.size} acknowledged, ${rows.length} stored`);
      } finally {
        await check.close();
      }
    });
  });
}
