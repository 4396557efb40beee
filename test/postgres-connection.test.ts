// Every PostgreSQL connection commits with synchronous_commit on, whatever the server's or the
// URL's default: the spool's inserts stand behind an SMTP 250. Options the URL carries are kept.
import { expect, it } from 'vitest';
import { openStore, postgresConnection } from '../src/server/db/connect.ts';
import { sql } from 'kysely';
import { PG_ADMIN_URL } from './helpers/test-store.ts';

async function settings(databaseUrl: string): Promise<{ synchronous_commit: string; statement_timeout: string }> {
  const store = openStore({ databaseUrl, dataDir: '/nonexistent' });
  try {
    const { rows } = await sql<{ synchronous_commit: string; statement_timeout: string }>`select current_setting('synchronous_commit') as synchronous_commit, current_setting('statement_timeout') as statement_timeout`.execute(store.db);
    return rows[0]!;
  } finally {
    await store.close();
  }
}

function withOptions(options: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.searchParams.set('options', options);
  return url.toString();
}

it('opens every connection with synchronous_commit on, even when the URL asks for off', async () => {
  expect((await settings(PG_ADMIN_URL)).synchronous_commit).toBe('on');
  expect(await settings(withOptions('-c synchronous_commit=off -c statement_timeout=12345'))).toEqual({ synchronous_commit: 'on', statement_timeout: '12345ms' });
});

it('keeps the URL as given apart from its options', () => {
  const { connectionString, options } = postgresConnection('postgres://u:p@db.example:6543/parley?sslmode=require&options=-c%20work_mem%3D64MB');
  expect(options).toBe('-c work_mem=64MB -c synchronous_commit=on');
  expect(new URL(connectionString).searchParams.get('sslmode')).toBe('require');
  expect(new URL(connectionString).searchParams.has('options')).toBe(false);
  expect(connectionString.startsWith('postgres://u:p@db.example:6543/parley?')).toBe(true);
});
