// Read tracking (0021) made every conversation from before it unread to every agent: it counted
// their customer messages into inbound_count, while markers went only to the authors of replies
// and notes, up to their last one. What came before tracking counts as read by everyone instead:
// conversation_read_baselines holds, for each conversation with customer messages stored before
// 0021 ran, how many there were, and stands in for the marker of any user who has none of their
// own (core/conversation-reads.ts). A row per conversation rather than a marker per user and
// conversation: nothing multiplied by the agents, and no access rules replayed here, since it holds
// for whoever can see the conversation, now or later. Conversations made since have no row (0).
//
// "Stored before 0021 ran": message ids are UUIDv7, their first 48 bits the millisecond the row was
// made (core/ids.ts), compared with the time kysely recorded for 0021. Not created_at: that is the
// mail's arrival stamp (IMAP's received date), which can be older than the row, so mail fetched
// after 0021 would pass for old. A conversation with a customer message since 0021 stays unread.
//
// Markers below the baseline are raised to it: 0021's backfill gave an author a marker up to their
// last reply or note, so where the customer wrote after it, the conversation was unread to that
// author alone. This also undoes a "mark as unread" made since 0021 on a conversation that has had
// no customer message since; there is no telling the two apart.
import { sql, type Kysely } from 'kysely';

/** The smallest id core/ids.ts makes in the millisecond `ms` (a copy: migrations do not change with the code). */
function idFloorAt(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0') + '70008000000000000000';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversation_read_baselines')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('read_count', 'integer', (c) => c.notNull())
    .execute();
  const tracked = await sql<{ timestamp: string }>`select timestamp from kysely_migration where name = '0021-conversation-reads'`.execute(db);
  const at = tracked.rows[0] ? Date.parse(tracked.rows[0].timestamp) : NaN;
  if (Number.isNaN(at)) throw new Error('0023 needs the time 0021 ran (kysely_migration)');
  // A range of the primary key: only the messages from before 0021 are read.
  await sql`insert into conversation_read_baselines (conversation_id, read_count)
    select conversation_id, count(*) from messages
    where id < ${idFloorAt(at)} and direction = 'in' and kind = 'message'
    group by conversation_id`.execute(db);
  await sql`update conversation_reads set read_count = (select b.read_count from conversation_read_baselines b where b.conversation_id = conversation_reads.conversation_id)
    where read_count < (select b.read_count from conversation_read_baselines b where b.conversation_id = conversation_reads.conversation_id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
