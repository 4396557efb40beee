// Access benchmark (issue 5): with 500 inboxes and 200 users, many inboxes limited to specific
// users and teams, how much do access checks add to GET /api/v1/conversations? The same query
// is run as an agent with restricted access and as a super admin (who sees every inbox), in the
// same run against the same server, interleaved request by request so both see the same machine
// state. Three modes: the first page one at a time in-process (the list's page cache answers it),
// uncached pages (a random cursor each) one at a time in-process, and the first page with
// --concurrency requests in flight over loopback HTTP. Each mode runs --rounds rounds of
// --requests requests per actor; p50/p99 are over all rounds pooled (so each p99 rests on
// rounds × requests / 100 tail samples), with a bootstrap interval for the p99 overhead, the
// per-round p99 overheads (their spread), how many tail requests overlapped a GC pause and, for
// in-process requests, how many mostly waited off-CPU, and the CPU time per request.
// Also times inboxRights (the per-request rights lookup) on its own.
// Run: npx tsx bench/access-list.ts [--pg] [--rounds=5] [--requests=4000] [--concurrency=10]
import { openTestStore } from '../test/helpers/test-store.ts';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Deps } from '../src/server/deps.ts';
import { buildApp } from '../src/server/http/app.ts';
import { createAccount } from '../src/server/core/create-account.ts';
import { issueApiToken } from '../src/server/core/api-tokens.ts';
import { inboxRights } from '../src/server/core/inbox-access.ts';
import { newId, newSecret } from '../src/server/core/ids.ts';
import { encodeCursor } from '../src/server/http/pagination.ts';
import type { Row } from '../src/server/db/schema.ts';

const args = process.argv.slice(2);
const usePg = args.includes('--pg');
function intOption(name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}
const ROUNDS = intOption('rounds', 5);
const REQUESTS = intOption('requests', 4000);
const CONCURRENCY = intOption('concurrency', 10);
const INBOXES = 500;
const USERS = 200;
const TEAMS = 40;
const CONVERSATIONS = 50_000;

// A small deterministic PRNG so every run builds the same world.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;

export function openStore(): Promise<{ deps: Deps; dispose: () => Promise<void> }> {
  return openTestStore(usePg ? 'postgres' : 'sqlite');
}

