// Speed and search for issue 5. Everything derived is kept by triggers, so it changes in the
// same transaction as the rows it derives from, whoever writes them (use cases, jobs, imports):
// - accounts.access_version: bumped by any change to an account's inboxes (creation, deletion,
//   access mode), grants, teams or team memberships; the per-process rights cache
//   (core/inbox-access.ts) is valid while it is unchanged.
// - user_open_counts: each user's open assigned conversations, for automatic assignment's
//   "fewest open" (core/assignment-facts.ts): one primary-key read per candidate instead of
//   counting their conversations.
// - conversations_account_activity gains inbox_id, so the newest-first list of an agent who sees
//   some inboxes rejects the others from the index alone.
// - search: SQLite an FTS5 index (search_docs maps its integer rowids to messages and
//   conversations: their own rowids are not stable across VACUUM); PostgreSQL GIN indexes on
//   to_tsvector('simple', ...) expressions, which it keeps itself.
import { sql, type Kysely } from 'kysely';
import { PostgresAdapter } from 'kysely';

const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof PostgresAdapter;

async function run(db: Kysely<unknown>, statements: string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Searchable text: messages and notes (activity lines are ours, not the customer's words). */
const SEARCHED = "kind <> 'activity'";

const sqliteTriggers = [
  // Access version.
  `CREATE TRIGGER inboxes_access_ai AFTER INSERT ON inboxes BEGIN UPDATE accounts SET access_version = access_version + 1 WHERE id = NEW.account_id; END`,
  `CREATE TRIGGER inboxes_access_ad AFTER DELETE ON inboxes BEGIN UPDATE accounts SET access_version = access_version + 1 WHERE id = OLD.account_id; END`,
  `CREATE TRIGGER inboxes_access_au AFTER UPDATE OF access ON inboxes BEGIN UPDATE accounts SET access_version = access_version + 1 WHERE id = NEW.account_id; END`,
  `CREATE TRIGGER grants_access_ai AFTER INSERT ON inbox_access_grants BEGIN UPDATE accounts SET access_version = access_version + 1 WHERE id = (SELECT account_id FROM inboxes WHERE id = NEW.inbox_id); END`,
  `CREATE TRIGGER grants_access_ad AFTER DELETE ON inbox_access_grants BEGIN UPDATE accounts SET access_version = access_version + 1 WHERE id = (SELECT account_id FROM inboxes WHERE id = OLD.inbox_id); END`,
  `CREATE TRIGGER teams_access_ad AFTER DELETE ON teams BEGIN UPDATE accounts SET access_version = access_version + 1 WHERE id = OLD.account_id; END`,
  `CREATE TRIGGER team_members_access_ai AFTER INSERT ON team_members BEGIN UPDATE accounts SET access_version = access_version + 1 WHERE id = (SELECT account_id FROM teams WHERE id = NEW.team_id); END`,
  `CREATE TRIGGER team_members_access_ad AFTER DELETE ON team_members BEGIN UPDATE accounts SET access_version = access_version + 1 WHERE id = (SELECT account_id FROM teams WHERE id = OLD.team_id); END`,
  // Open counts.
  `CREATE TRIGGER conversations_open_ai AFTER INSERT ON conversations WHEN NEW.status = 'open' AND NEW.assignee_id IS NOT NULL BEGIN
     INSERT INTO user_open_counts (user_id, open_count) VALUES (NEW.assignee_id, 1) ON CONFLICT (user_id) DO UPDATE SET open_count = open_count + 1; END`,
  `CREATE TRIGGER conversations_open_ad AFTER DELETE ON conversations WHEN OLD.status = 'open' AND OLD.assignee_id IS NOT NULL BEGIN
     UPDATE user_open_counts SET open_count = open_count - 1 WHERE user_id = OLD.assignee_id; END`,
  `CREATE TRIGGER conversations_open_au AFTER UPDATE OF status, assignee_id ON conversations
     WHEN (OLD.status = 'open' AND OLD.assignee_id IS NOT NULL) OR (NEW.status = 'open' AND NEW.assignee_id IS NOT NULL) BEGIN
     UPDATE user_open_counts SET open_count = open_count - 1 WHERE OLD.status = 'open' AND user_id = OLD.assignee_id;
     INSERT INTO user_open_counts (user_id, open_count) SELECT NEW.assignee_id, 1 WHERE NEW.status = 'open' AND NEW.assignee_id IS NOT NULL
       ON CONFLICT (user_id) DO UPDATE SET open_count = open_count + 1; END`,
  // Search.
  `CREATE TRIGGER messages_search_ai AFTER INSERT ON messages WHEN NEW.${SEARCHED} BEGIN
     INSERT INTO search_docs (source_id, conversation_id) VALUES (NEW.id, NEW.conversation_id);
     INSERT INTO search_fts (rowid, body) VALUES ((SELECT id FROM search_docs WHERE source_id = NEW.id), NEW.text); END`,
  `CREATE TRIGGER messages_search_au AFTER UPDATE OF text ON messages WHEN NEW.${SEARCHED} BEGIN
     DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source_id = NEW.id);
     INSERT INTO search_fts (rowid, body) VALUES ((SELECT id FROM search_docs WHERE source_id = NEW.id), NEW.text); END`,
  `CREATE TRIGGER messages_search_ad AFTER DELETE ON messages WHEN OLD.${SEARCHED} BEGIN
     DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source_id = OLD.id);
     DELETE FROM search_docs WHERE source_id = OLD.id; END`,
  `CREATE TRIGGER conversations_search_ai AFTER INSERT ON conversations BEGIN
     INSERT INTO search_docs (source_id, conversation_id) VALUES (NEW.id, NEW.id);
     INSERT INTO search_fts (rowid, body) VALUES ((SELECT id FROM search_docs WHERE source_id = NEW.id), NEW.subject); END`,
  `CREATE TRIGGER conversations_search_au AFTER UPDATE OF subject ON conversations BEGIN
     DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source_id = NEW.id);
     INSERT INTO search_fts (rowid, body) VALUES ((SELECT id FROM search_docs WHERE source_id = NEW.id), NEW.subject); END`,
  `CREATE TRIGGER conversations_search_ad AFTER DELETE ON conversations BEGIN
     DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source_id = OLD.id);
     DELETE FROM search_docs WHERE source_id = OLD.id; END`,
];

const postgresTriggers = [
  `CREATE FUNCTION bump_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE r record; acct text;
   BEGIN
     IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
     IF TG_TABLE_NAME IN ('inboxes', 'teams') THEN acct := r.account_id;
     ELSIF TG_TABLE_NAME = 'inbox_access_grants' THEN SELECT account_id INTO acct FROM inboxes WHERE id = r.inbox_id;
     ELSE SELECT account_id INTO acct FROM teams WHERE id = r.team_id;
     END IF;
     UPDATE accounts SET access_version = access_version + 1 WHERE id = acct;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER inboxes_access AFTER INSERT OR DELETE OR UPDATE OF access ON inboxes FOR EACH ROW EXECUTE FUNCTION bump_access_version()`,
  `CREATE TRIGGER grants_access AFTER INSERT OR DELETE ON inbox_access_grants FOR EACH ROW EXECUTE FUNCTION bump_access_version()`,
  `CREATE TRIGGER teams_access AFTER DELETE ON teams FOR EACH ROW EXECUTE FUNCTION bump_access_version()`,
  `CREATE TRIGGER team_members_access AFTER INSERT OR DELETE ON team_members FOR EACH ROW EXECUTE FUNCTION bump_access_version()`,
  `CREATE FUNCTION count_open_conversations() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' AND OLD.assignee_id IS NOT NULL THEN
       UPDATE user_open_counts SET open_count = open_count - 1 WHERE user_id = OLD.assignee_id;
     END IF;
     IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'open' AND NEW.assignee_id IS NOT NULL THEN
       INSERT INTO user_open_counts (user_id, open_count) VALUES (NEW.assignee_id, 1)
         ON CONFLICT (user_id) DO UPDATE SET open_count = user_open_counts.open_count + 1;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER conversations_open_count AFTER INSERT OR DELETE ON conversations FOR EACH ROW EXECUTE FUNCTION count_open_conversations()`,
  `CREATE TRIGGER conversations_open_count_update AFTER UPDATE OF status, assignee_id ON conversations FOR EACH ROW
     WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id) EXECUTE FUNCTION count_open_conversations()`,
  `CREATE INDEX messages_search ON messages USING gin (to_tsvector('simple', text)) WHERE ${SEARCHED}`,
  `CREATE INDEX conversations_search ON conversations USING gin (to_tsvector('simple', subject))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  const pg = isPostgres(db);
  await s.alterTable('accounts').addColumn('access_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await s
    .createTable('user_open_counts')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('open_count', 'integer', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO user_open_counts (user_id, open_count)
    SELECT assignee_id, count(*) FROM conversations WHERE status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id`.execute(db);
  await s.dropIndex('conversations_account_activity').execute();
  await s.createIndex('conversations_account_activity').on('conversations').columns(['account_id', 'last_activity_at', 'id', 'inbox_id']).execute();
  if (pg) {
    await run(db, postgresTriggers);
    return;
  }
  await run(db, [
    `CREATE TABLE search_docs (id INTEGER PRIMARY KEY, source_id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL)`,
    // Contentless: the text lives in messages and conversations; the index only answers rowids.
    `CREATE VIRTUAL TABLE search_fts USING fts5 (body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')`,
    `INSERT INTO search_docs (source_id, conversation_id) SELECT id, id FROM conversations`,
    `INSERT INTO search_docs (source_id, conversation_id) SELECT id, conversation_id FROM messages WHERE ${SEARCHED}`,
    `INSERT INTO search_fts (rowid, body) SELECT d.id, c.subject FROM search_docs d JOIN conversations c ON c.id = d.source_id`,
    `INSERT INTO search_fts (rowid, body) SELECT d.id, m.text FROM search_docs d JOIN messages m ON m.id = d.source_id`,
  ]);
  await run(db, sqliteTriggers);
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
