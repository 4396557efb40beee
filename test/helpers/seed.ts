// Bulk rows written straight through Kysely in batched multi-row inserts, for pagination tests
// and benchmarks that need thousands of rows fast (the use cases would be far slower per row).
import type { Kysely, Insertable } from 'kysely';
import type { Database, ConversationStatus } from '../../src/server/db/schema.ts';
import { newId } from '../../src/server/core/ids.ts';

const BATCH = 500;

async function insertBatched<T extends keyof Database & string>(db: Kysely<Database>, table: T, rows: Insertable<Database[T]>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await db.transaction().execute(async (trx) => {
      // Kysely's insert typing is per table; the rows were built for this table above.
      await trx.insertInto(table).values(rows.slice(i, i + BATCH) as never).execute();
    });
  }
}

/** A timestamp `i` steps back from a fixed base, with `distinct` different values overall (ties on purpose). */
export function stamp(i: number, distinct: number): string {
  return new Date(Date.UTC(2026, 0, 1) - (i % distinct) * 60_000).toISOString();
}

export async function seedContacts(db: Kysely<Database>, accountId: string, n: number, distinctTimes = n): Promise<string[]> {
  const rows = Array.from({ length: n }, (_, i) => {
    const at = stamp(i, distinctTimes);
    return { id: newId(), account_id: accountId, email: `c${i}-${newId().slice(-12)}@example.test`, name: `Contact ${i}`, owner_id: null, created_at: at, updated_at: at };
  });
  await insertBatched(db, 'contacts', rows);
  return rows.map((r) => r.id);
}

export async function seedUsers(db: Kysely<Database>, accountId: string, n: number): Promise<string[]> {
  const now = new Date().toISOString();
  const rows = Array.from({ length: n }, (_, i) => ({
    id: newId(),
    account_id: accountId,
    email: `u${i}-${newId().slice(-12)}@example.test`,
    first_name: `User${i}`,
    last_name: 'Seeded',
    password_hash: null,
    role: 'agent' as const,
    seat: 'paid' as const,
    availability: 'available' as const,
    notify_in_app: 1 as const,
    notify_email: 1 as const,
    created_at: now,
    deactivated_at: null,
  }));
  await insertBatched(db, 'users', rows);
  return rows.map((r) => r.id);
}

export interface SeedConversationsOptions {
  accountId: string;
  inboxId: string;
  contactIds: string[];
  n: number;
  /** Number of distinct last_activity_at values (fewer than n gives ties for the keyset). */
  distinctTimes?: number;
  status?: (i: number) => ConversationStatus;
  assigneeId?: (i: number) => string | null;
  /** First display number (the account counter is moved past the last one). */
  firstNumber?: number;
}

export async function seedConversations(db: Kysely<Database>, o: SeedConversationsOptions): Promise<string[]> {
  const first = o.firstNumber ?? 1;
  const rows = Array.from({ length: o.n }, (_, i) => {
    const at = stamp(i, o.distinctTimes ?? o.n);
    return {
      id: newId(),
      account_id: o.accountId,
      number: first + i,
      inbox_id: o.inboxId,
      channel_id: null,
      contact_id: o.contactIds.length ? o.contactIds[i % o.contactIds.length]! : null,
      status: o.status?.(i) ?? 'open',
      snoozed_until: null,
      assignee_id: o.assigneeId?.(i) ?? null,
      subject: `Question ${i} about my order`,
      preview: `Hello, I have a question about order ${i}. Could you have a look at it?`,
      reply_token: newId().replace(/-/g, ''),
      last_activity_at: at,
      created_at: at,
      closed_at: null,
    };
  });
  await insertBatched(db, 'conversations', rows);
  await db.updateTable('accounts').set({ conversation_counter: first + o.n - 1 }).where('id', '=', o.accountId).execute();
  return rows.map((r) => r.id);
}
