// A Parley server as its own process for the benchmarks (bin/parley.js start, the built bundle),
// on a fresh SQLite data folder or a fresh PostgreSQL database, with one account made through the
// CLI; a read-only connection to its database for the bench's own polling; stop() removes it all.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Sqlite from 'better-sqlite3';
import { freePort } from '../test/helpers/processes.ts';

export { freePort };

export const ROOT = path.resolve(import.meta.dirname, '..');
export const PG_ADMIN = process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function waitForPort(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}

export type StoreKind = 'sqlite' | 'postgres';

export interface CreatedAccount {
  token: string;
  inbox: { id: string };
  fallbackEmail: string;
}

export interface ParleyServer {
  kind: StoreKind;
  name: string;
  child: ChildProcess;
  dataDir: string;
  httpPort: number;
  smtpPort: number;
  account: CreatedAccount;
  /** One row of a read-only query against the server's database (SQL valid on both stores). */
  queryOne<T>(sqlText: string, params?: unknown[]): Promise<T | undefined>;
  stop(): Promise<void>;
}

export interface ParleyServerOptions {
  roles: string;
  env?: Record<string, string>;
  /** Node options before the script (a preload, say). */
  nodeArgs?: string[];
}

export async function startParleyServer(kind: StoreKind, opts: ParleyServerOptions): Promise<ParleyServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `parley-bench-${kind}-`));
  let dbName: string | undefined;
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...opts.env };
  delete env.DATABASE_URL;
  if (kind === 'postgres') {
    dbName = `parley_bench_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const url = new URL(PG_ADMIN);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
  }
  const created = spawnSync(
    process.execPath,
    ['bin/parley.js', 'account', 'create', '--name', 'Bench', '--subdomain', 'bench', '--plan', 'professional', '--owner-email', 'owner@bench.test', '--owner-password', 'bench password'],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`account create failed: ${created.stderr}`);
  const account = JSON.parse(created.stdout) as CreatedAccount;
  const httpPort = await freePort();
  const smtpPort = await freePort();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), 'bin/parley.js', 'start'], {
    cwd: ROOT,
    env: { ...env, ROLES: opts.roles, PORT: String(httpPort), SMTP_PORT: String(smtpPort), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(opts.roles.includes('smtp') ? smtpPort : httpPort);

  let queryOne: ParleyServer['queryOne'];
  let closeDb: () => Promise<void>;
  if (env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    // Positional parameters are written `?` for both stores.
    queryOne = async (q, params = []) => {
      let n = 0;
      return (await client.query(q.replace(/\?/g, () => `$${++n}`), params)).rows[0];
    };
    closeDb = () => client.end();
  } else {
    const sqlite = new Sqlite(path.join(dataDir, 'parley.sqlite'), { readonly: true });
    const statements = new Map<string, Sqlite.Statement>();
    queryOne = async <T>(q: string, params: unknown[] = []) => {
      let st = statements.get(q);
      if (!st) statements.set(q, (st = sqlite.prepare(q)));
      return st.get(...params) as T | undefined;
    };
    closeDb = async () => {
      sqlite.close();
    };
  }
  return {
    kind,
    name: `Parley on ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    child,
    dataDir,
    httpPort,
    smtpPort,
    account,
    queryOne,
    stop: async () => {
      await closeDb();
      await stopChild(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const admin = new pg.Client({ connectionString: PG_ADMIN });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
  };
}
