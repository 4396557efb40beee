// Once per test run: build the web app when it is missing (browser tests load it from dist/web)
// and make sure PostgreSQL answers, since every store test runs against it too.
import { ensureWebBuild } from '../../src/server/cli/ensure-web-build.ts';
import pg from 'pg';
import { PG_ADMIN_URL } from './stores.ts';

export default async function setup(): Promise<void> {
  await ensureWebBuild();
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (set PARLEY_TEST_PG_URL): ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
