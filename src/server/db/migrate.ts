// Runs the migrations in db/migrations in order; called at start and by `parley migrate`.
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-email-threads.ts';
import * as m0004 from './migrations/0004-access.ts';
import * as m0005 from './migrations/0005-assignment.ts';
import * as m0006 from './migrations/0006-inbound-queue.ts';
import * as m0007 from './migrations/0007-access-cache-search.ts';
import * as m0008 from './migrations/0008-contact-search.ts';
import * as m0009 from './migrations/0009-assignment-rank.ts';
import * as m0010 from './migrations/0010-automation-revision.ts';
import * as m0011 from './migrations/0011-blob-references.ts';
import * as m0012 from './migrations/0012-imap-lease.ts';
import * as m0013 from './migrations/0013-inbound-queue-channel.ts';
import * as m0014 from './migrations/0014-imap-last-mail.ts';
import * as m0015 from './migrations/0015-inbound-queue-waiting-index.ts';
import * as m0016 from './migrations/0016-message-forward-and-quote.ts';
import * as m0017 from './migrations/0017-deleted-messages.ts';
import * as m0018 from './migrations/0018-team-address-verification.ts';
import * as m0019 from './migrations/0019-verification-link-history.ts';
import * as m0020 from './migrations/0020-imap-connected-at.ts';
import * as m0021 from './migrations/0021-conversation-reads.ts';
import * as m0022 from './migrations/0022-message-raws.ts';
import * as m0023 from './migrations/0023-reads-before-tracking.ts';

// A static list rather than a folder scan: works the same from source and from a bundle.
const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-email-threads': m0002,
  '0004-access': m0004,
  '0005-assignment': m0005,
  '0006-inbound-queue': m0006,
  '0007-access-cache-search': m0007,
  '0008-contact-search': m0008,
  '0009-assignment-rank': m0009,
  '0010-automation-revision': m0010,
  '0011-blob-references': m0011,
  '0012-imap-lease': m0012,
  '0013-inbound-queue-channel': m0013,
  '0014-imap-last-mail': m0014,
  '0015-inbound-queue-waiting-index': m0015,
  '0016-message-forward-and-quote': m0016,
  '0017-deleted-messages': m0017,
  '0018-team-address-verification': m0018,
  '0019-verification-link-history': m0019,
  '0020-imap-connected-at': m0020,
  '0021-conversation-reads': m0021,
  '0022-message-raws': m0022,
  '0023-reads-before-tracking': m0023,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// Numbers are handed out per feature and land in any order; a data folder that already ran a
// later number must still accept an earlier one that arrived afterwards.
const migratorFor = (db: Kysely<Database>) => new Migrator({ db: db as Kysely<unknown>, provider, allowUnorderedMigrations: true });

function ran({ error, results }: Awaited<ReturnType<Migrator['migrateToLatest']>>): string[] {
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return ran(await migratorFor(db).migrateToLatest());
}

/** Runs the pending migrations up to and including `name`: tests of a migration over data from before it. */
export async function migrateUpTo(db: Kysely<Database>, name: string): Promise<string[]> {
  return ran(await migratorFor(db).migrateTo(name));
}
