// A fault in our own storing, for chosen mail only: the database refuses to create a conversation
// with the given subject, as a full disk or a bug would, so tests can watch a message wait in the
// spool with its error and be stored once the fault is cured.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/server/db/schema.ts';
import type { DialectName } from '../../src/server/db/connect.ts';

/** Installs the fault; the returned function removes it (safe to call twice). */
export async function poisonConversations(store: { db: Kysely<Database>; dialect: DialectName }, subject: string): Promise<() => Promise<void>> {
  const quoted = `'${subject.replace(/'/g, "''")}'`;
  const poison =
    store.dialect === 'postgres'
      ? [
          `create or replace function poison_mail() returns trigger language plpgsql as $$ begin if new.subject = ${quoted} then raise exception 'poisoned for the test'; end if; return new; end $$`,
          `create trigger poison_mail before insert on conversations for each row execute function poison_mail()`,
        ]
      : [`create trigger poison_mail before insert on conversations when new.subject = ${quoted} begin select raise(abort, 'poisoned for the test'); end`];
  const cure = store.dialect === 'postgres' ? ['drop trigger if exists poison_mail on conversations', 'drop function if exists poison_mail()'] : ['drop trigger if exists poison_mail'];
  for (const q of poison) await sql.raw(q).execute(store.db);
  return async () => {
    for (const q of cure) await sql.raw(q).execute(store.db);
  };
}
