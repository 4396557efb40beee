// GET /api/v1/conversations with 100,000 conversations in one account (issue 2): 20 concurrent
// clients with autocannon for ~10 s against the real `parley start` process, on SQLite and on
// PostgreSQL, with GET /healthz under the same load as the baseline (so figures are ratios too).
// Goal: p99 under 20 ms. Rows are bulk-inserted through Kysely in batches before the server starts.
// Besides latency, each row reports the server's CPU per request (from /proc), the figure that
// holds up on a loaded machine. Repeated identical requests are answered from the page cache
// (http/page-cache.ts, keyed by the account's event_seq); the "uncached" row sends a cursor never
// seen before on every request, so each one runs the query.
// Run: npx tsx bench/foundation-list.ts [--seconds=10] [--rows=100000] [--only=sqlite|postgres]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { loadConfig } from '../src/server/config.ts';
import { createDeps } from '../src/server/deps.ts';
import { createAccount } from '../src/server/core/create-account.ts';
import { seedContacts, seedConversations } from '../test/helpers/seed.ts';
import { PG_ADMIN_URL } from '../test/helpers/stores.ts';
import { startServer } from '../test/helpers/processes.ts';
import { encodeCursor } from '../src/server/http/pagination.ts';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const SECONDS = Number(arg('seconds', '10'));
const ROWS = Number(arg('rows', '100000'));
const ONLY = arg('only', '');
const CONNECTIONS = 20;

interface Figures {
  p50: number;
  p90: number;
  p99: number;
  rps: number;
  errors: number;
  non2xx: number;
  cpuMsPerRequest: number;
}

/** user + system CPU time of a process so far, in ms (clock ticks are 10 ms on Linux). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** `path` rewrites each request's path (to defeat the page cache); by default every request is the same URL. */
async function load(url: string, token: string, pid: number, path?: () => string): Promise<Figures> {
  const cpu0 = cpuMs(pid);
  const requests = path ? [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: path() }) }] : undefined;
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: `Bearer ${token}` }, requests });
  const cpuMsPerRequest = (cpuMs(pid) - cpu0) / Math.max(result.requests.total, 1);
  return { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, rps: result.requests.average, errors: result.errors, non2xx: result.non2xx, cpuMsPerRequest };
}

async function bench(kind: 'sqlite' | 'postgres'): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-list-'));
  let databaseUrl: string | undefined;
  const dbName = `parley_bench_${crypto.randomBytes(4).toString('hex')}`;
  if (kind === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ROLES: 'web', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  try {
    const t0 = performance.now();
    const deps = await createDeps(loadConfig(env), { logger: pino({ level: 'silent' }) });
    const acct = await deps.run({ kind: 'system', accountId: null, reason: 'bench' }, (ctx) =>
      createAccount(ctx, { name: 'Bench', subdomain: 'bench', plan: 'professional', owner: { email: 'owner@bench.test', password: 'password123' } }, deps.domains),
    );
    const contacts = await seedContacts(deps.store.db, acct.account.id, 5000);
    await seedConversations(deps.store.db, {
      accountId: acct.account.id,
      inboxId: acct.inbox.id,
      contactIds: contacts,
      n: ROWS,
      distinctTimes: Math.floor(ROWS / 2),
      status: (i) => (i % 4 === 0 ? 'closed' : 'open'),
      assigneeId: (i) => (i % 3 === 0 ? acct.owner.id : null),
    });
    // Fresh statistics, as autovacuum would have after a bulk load this size.
    if (kind === 'postgres') await sql`analyze`.execute(deps.store.db);
    await deps.close();
    console.log(`[${kind}] seeded ${ROWS} conversations and 5,000 contacts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const server = await startServer(env);
    const pid = server.child.pid!;
    try {
      const api = `${server.url}/api/v1/conversations`;
      // Warm up caches and the JIT, then measure the baseline and the list under the same load.
      await autocannon({ url: api, connections: CONNECTIONS, duration: 2, headers: { authorization: `Bearer ${acct.token}` } });
      const baseline = await load(`${server.url}/healthz`, acct.token, pid);
      const list = await load(api, acct.token, pid);
      const filtered = await load(`${api}?status=open&assigneeId=me`, acct.token, pid);
      // Every request a page never asked before: a cursor of its own (a time within the seeded
      // range, one second apart), so each one misses the page cache and runs the query.
      let n = 0;
      const uncachedPath = () => `/api/v1/conversations?cursor=${encodeCursor([new Date(Date.UTC(2026, 0, 1) - ++n * 1000).toISOString(), 'z'])}`;
      const uncached = await load(api, acct.token, pid, uncachedPath);
      const page = await fetch(`${api}?limit=50`, { headers: { authorization: `Bearer ${acct.token}` } }).then((r) => r.json() as Promise<{ items: unknown[] }>);
      if (page.items.length !== 50) throw new Error(`expected a page of 50, got ${page.items.length}`);
      const line = (name: string, f: Figures) =>
        `  ${name.padEnd(46)} p50 ${String(f.p50).padStart(3)} ms  p90 ${String(f.p90).padStart(3)} ms  p99 ${String(f.p99).padStart(3)} ms  ${f.rps.toFixed(0).padStart(6)} req/s  CPU ${f.cpuMsPerRequest.toFixed(2)} ms/req  errors ${f.errors + f.non2xx}`;
      console.log(`[${kind}] ${CONNECTIONS} connections, ${SECONDS} s each (load average ${os.loadavg()[0]!.toFixed(1)}):`);
      console.log(line('GET /healthz (baseline)', baseline));
      console.log(line('GET /api/v1/conversations (50 per page)', list));
      console.log(line('GET …?status=open&assigneeId=me', filtered));
      console.log(line("GET …?cursor=<new each request> (uncached)", uncached));
      console.log(`  list/baseline: p50 ×${(list.p50 / Math.max(baseline.p50, 1)).toFixed(1)}, p99 ×${(list.p99 / Math.max(baseline.p99, 1)).toFixed(1)}; goal p99 < 20 ms: ${list.p99 < 20 ? 'met' : 'missed'}`);
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }
}

for (const kind of ['sqlite', 'postgres'] as const) if (!ONLY || ONLY === kind) await bench(kind);
