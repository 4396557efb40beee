// API writes while inbound mail streams in (issue 3's "without slowing the API"), on SQLite (or
// PostgreSQL with --store postgres): an agent's internal note is posted every 50 ms, first with
// nothing else running, then while smtp-source sends 40,000 × 2 KB over 8 connections, measured from the 8th second on, when the
// inbound processor stores mail alongside (its transactions, the spool's writer thread and the
// API's connection all need SQLite's one write lock). Prints each phase's latency and every
// failed request. Run: npx tsx bench/api-during-ingest.ts [--store postgres] (needs Postfix's
// smtp-source, see ingest-smtp.ts; not part of npm test).
import { spawn, spawnSync } from 'node:child_process';
import { startParleyServer, type StoreKind } from './parley-server.ts';

const storeIdx = process.argv.indexOf('--store');
const store: StoreKind = storeIdx > 0 && process.argv[storeIdx + 1] === 'postgres' ? 'postgres' : 'sqlite';
const server = await startParleyServer(store, { roles: 'web,smtp' });
const api = `http://127.0.0.1:${server.httpPort}/api/v1`;
const headers = { authorization: `Bearer ${server.account.token}`, 'content-type': 'application/json' };

async function firstConversation(): Promise<string> {
  spawnSync('swaks', ['--server', `127.0.0.1:${server.smtpPort}`, '--to', server.account.fallbackEmail, '--from', 'ann@customer.example', '--h-Subject', 'Notes go here']);
  for (;;) {
    const page = (await (await fetch(`${api}/conversations?inboxId=${server.account.inbox.id}`, { headers })).json()) as { items: Array<{ id: string }> };
    if (page.items[0]) return page.items[0].id;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function postNotes(conversationId: string, ms: number): Promise<{ latencies: number[]; failures: string[] }> {
  const latencies: number[] = [];
  const failures: string[] = [];
  for (const end = Date.now() + ms; Date.now() < end; ) {
    const started = performance.now();
    const response = await fetch(`${api}/conversations/${conversationId}/messages`, { method: 'POST', headers, body: JSON.stringify({ kind: 'note', body: 'A note' }) });
    const text = await response.text();
    const took = performance.now() - started;
    if (response.status === 201) latencies.push(took);
    else failures.push(`${response.status} after ${took.toFixed(0)} ms: ${text.slice(0, 120)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { latencies: latencies.sort((a, b) => a - b), failures };
}

function report(phase: string, { latencies, failures }: { latencies: number[]; failures: string[] }): void {
  const at = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]!.toFixed(1) : '–');
  console.log(`${phase}: ${latencies.length} notes stored, ${failures.length} failed; p50 ${at(50)} ms, p99 ${at(99)} ms, max ${at(100)} ms`);
  for (const f of failures.slice(0, 5)) console.log(`  ${f}`);
}

try {
  const conversationId = await firstConversation();
  report('idle', await postNotes(conversationId, 5_000));
  const source = spawn('/usr/sbin/smtp-source', ['-d', '-s', '8', '-m', '40000', '-l', '2048', '-f', 'sender@bench-client.test', '-t', server.account.fallbackEmail, `127.0.0.1:${server.smtpPort}`]);
  // Past the processor's 5 s burst deferral: from here it stores mail while mail arrives.
  await new Promise((r) => setTimeout(r, 8_000));
  report('during the stream', await postNotes(conversationId, 12_000));
  source.kill();
} finally {
  await server.stop();
}
