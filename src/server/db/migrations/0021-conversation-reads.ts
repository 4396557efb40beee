// Per-user unread state (core/conversation-reads.ts has the rule). Two counters, no clocks, so
// processes with skewed clocks and mail stamped with its arrival time cannot disagree:
// - conversations.inbound_count: how many customer messages (direction 'in', kind 'message') the
//   conversation has, kept by a trigger on messages whoever inserts them (mail, IMAP, chat, imports);
// - conversation_reads.read_count: the inbound_count the user had read up to.
// A second trigger keeps "an agent's own reply or note marks it read for them" in the same
// transaction as the message, so no use case (reply, note) has to remember to do it.
// Rows go with their conversation or user (foreign-key cascades); the conversation_id index
// serves that cascade when a conversation is deleted.
import { sql, type Kysely } from 'kysely';
import { PostgresAdapter } from 'kysely';

const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof PostgresAdapter;

async function run(db: Kysely<unknown>, statements: string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const sqliteTriggers = [
  `CREATE TRIGGER messages_inbound_count_ai AFTER INSERT ON messages WHEN NEW.direction = 'in' AND NEW.kind = 'message' BEGIN
     UPDATE conversations SET inbound_count = inbound_count + 1 WHERE id = NEW.conversation_id; END`,
  // "AND true": SQLite's upsert after INSERT … SELECT needs a WHERE to parse ON CONFLICT.
  `CREATE TRIGGER messages_author_read_ai AFTER INSERT ON messages WHEN NEW.author_user_id IS NOT NULL AND NEW.kind IN ('message', 'note') BEGIN
     INSERT INTO conversation_reads (user_id, conversation_id, read_count)
       SELECT NEW.author_user_id, id, inbound_count FROM conversations WHERE id = NEW.conversation_id AND true
       ON CONFLICT (user_id, conversation_id) DO UPDATE SET read_count = excluded.read_count; END`,
];

const postgresTriggers = [
  `CREATE FUNCTION track_conversation_reads() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.direction = 'in' AND NEW.kind = 'message' THEN
       UPDATE conversations SET inbound_count = inbound_count + 1 WHERE id = NEW.conversation_id;
     END IF;
     IF NEW.author_user_id IS NOT NULL AND NEW.kind IN ('message', 'note') THEN
       INSERT INTO conversation_reads (user_id, conversation_id, read_count)
         SELECT NEW.author_user_id, id, inbound_count FROM conversations WHERE id = NEW.conversation_id
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET read_count = excluded.read_count;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER messages_conversation_reads AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION track_conversation_reads()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('inbound_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update conversations set inbound_count = (select count(*) from messages m where m.conversation_id = conversations.id and m.direction = 'in' and m.kind = 'message')`.execute(db);
  await db.schema
    .createTable('conversation_reads')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('read_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_reads_pk', ['user_id', 'conversation_id'])
    .execute();
  await db.schema.createIndex('conversation_reads_conversation').on('conversation_reads').column('conversation_id').execute();
  // History by the same rule: each agent has read what came before their last reply or note.
  await sql`insert into conversation_reads (user_id, conversation_id, read_count)
    select a.author_user_id, a.conversation_id,
      (select count(*) from messages m where m.conversation_id = a.conversation_id and m.direction = 'in' and m.kind = 'message' and m.created_at <= a.last_at)
    from (select author_user_id, conversation_id, max(created_at) as last_at from messages
          where author_user_id is not null and kind in ('message', 'note') group by author_user_id, conversation_id) a`.execute(db);
  await run(db, isPostgres(db) ? postgresTriggers : sqliteTriggers);
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
