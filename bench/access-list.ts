// Access benchmark (issue 5): with 500 inboxes and 200 users, many inboxes limited to specific
// users and teams, how much do access checks add to GET /api/v1/conversations? The same query
// is run as an agent with restricted access and as a super admin (who sees every inbox), in the
// same run against the same server, alternating rounds so both see the same machine state.
// Also times inboxRights (the per-request rights lookup) on its own.
// Run: npx tsx bench/access-list.ts [--pg] [--seconds=5] [--rounds=3] [--pairs=1000]
import { openTestStore } from '../test/helpers/test-store.ts';
import path from 'node:path';
import type { Deps } from '../src/server/deps.ts';
import { buildApp } from '../src/server/http/app.ts';
import { createAccount } from '../src/server/core/create-account.ts';
import { issueApiToken } from '../src/server/core/api-tokens.ts';
import { inboxRights } from '../src/server/core/inbox-access.ts';
import { newId, newSecret } from '../src/server/core/ids.ts';
import { encodeCursor } from '../src/server/http/pagination.ts';
import type { Row } from '../src/server/db/schema.ts';

// autocannon ships no types; this is the part of its API used here.
type Autocannon = (opts: { url: string; connections: number; duration: number; headers: Record<string, string> }) => Promise<{
  latency: { p50: number; p99: number };
  requests: { average: number };
  non2xx: number;
}>;
const autocannonModule: string = 'autocannon';
const autocannon = ((await import(autocannonModule)) as { default: Autocannon }).default;

const args = process.argv.slice(2);
const usePg = args.includes('--pg');
const SECONDS = Number(args.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 5);
const ROUNDS = Number(args.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 3);
const INBOXES = 500;
const USERS = 200;
const TEAMS = 40;
const CONVERSATIONS = 50_000;
const CONNECTIONS = 10;
const SEQUENTIAL = Number(args.find((a) => a.startsWith('--pairs='))?.split('=')[1] ?? 1000);

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

async function load(url: string, token: string): Promise<{ p50: number; p99: number; rps: number; non2xx: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: `Bearer ${token}` } });
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, non2xx: result.non2xx };
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
    // Interleaved, one request at a time in-process: agent, super admin, agent, … so that any
    // drift in machine load hits both equally (the shared machine this was written on was busy).
    // Twice: the first page (which the list's page cache answers after the first request), and
    // pages after a random cursor (each one new: the query, and the access check, really run).
    const one = async (token: string, cursor: string) => {
      const s = process.hrtime.bigint();
      const res = await app.inject({ method: 'GET', url: `/api/v1/conversations?limit=50${cursor}`, headers: { authorization: `Bearer ${token}` } });
      if (res.statusCode !== 200) throw new Error(`GET /conversations answered ${res.statusCode}`);
      return Number(process.hrtime.bigint() - s) / 1e6;
    };
    const randomCursor = () => `&cursor=${encodeCursor([new Date(Date.now() - Math.floor(rand() * 90 * 86400_000)).toISOString(), 'z'])}`;
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
    for (const [label, cursorOf] of [['first page', () => ''], ['uncached pages (random cursor)', randomCursor]] as const) {
      const seq = { agent: [] as number[], superAdmin: [] as number[] };
      for (let i = 0; i < 100; i++) await one(i % 2 ? world.tokens.agent : world.tokens.superAdmin, cursorOf());
      for (let i = 0; i < SEQUENTIAL; i++) {
        const cursor = cursorOf();
        seq.agent.push(await one(world.tokens.agent, cursor));
        seq.superAdmin.push(await one(world.tokens.superAdmin, cursor));
      }
      const sa = { p50: pct(seq.agent, 50), p99: pct(seq.agent, 99) };
      const ss = { p50: pct(seq.superAdmin, 50), p99: pct(seq.superAdmin, 99) };
      console.log(`GET /api/v1/conversations?limit=50, ${label}, one at a time in-process, ${SEQUENTIAL} interleaved pairs:`);
      console.log(`  restricted agent: p50 ${sa.p50.toFixed(2)} ms, p99 ${sa.p99.toFixed(2)} ms`);
      console.log(`  super admin:      p50 ${ss.p50.toFixed(2)} ms, p99 ${ss.p99.toFixed(2)} ms`);
      console.log(`  access overhead: p50 ${(((sa.p50 - ss.p50) / ss.p50) * 100).toFixed(1)}%, p99 ${(((sa.p99 - ss.p99) / ss.p99) * 100).toFixed(1)}% (goal < 10% on p99)`);
    }

    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `${address}/api/v1/conversations?limit=50`;
    await load(url, world.tokens.agent); // warm-up
    const agent: Array<{ p50: number; p99: number; rps: number; non2xx: number }> = [];
    const superAdmin: typeof agent = [];
    for (let r = 0; r < ROUNDS; r++) {
      agent.push(await load(url, world.tokens.agent));
      superAdmin.push(await load(url, world.tokens.superAdmin));
    }
    await app.close();
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const a = { p50: med(agent.map((x) => x.p50)), p99: med(agent.map((x) => x.p99)), rps: med(agent.map((x) => x.rps)) };
    const s = { p50: med(superAdmin.map((x) => x.p50)), p99: med(superAdmin.map((x) => x.p99)), rps: med(superAdmin.map((x) => x.rps)) };
    const errors = [...agent, ...superAdmin].reduce((n, x) => n + x.non2xx, 0);
    console.log(`GET /api/v1/conversations?limit=50, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s (medians of rounds):`);
    console.log(`  restricted agent: p50 ${a.p50} ms, p99 ${a.p99} ms, ${Math.round(a.rps)} req/s`);
    console.log(`  super admin:      p50 ${s.p50} ms, p99 ${s.p99} ms, ${Math.round(s.rps)} req/s`);
    console.log(`  access overhead on p99: ${(((a.p99 - s.p99) / s.p99) * 100).toFixed(1)}% (goal < 10%); non-2xx: ${errors}`);
    console.log(`  per round p99 agent/super admin: ${agent.map((x, i) => `${x.p99}/${superAdmin[i]!.p99}`).join(', ')}`);
  } finally {
    await dispose();
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
