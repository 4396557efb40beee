// Automatic assignment picks the eligible target with the fewest open conversations, then the one
// idle longest, then the smallest id (core/routing.ts). Those facts lived in two tables with a
// row only for users ever assigned (user_open_counts, 0007; user_assignment_state, 0005), so a
// decision joined both for every member of the target teams and sorted them: ~1 ms for a
// 200-member team (bench/assignment-decision.ts). Here they become one table with a row for
// every user, made by a trigger when the user is, and an index in ranking order per account, so
// the decision walks the account's users best first and stops at the first eligible target.
// - user_assignment_rank: open_count (kept by the triggers on conversations, as before) and
//   last_assigned_at (null = never assigned = idle longest; written by assign-conversation.ts).
// - PostgreSQL sorts nulls last by default, so its index says NULLS FIRST; SQLite sorts them first.
import { sql, PostgresAdapter, type Kysely } from 'kysely';

const sqliteStatements = [
  `DROP TRIGGER conversations_open_ai`,
  `DROP TRIGGER conversations_open_ad`,
  `DROP TRIGGER conversations_open_au`,
  `CREATE TRIGGER users_assignment_rank_ai AFTER INSERT ON users BEGIN
     INSERT INTO user_assignment_rank (user_id, account_id, open_count, last_assigned_at) VALUES (NEW.id, NEW.account_id, 0, NULL); END`,
  `CREATE TRIGGER conversations_open_ai AFTER INSERT ON conversations WHEN NEW.status = 'open' AND NEW.assignee_id IS NOT NULL BEGIN
     UPDATE user_assignment_rank SET open_count = open_count + 1 WHERE user_id = NEW.assignee_id; END`,
  `CREATE TRIGGER conversations_open_ad AFTER DELETE ON conversations WHEN OLD.status = 'open' AND OLD.assignee_id IS NOT NULL BEGIN
     UPDATE user_assignment_rank SET open_count = open_count - 1 WHERE user_id = OLD.assignee_id; END`,
  `CREATE TRIGGER conversations_open_au AFTER UPDATE OF status, assignee_id ON conversations
     WHEN (OLD.status = 'open' AND OLD.assignee_id IS NOT NULL) OR (NEW.status = 'open' AND NEW.assignee_id IS NOT NULL) BEGIN
     UPDATE user_assignment_rank SET open_count = open_count - 1 WHERE OLD.status = 'open' AND user_id = OLD.assignee_id;
     UPDATE user_assignment_rank SET open_count = open_count + 1 WHERE NEW.status = 'open' AND user_id = NEW.assignee_id; END`,
  `CREATE INDEX user_assignment_rank_order ON user_assignment_rank (account_id, open_count, last_assigned_at, user_id)`,
];

const postgresStatements = [
  `CREATE FUNCTION add_user_assignment_rank() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO user_assignment_rank (user_id, account_id, open_count, last_assigned_at) VALUES (NEW.id, NEW.account_id, 0, NULL);
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER users_assignment_rank AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION add_user_assignment_rank()`,
  // The triggers of 0007 stay; their function now counts here.
  `CREATE OR REPLACE FUNCTION count_open_conversations() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' AND OLD.assignee_id IS NOT NULL THEN
       UPDATE user_assignment_rank SET open_count = open_count - 1 WHERE user_id = OLD.assignee_id;
     END IF;
     IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'open' AND NEW.assignee_id IS NOT NULL THEN
       UPDATE user_assignment_rank SET open_count = open_count + 1 WHERE user_id = NEW.assignee_id;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE INDEX user_assignment_rank_order ON user_assignment_rank (account_id, open_count, last_assigned_at NULLS FIRST, user_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_assignment_rank')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('open_count', 'integer', (c) => c.notNull())
    .addColumn('last_assigned_at', 'text')
    .execute();
  await sql`INSERT INTO user_assignment_rank (user_id, account_id, open_count, last_assigned_at)
    SELECT u.id, u.account_id, coalesce(o.open_count, 0), s.last_assigned_at
    FROM users u LEFT JOIN user_open_counts o ON o.user_id = u.id LEFT JOIN user_assignment_state s ON s.user_id = u.id`.execute(db);
  const statements = db.getExecutor().adapter instanceof PostgresAdapter ? postgresStatements : sqliteStatements;
  for (const statement of statements) await sql.raw(statement).execute(db);
  await db.schema.dropTable('user_open_counts').execute();
  await db.schema.dropTable('user_assignment_state').execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
