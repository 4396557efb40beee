// Two things the thread view needs from an inbound email that only parsing knows:
// - who first sent a forwarded email (the sender named in the forwarded part), beside who
//   forwarded it (from_json), so the view says "Forwarded from …" and shows the forwarded message
//   rather than folding it away as quoted history;
// - where a plain-text email's quoted history (and signature) begins, so the view can fold it
//   behind "…" as it does for HTML quote blocks.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('forwarded_from_json', 'text').execute();
  await db.schema.alterTable('messages').addColumn('quote_start', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('quote_start').execute();
  await db.schema.alterTable('messages').dropColumn('forwarded_from_json').execute();
}
