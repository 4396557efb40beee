// Test stores: every store and API test runs once on SQLite (a temp DATA_DIR) and once on
// PostgreSQL (a fresh database per test file on the local server), each test with its own account.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { describe, beforeAll, afterAll } from 'vitest';
import { loadConfig, type Config } from '../../src/server/config.ts';
import { createDeps, type Deps } from '../../src/server/deps.ts';
import { createAccount, type CreatedAccount } from '../../src/server/core/create-account.ts';
import type { Plan } from '../../src/server/db/schema.ts';

export const PG_ADMIN_URL = process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface TestStore {
  kind: StoreKind;
  config: Config;
  deps: Deps;
  dispose(): Promise<void>;
}

function pgUrlFor(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A fresh, migrated store of the given kind, with config overrides. */
export async function openTestStore(kind: StoreKind, env: Record<string, string> = {}): Promise<TestStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  if (kind === 'postgres') {
    dbName = `parley_t_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    databaseUrl = pgUrlFor(dbName);
  }
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env });
  const deps = await createDeps(config, { logger: pino({ level: 'silent' }) });
  return {
    kind,
    config,
    deps,
    dispose: async () => {
      await deps.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
  };
}

/** Runs the suite once per store kind; `store()` gives the current one inside tests. */
export function describeEachStore(name: string, suite: (store: () => TestStore) => void, env: Record<string, string> = {}): void {
  for (const kind of STORE_KINDS) {
    describe(`${name} [${kind}]`, () => {
      let current: TestStore | undefined;
      beforeAll(async () => {
        current = await openTestStore(kind, env);
      });
      afterAll(async () => {
        await current?.dispose();
      });
      suite(() => {
        if (!current) throw new Error('store not open yet');
        return current;
      });
    });
  }
}

let counter = 0;
/** A fresh account (owner + default inbox + token) with a unique subdomain. */
export async function makeAccount(deps: Deps, opts: { plan?: Plan; subdomain?: string } = {}): Promise<CreatedAccount & { password: string }> {
  const subdomain = opts.subdomain ?? `t${Date.now().toString(36)}${(counter++).toString(36)}${crypto.randomBytes(2).toString('hex')}`;
  const password = 'correct horse battery';
  const created = await deps.run({ kind: 'system', accountId: null, reason: 'test' }, (ctx) =>
    createAccount(ctx, { name: `Test ${subdomain}`, subdomain, plan: opts.plan ?? 'professional', owner: { email: `owner@${subdomain}.test`, password } }, deps.domains),
  );
  return { ...created, password };
}
