// Outbound throughput (issue 4, Speed): how fast the outbox worker empties a queue of agent
// replies into a local SMTP sink, with DKIM off and on, on SQLite and PostgreSQL, against the
// sink's own receive rate from a plain nodemailer client (same sink, same message size, one
// connection reused) measured in the same run. Goal: at least 70% of the baseline.
//
//   npx tsx bench/outbound-throughput.ts [messages=500]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { startSmtpSink } from '../test/helpers/smtp-sink.ts';
import { openTestStore, makeAccount, type StoreKind } from '../test/helpers/stores.ts';
import { receive } from '../test/helpers/email-out.ts';
import { createWorker } from '../src/server/jobs/runner.ts';
import { jobHandlers } from '../src/server/jobs/handlers.ts';
import { replyToConversation } from '../src/server/core/reply-to-conversation.ts';
import { closeRelayTransports } from '../src/server/mail/relay.ts';

const N = Number(process.argv[2] ?? 500);
const BODY = 'Thanks for getting in touch. '.repeat(40); // ~1.1 KB, a typical reply

async function baseline(url: string, dkim: { domainName: string; keySelector: string; privateKey: string } | undefined): Promise<number> {
  const port = Number(new URL(url).port);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, pool: true, maxConnections: 1 });
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    await transport.sendMail({
      from: '"Ada Lovelace at Acme" <ada.lovelace@bench.parley.localhost>',
      to: 'grace@customer.test',
      subject: `Re: Question ${i}`,
      text: BODY,
      messageId: `<${crypto.randomUUID()}@bench.parley.localhost>`,
      dkim,
    });
  }
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return N / seconds;
}

async function parley(kind: StoreKind, url: string, env: Record<string, string>, loops: number): Promise<number> {
  const store = await openTestStore(kind, { SMTP_RELAY_URL: url, ...env });
  try {
    const deps = store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    await deps.store.db.updateTable('users').set({ first_name: 'Ada', last_name: 'Lovelace' }).where('id', '=', acct.owner.id).execute();
    const conversationId = await receive(deps, { to: acct.email.inbound_address });
    const actor = { kind: 'user' as const, user: { ...acct.owner, first_name: 'Ada', last_name: 'Lovelace' }, account: acct.account, via: 'token' as const };
    // Queue first (not timed), then time the worker emptying the outbox.
    for (let i = 0; i < N; i++) await deps.run(actor, (ctx) => replyToConversation(ctx, { conversationId, kind: 'message', body: BODY }, deps.domains));
    // `loops` workers claim from the same queue (claims are conditional UPDATEs, so never twice).
    const workers = Array.from({ length: loops }, () => createWorker(deps, jobHandlers, { pollMs: 3_600_000 }));
    const started = performance.now();
    await Promise.all(
      workers.map(async (worker) => {
        while ((await worker.drain()) > 0);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const worker of workers) await worker.stop();
    const delivered = await deps.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('delivery_status', '=', 'sent').executeTakeFirstOrThrow();
    if (Number(delivered.n) !== N) throw new Error(`expected ${N} sent, got ${delivered.n}`);
    return N / seconds;
  } finally {
    closeRelayTransports();
    await store.dispose();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dkim-'));
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyPath = path.join(dir, 'dkim.pem');
fs.writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
const dkimEnv = { DKIM_SELECTOR: 'bench', DKIM_PRIVATE_KEY_PATH: keyPath, DKIM_DOMAIN: 'parley.localhost' };
const dkimOpts = { domainName: 'parley.localhost', keySelector: 'bench', privateKey: fs.readFileSync(keyPath, 'utf8') };

const sink = await startSmtpSink();
console.log(`outbound throughput, ${N} messages of ~${Buffer.byteLength(BODY)} B each, sink ${sink.url}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| DKIM | store | worker loops | baseline msg/s | Parley msg/s | Parley / baseline | DKIM-signed |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
const rows: string[] = [];
for (const dkim of [false, true]) {
  const base = await baseline(sink.url, dkim ? dkimOpts : undefined);
  sink.messages.length = 0;
  for (const kind of ['sqlite', 'postgres'] as const) {
    for (const loops of [1, 2]) {
      const rate = await parley(kind, sink.url, dkim ? dkimEnv : {}, loops);
      const signed = sink.messages.filter((m) => m.raw.toString('latin1').includes('DKIM-Signature:')).length;
      sink.messages.length = 0;
      const line = `| ${dkim ? 'on' : 'off'} | ${kind} | ${loops} | ${base.toFixed(0)} | ${rate.toFixed(0)} | ${((rate / base) * 100).toFixed(0)}% | ${signed}/${N} |`;
      console.log(line);
      rows.push(line);
    }
  }
}
await sink.close();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