async function inBatches<T>(rows: T[], size: number, insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

export async function buildWorld(deps: Deps) {
  const db = deps.store.db;
  const now = Date.now();
  const created = await deps.run({ kind: 'system', accountId: null, reason: 'bench' }, (ctx) =>
    createAccount(ctx, { name: 'Bench', subdomain: `bench${newSecret(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, plan: 'enterprise', owner: { email: `owner-${newSecret(4)}@bench.test`, password: 'bench password' } }, deps.domains),
  );
  const accountId = created.account.id;
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

  const users: Row<'users'>[] = Array.from({ length: USERS - 1 }, (_, i) => ({
    id: newId(),
    account_id: accountId,
    email: `user${i}-${newSecret(3)}@bench.test`,
    first_name: `User${i}`,
    last_name: 'Bench',
    password_hash: null,
    role: i < 5 ? 'admin' : 'agent',
    seat: i % 4 === 0 ? 'free' : 'paid',
    availability: 'available',
    notify_in_app: 1,
    notify_email: 1,
    created_at: iso(0),
    deactivated_at: null,
  }));
  // Other helpers may add user columns (with defaults); insert only the ones the row names.
  await inBatches(users, 200, (b) => db.insertInto('users').values(b).execute());
  const teams = Array.from({ length: TEAMS }, (_, i) => ({ id: newId(), account_id: accountId, name: `Team ${i}`, created_at: iso(0) }));
  await db.insertInto('teams').values(teams).execute();
  const members: Array<{ team_id: string; user_id: string }> = [];
  for (const u of users) {
    const n = 1 + Math.floor(rand() * 3);
    const mine = new Set<string>();
    while (mine.size < n) mine.add(pick(teams).id);
    for (const t of mine) members.push({ team_id: t, user_id: u.id });
  }
  await inBatches(members, 500, (b) => db.insertInto('team_members').values(b).execute());

  // 499 more inboxes (the default exists): a fifth for everyone, the rest for specific users and teams.
  const inboxes: Row<'inboxes'>[] = Array.from({ length: INBOXES - 1 }, (_, i) => ({
    id: newId(),
    account_id: accountId,
    name: `Inbox ${i}`,
    is_default: 0,
    access: i % 5 === 0 ? 'everyone' : 'specific',
    created_at: iso(0),
    automation_revision: 0,
  }));
  await inBatches(inboxes, 200, (b) => db.insertInto('inboxes').values(b).execute());
  const grants: Row<'inbox_access_grants'>[] = [];
  for (const inbox of inboxes.filter((i) => i.access === 'specific')) {
    for (let k = 0; k < 3; k++) grants.push({ id: newId(), inbox_id: inbox.id, user_id: pick(users).id, team_id: null });
    grants.push({ id: newId(), inbox_id: inbox.id, user_id: null, team_id: pick(teams).id });
  }
  await inBatches(grants, 500, (b) => db.insertInto('inbox_access_grants').values(b).execute());

  const allInboxIds = [created.inbox.id, ...inboxes.map((i) => i.id)];
  const conversations: Row<'conversations'>[] = Array.from({ length: CONVERSATIONS }, (_, n) => {
    const at = iso(Math.floor(rand() * 90 * 86400_000));
    return {
      id: newId(),
      account_id: accountId,
      number: n + 1,
      inbox_id: pick(allInboxIds),
      channel_id: null,
      contact_id: null,
      status: rand() < 0.6 ? 'open' : 'closed',
      snoozed_until: null,
      assignee_id: rand() < 0.5 ? pick(users).id : null,
      subject: `Question ${n}`,
      preview: 'Hello, I have a question about my order',
      reply_token: newSecret(12),
      last_activity_at: at,
      created_at: at,
      closed_at: null,
      inbound_count: 0,
    };
  });
  await inBatches(conversations, 500, (b) => db.insertInto('conversations').values(b).execute());
  await db.updateTable('accounts').set({ conversation_counter: CONVERSATIONS }).where('id', '=', accountId).execute();

  // The restricted agent: a paid agent in teams, seeing the "everyone" inboxes plus its grants.
  const agent = users.find((u) => u.role === 'agent' && u.seat === 'paid')!;
  const tokens = await deps.run({ kind: 'system', accountId, reason: 'bench' }, async (ctx) => ({
    agent: (await issueApiToken(ctx, { user: agent, name: 'bench' })).token,
    superAdmin: (await issueApiToken(ctx, { user: created.owner, name: 'bench' })).token,
  }));
  const agentRights = await inboxRights(db, agent);
  const agentConversations = conversations.filter((c) => agentRights.has(c.inbox_id)).length;
  return { created, agent, tokens, agentInboxes: agentRights.size, agentConversations, grants: grants.length };
}

const ACTORS = ['agent', 'superAdmin'] as const;
type Actor = (typeof ACTORS)[number];
/**
 * One actor's requests: start (ms since the epoch, comparable across threads), latency (ms), and
 * for in-process requests the process CPU time they took (ms; empty for the HTTP client's).
 */
type Samples = { at: number[]; ms: number[]; cpu: number[] };
/** One round of a mode: each actor's samples. */
type Round = Record<Actor, Samples>;

const emptyRound = (): Round => ({ agent: { at: [], ms: [], cpu: [] }, superAdmin: { at: [], ms: [], cpu: [] } });
const nowMs = () => performance.timeOrigin + performance.now();

// GC pauses of the server's thread, to tell how many tail requests a pause overlapped.
const gcPauses: Array<{ at: number; ms: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
}).observe({ entryTypes: ['gc'] });

/** Collects the world build's garbage up front, so its mark-compact does not land in the first round. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function sorted(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}
const quantile = (s: Float64Array, p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
const median = (xs: number[]) => quantile(sorted(xs), 0.5);
const pct = (ratio: number) => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%`;

/** 95% bootstrap interval of p99(agent) / p99(super admin) - 1, resampling each actor's pooled samples. */
function p99OverheadInterval(agent: number[], superAdmin: number[], resamples = 400): [number, number] {
  const p99Of = (xs: number[]) => {
    const draw = new Float64Array(xs.length);
    // Math.random, not the world's PRNG: the interval needs independent draws, not reproducible ones.
    for (let i = 0; i < xs.length; i++) draw[i] = xs[Math.floor(Math.random() * xs.length)]!;
    return quantile(draw.sort(), 0.99);
  };
  const ratios: number[] = [];
  for (let b = 0; b < resamples; b++) ratios.push(p99Of(agent) / p99Of(superAdmin) - 1);
  const s = sorted(ratios);
  return [quantile(s, 0.025), quantile(s, 0.975)];
}

function report(label: string, rounds: Round[]): void {
  const pooled = (a: Actor): Samples => ({ at: rounds.flatMap((r) => r[a].at), ms: rounds.flatMap((r) => r[a].ms), cpu: rounds.flatMap((r) => r[a].cpu) });
  const all = { agent: pooled('agent'), superAdmin: pooled('superAdmin') };
  const stats = (a: Actor) => {
    const s = sorted(all[a].ms);
    return { p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
  };
  const ag = stats('agent');
  const sa = stats('superAdmin');
  const [lo, hi] = p99OverheadInterval(all.agent.ms, all.superAdmin.ms);
  const perRound = rounds.map((r) => quantile(sorted(r.agent.ms), 0.99) / quantile(sorted(r.superAdmin.ms), 0.99) - 1);
  let [from, to] = [Infinity, -Infinity];
  for (const { at, ms } of [all.agent, all.superAdmin]) {
    at.forEach((t, i) => {
      from = Math.min(from, t);
      to = Math.max(to, t + ms[i]!);
    });
  }
  const pauses = gcPauses.filter((g) => g.at < to && g.at + g.ms > from);
  // Of an actor's requests at or above `min` ms, how many match.
  const count = (a: Actor, min: number, match: (i: number) => boolean) => {
    const { ms } = all[a];
    let n = 0;
    let hit = 0;
    for (let i = 0; i < ms.length; i++) {
      if (ms[i]! < min) continue;
      n++;
      if (match(i)) hit++;
    }
    return `${hit}/${n}`;
  };
  const inGc = (a: Actor, min: number) => count(a, min, (i) => pauses.some((g) => g.at < all[a].at[i]! + all[a].ms[i]! && g.at + g.ms > all[a].at[i]!));
  const offCpu = (a: Actor, min: number) => count(a, min, (i) => all[a].cpu[i]! < all[a].ms[i]! / 2);
  console.log(`GET /api/v1/conversations?limit=50, ${label}, ${rounds.length} rounds × ${REQUESTS} requests per actor, interleaved (pooled):`);
  console.log(`  restricted agent: p50 ${ag.p50.toFixed(2)} ms, p99 ${ag.p99.toFixed(2)} ms`);
  console.log(`  super admin:      p50 ${sa.p50.toFixed(2)} ms, p99 ${sa.p99.toFixed(2)} ms`);
  console.log(`  access overhead: p50 ${pct(ag.p50 / sa.p50 - 1)}, p99 ${pct(ag.p99 / sa.p99 - 1)} (95% bootstrap interval ${pct(lo)} to ${pct(hi)}; goal < 10% on p99)`);
  console.log(`  per-round p99 overhead: median ${pct(median(perRound))}, range ${pct(Math.min(...perRound))} to ${pct(Math.max(...perRound))} (${perRound.map(pct).join(', ')})`);
  const pauseMs = pauses.map((g) => g.ms);
  console.log(
    `  server GC: ${pauses.length} pauses, ${pauseMs.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, longest ${Math.max(0, ...pauseMs).toFixed(1)} ms; ` +
      `requests that overlapped a pause, at or above p99: agent ${inGc('agent', ag.p99)}, super admin ${inGc('superAdmin', sa.p99)}; of all: agent ${inGc('agent', 0)}, super admin ${inGc('superAdmin', 0)}`,
  );
  if (all.agent.cpu.length > 0) {
    // Less CPU than half the wall time: the request mostly waited, for a core (a busy machine) or on PostgreSQL also for the database.
    console.log(`  requests at or above p99 that spent under half their time on CPU: agent ${offCpu('agent', ag.p99)}, super admin ${offCpu('superAdmin', sa.p99)}`);
    // The process's CPU time per request, which other processes' load does not stretch (GC threads included).
    const cpu = (a: Actor) => sorted(all[a].cpu);
    const [ac, sc] = [cpu('agent'), cpu('superAdmin')];
    console.log(
      `  CPU time per request (the process's, all threads): agent p50 ${quantile(ac, 0.5).toFixed(2)} ms, p99 ${quantile(ac, 0.99).toFixed(2)} ms; super admin p50 ${quantile(sc, 0.5).toFixed(2)} ms, p99 ${quantile(sc, 0.99).toFixed(2)} ms; ` +
        `overhead p50 ${pct(quantile(ac, 0.5) / quantile(sc, 0.5) - 1)}, p99 ${pct(quantile(ac, 0.99) / quantile(sc, 0.99) - 1)}`,
    );
  }
}

// The concurrent client runs in a worker thread (its own event loop, as a separate client would
// be) with keep-alive connections; each of its loops alternates the two actors, so both share the
// same window. Plain JavaScript: a worker does not inherit tsx's loader.
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { url, tokens, concurrency, perActor } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const get = (token) => new Promise((resolve, reject) => {
  http.get(url, { agent, headers: { authorization: 'Bearer ' + token } }, (res) => {
    res.resume();
    res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('GET answered ' + res.statusCode))));
  }).on('error', reject);
});
parentPort.on('message', async () => {
  try {
    const out = tokens.map(() => ({ at: new Float64Array(perActor), ms: new Float64Array(perActor) }));
    const next = tokens.map(() => 0);
    const loop = async (a) => {
      for (;;) {
        if (next[a] >= perActor) a = 1 - a;
        if (next[a] >= perActor) return;
        const i = next[a]++;
        const s = performance.now();
        await get(tokens[a]);
        out[a].ms[i] = performance.now() - s;
        out[a].at[i] = performance.timeOrigin + s;
        a = 1 - a;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, k) => loop(k % 2)));
    parentPort.postMessage({ rounds: out });
  } catch (err) {
    parentPort.postMessage({ error: String(err) });
  }
});
`;

/** What the client worker posts back for a round, checked before use. */
function clientRound(message: unknown): Round {
  const m = message as { rounds?: unknown; error?: unknown };
  if (typeof m?.error === 'string') throw new Error(`concurrent client: ${m.error}`);
  const r = m?.rounds;
  const valid = (x: unknown): x is { at: Float64Array; ms: Float64Array } =>
    (x as { at?: unknown })?.at instanceof Float64Array && (x as { ms?: unknown }).ms instanceof Float64Array && (x as { ms: Float64Array }).ms.length === REQUESTS;
  const [agent, superAdmin] = Array.isArray(r) ? r : [];
  if (!valid(agent) || !valid(superAdmin)) throw new Error('concurrent client: malformed round');
  const samples = (x: { at: Float64Array; ms: Float64Array }): Samples => ({ at: Array.from(x.at), ms: Array.from(x.ms), cpu: [] });
  return { agent: samples(agent), superAdmin: samples(superAdmin) };
}

async function concurrentRounds(url: string, tokens: Record<Actor, string>): Promise<Round[]> {
  const worker = new Worker(CLIENT, { eval: true, workerData: { url, tokens: ACTORS.map((a) => tokens[a]), concurrency: CONCURRENCY, perActor: REQUESTS } });
  const round = () =>
    new Promise<Round>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: unknown) => {
        worker.off('error', reject);
        try {
          resolve(clientRound(m));
        } catch (err) {
          reject(err);
        }
      });
      worker.postMessage('round');
    });
  try {
    await round(); // warm-up: connections, JIT
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await round());
    return rounds;
  } finally {
    await worker.terminate();
  }
}

async function main(): Promise<void> {
  const { deps, dispose } = await openStore();
  try {
    const t0 = Date.now();
    const world = await buildWorld(deps);
    console.log(`store ${usePg ? 'postgres' : 'sqlite'}: ${INBOXES} inboxes, ${USERS} users, ${TEAMS} teams, ${world.grants} grants, ${CONVERSATIONS} conversations (built in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    console.log(`restricted agent sees ${world.agentInboxes} of ${INBOXES} inboxes (${world.agentConversations} conversations)`);

    // inboxRights alone, warm (cached): reading the account's access version, and with the
    // version already known (as a request knows it from authentication).
    const version = (await deps.store.db.selectFrom('accounts').select('access_version').where('id', '=', world.created.account.id).executeTakeFirstOrThrow()).access_version;
    for (const [label, known] of [['reads the version', undefined], ['version known', version]] as const) {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const s = process.hrtime.bigint();
        await inboxRights(deps.store.db, world.agent, known);
        times.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      times.sort((a, b) => a - b);
      console.log(`inboxRights (500 inboxes, cached, ${label}): median ${times[150]!.toFixed(3)} ms, p99 ${times[296]!.toFixed(3)} ms`);
    }

    const app = await buildApp(deps, { serveWebApp: false });
    collectGarbage();
    const one = async (token: string, cursor: string): Promise<{ at: number; ms: number; cpu: number }> => {
      // Yield to the event loop first, as a real request arriving by I/O does. Without it, on
      // SQLite (synchronous) a loop of injects never leaves the microtask queue: each request's
      // setImmediate stays queued holding its request, response and body (~30 KB), the heap grows
      // by that per request, and the slower scavenges that follow were the first page's p99.
      await nextTurn();
      const cpu0 = process.cpuUsage();
      const at = nowMs();
      const res = await app.inject({ method: 'GET', url: `/api/v1/conversations?limit=50${cursor}`, headers: { authorization: `Bearer ${token}` } });
      const ms = nowMs() - at;
      const cpu = process.cpuUsage(cpu0);
      if (res.statusCode !== 200) throw new Error(`GET /conversations answered ${res.statusCode}`);
      return { at, ms, cpu: (cpu.user + cpu.system) / 1000 };
    };
    const randomCursor = () => `&cursor=${encodeCursor([new Date(Date.now() - Math.floor(rand() * 90 * 86400_000)).toISOString(), 'z'])}`;
    for (const [label, cursorOf] of [['first page, one at a time in-process', () => ''], ['uncached pages (random cursor), one at a time in-process', randomCursor]] as const) {
      for (let i = 0; i < 200; i++) await one(world.tokens[ACTORS[i % 2]!], cursorOf());
      const rounds: Round[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const round = emptyRound();
        for (let i = 0; i < REQUESTS; i++) {
          // Both actors get the same cursor, and take turns going first: the second reads pages the first just warmed.
          const cursor = cursorOf();
          for (const a of i % 2 ? ACTORS : ([...ACTORS].reverse() as Actor[])) {
            const { at, ms, cpu } = await one(world.tokens[a], cursor);
            round[a].at.push(at);
            round[a].ms.push(ms);
            round[a].cpu.push(cpu);
          }
        }
        rounds.push(round);
      }
      report(label, rounds);
    }

    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    report(`first page, ${CONCURRENCY} in flight over loopback HTTP`, await concurrentRounds(`${address}/api/v1/conversations?limit=50`, world.tokens));
    await app.close();
  } finally {
    await dispose();
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
