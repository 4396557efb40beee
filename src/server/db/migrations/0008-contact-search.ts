// Search finds conversations by their contact's name or email through an index, not a
// leading-wildcard LIKE (DESIGN.md "Scale"). Words of the name and of the email (split at
// @ . + _ -) are indexed:
// - SQLite: an FTS5 table of its own, contact_fts, whose integer rowids contact_docs maps to
//   contacts (their own rowids are not stable across VACUUM), kept by triggers;
// - PostgreSQL: a GIN index on CONTACT_WORDS, which core/search-match.ts must repeat exactly.
import { sql, PostgresAdapter, type Kysely } from 'kysely';

const CONTACT_WORDS = `to_tsvector('simple', name || ' ' || translate(coalesce(email, ''), '@.+_-', '     '))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const statements =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? [`CREATE INDEX contacts_search ON contacts USING gin ((${CONTACT_WORDS}))`]
      : [
          `CREATE TABLE contact_docs (id INTEGER PRIMARY KEY, contact_id TEXT NOT NULL UNIQUE)`,
          `CREATE VIRTUAL TABLE contact_fts USING fts5 (body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')`,
          `INSERT INTO contact_docs (contact_id) SELECT id FROM contacts`,
          `INSERT INTO contact_fts (rowid, body) SELECT d.id, c.name || ' ' || coalesce(c.email, '') FROM contact_docs d JOIN contacts c ON c.id = d.contact_id`,
          `CREATE TRIGGER contacts_search_ai AFTER INSERT ON contacts BEGIN
             INSERT INTO contact_docs (contact_id) VALUES (NEW.id);
             INSERT INTO contact_fts (rowid, body) VALUES ((SELECT id FROM contact_docs WHERE contact_id = NEW.id), NEW.name || ' ' || coalesce(NEW.email, '')); END`,
          `CREATE TRIGGER contacts_search_au AFTER UPDATE OF name, email ON contacts BEGIN
             DELETE FROM contact_fts WHERE rowid = (SELECT id FROM contact_docs WHERE contact_id = NEW.id);
             INSERT INTO contact_fts (rowid, body) VALUES ((SELECT id FROM contact_docs WHERE contact_id = NEW.id), NEW.name || ' ' || coalesce(NEW.email, '')); END`,
          `CREATE TRIGGER contacts_search_ad AFTER DELETE ON contacts BEGIN
             DELETE FROM contact_fts WHERE rowid = (SELECT id FROM contact_docs WHERE contact_id = OLD.id);
             DELETE FROM contact_docs WHERE contact_id = OLD.id; END`,
        ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
