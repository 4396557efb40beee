// Who first sent a forwarded email (the sender named in the forwarded part), beside who forwarded
// it (from_json): the thread view says "Forwarded from …" and shows the forwarded message itself
// rather than folding it away as quoted history.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('forwarded_from_json', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('forwarded_from_json').execute();
}
