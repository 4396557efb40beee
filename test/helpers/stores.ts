// Test stores: every store and API test runs once on SQLite (a temp DATA_DIR) and once on
// PostgreSQL (a fresh database per test file on the local server), each test with its own account.
import crypto from 'node:crypto';
import { describe, beforeAll, afterAll } from 'vitest';
import type { Deps } from '../../src/server/deps.ts';
import { createAccount, type CreatedAccount } from '../../src/server/core/create-account.ts';
import type { Plan } from '../../src/server/db/schema.ts';

export { PG_ADMIN_URL, STORE_KINDS, openTestStore, type StoreKind, type TestStore } from './test-store.ts';
import { STORE_KINDS, openTestStore, type TestStore } from './test-store.ts';

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
