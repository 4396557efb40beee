// Cross-instance fan-out: two real `parley start` processes on one PostgreSQL database and Redis.
// An action through process A's API reaches a socket connected to process B, and back.
import { expect, it, beforeAll, afterAll, describe } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PG_ADMIN_URL } from './helpers/stores.ts';
import { parley, startServer, type ServerProcess } from './helpers/processes.ts';
import { openSocket } from './helpers/ws-client.ts';

const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('fan-out across two processes through Redis', () => {
  const dbName = `parley_fanout_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-fanout-'));
  let env: Record<string, string>;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    env = { DATABASE_URL: url.toString(), REDIS_URL, ROLES: 'web', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    // Migrate once first so the two processes do not race to create the schema.
    expect((await parley(['migrate'], env)).code).toBe(0);
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers an event committed through process A to a socket on process B, and back', { timeout: 120_000 }, async () => {
    const sub = `fan${crypto.randomBytes(3).toString('hex')}`;
    const created = await parley(['account', 'create', '--name', 'Fan', '--subdomain', sub, '--plan', 'professional', '--owner-email', `o@${sub}.test`, '--owner-password', 'password123'], env);
    expect(created.code).toBe(0);
    const { token, inbox } = JSON.parse(created.stdout) as { token: string; inbox: { id: string } };
    const onB = await openSocket(`ws://127.0.0.1:${b!.port}/api/v1/ws?token=${token}`);
    const onA = await openSocket(`ws://127.0.0.1:${a!.port}/api/v1/ws`, { authorization: `Bearer ${token}` });
    await onB.subscribe();
    await onA.subscribe();
    const patch = (server: ServerProcess, name: string) =>
      fetch(`${server.url}/api/v1/inboxes/${inbox.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    expect((await patch(a!, 'Renamed on A')).status).toBe(200);
    const onBEvent = await onB.waitFor((m) => m.event?.type === 'inbox.updated', 'event from A on B');
    expect(onBEvent.event!.inboxId).toBe(inbox.id);
    expect((await patch(b!, 'Renamed on B')).status).toBe(200);
    await onA.waitFor((m) => m.event?.type === 'inbox.updated' && m.seq === onBEvent.seq! + 1, 'event from B on A');
    // Both sockets saw the same journal: the same seqs, in order, once each.
    await onB.waitFor((m) => m.seq === onBEvent.seq! + 1, 'second event on B');
    expect(onA.events().map((m) => m.seq)).toEqual(onB.events().map((m) => m.seq));
    await onA.close();
    await onB.close();
  });
});
