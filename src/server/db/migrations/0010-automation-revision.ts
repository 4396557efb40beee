// Automatic assignment in one round trip (issue 5): each process keeps the inboxes' automation
// settings (core/automation-cache.ts), tagged with inboxes.automation_revision, and the decision's
// candidates query reads the inbox's current revision with the candidates; the cached settings
// are used only while it is unchanged. Triggers change it in the same transaction as any row of
// automation_settings, ticket_settings or automation_targets (FK cascades included: a deleted team
// or user drops its targets, a deleted pipeline clears the ticket defaults), whoever writes it.
// A revision is never handed out twice, rather than counted up: a transaction that changed the
// settings may read (and a process cache) them before rolling back, and a later change counting
// up from the same value would then carry the discarded settings' revision. PostgreSQL takes it
// from a sequence (never rolled back; several servers share one database); SQLite, one process's
// file, from random() (52 bits, so JavaScript reads it exactly).
import { sql, PostgresAdapter, type Kysely } from 'kysely';

const TABLES = ['automation_settings', 'ticket_settings', 'automation_targets'];

const sqliteStatements = TABLES.flatMap((table) =>
  (
    [
      ['ai', 'INSERT', 'NEW.inbox_id'],
      ['au', 'UPDATE', 'OLD.inbox_id, NEW.inbox_id'],
      ['ad', 'DELETE', 'OLD.inbox_id'],
    ] as const
  ).map(
    ([suffix, event, inboxIds]) =>
      `CREATE TRIGGER ${table}_revision_${suffix} AFTER ${event} ON ${table} BEGIN
         UPDATE inboxes SET automation_revision = random() >> 11 WHERE id IN (${inboxIds}); END`,
  ),
);

const postgresStatements = [
  `CREATE SEQUENCE automation_revisions AS integer MINVALUE 1 CYCLE`,
  `CREATE FUNCTION bump_automation_revision() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE ids text[];
   BEGIN
     IF TG_OP = 'INSERT' THEN ids := ARRAY[NEW.inbox_id];
     ELSIF TG_OP = 'DELETE' THEN ids := ARRAY[OLD.inbox_id];
     ELSE ids := ARRAY[OLD.inbox_id, NEW.inbox_id];
     END IF;
     UPDATE inboxes SET automation_revision = nextval('automation_revisions') WHERE id = ANY(ids);
     RETURN NULL;
   END $$`,
  ...TABLES.map((table) => `CREATE TRIGGER ${table}_revision AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION bump_automation_revision()`),
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // 0: the settings as this migration found them, or none yet for inboxes made later.
  await db.schema.alterTable('inboxes').addColumn('automation_revision', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  const statements = db.getExecutor().adapter instanceof PostgresAdapter ? postgresStatements : sqliteStatements;
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
