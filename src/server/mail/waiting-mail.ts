// What the settings screen shows of mail that reached us but is not in the inbox yet: per channel,
// the inbound spool's rows (fetched for it, or sent over SMTP to it) that failed at least once and
// wait for their retry, so a fault in our own storing is seen where the team looks, not only in
// the log.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { WaitingMailT } from '../../shared/api.ts';
import { chunks } from '../db/chunks.ts';
import { lookupRecipient } from './recipients.ts';

/** Failed rows of mail for several channels looked at per call: a bound for a pathological backlog. */
const MAX_SHARED_ROWS = 1_000;

export async function waitingMailByChannel(db: Kysely<Database>, channelIds: string[]): Promise<Map<string, WaitingMailT>> {
  const waiting = new Map<string, WaitingMailT>();
  for (const ids of chunks(channelIds)) {
    // One of the errors stands for all: a channel's rows fail for the same reason, as a rule.
    const rows = await db
      .selectFrom('inbound_queue')
      .select((eb) => ['channel_id', eb.fn.countAll<number | string>().as('n'), eb.fn.max('last_error').as('last_error'), eb.fn.min('next_attempt_at').as('next_attempt_at')])
      .where('channel_id', 'in', ids)
      // A literal, not a parameter, so both stores see that the partial index (migration 0015) applies.
      .where('attempts', '>', sql.lit(0))
      .groupBy('channel_id')
      .execute();
    for (const r of rows) add(waiting, r.channel_id!, { count: Number(r.n), lastError: r.last_error, nextAttemptAt: r.next_attempt_at });
  }
  await addSharedMail(db, new Set(channelIds), waiting);
  return waiting;
}

/**
 * SMTP mail addressed to several channels is spooled under none (it is not one channel's), so
 * when it keeps failing it counts for each channel among its recipients. Such rows are rare (a
 * message to two teams' addresses that our storing refuses), so they are read whole.
 */
async function addSharedMail(db: Kysely<Database>, wanted: Set<string>, waiting: Map<string, WaitingMailT>): Promise<void> {
  const rows = await db
    .selectFrom('inbound_queue')
    .select(['recipients_json', 'last_error', 'next_attempt_at'])
    .where('channel_id', 'is', null)
    .where('attempts', '>', sql.lit(0))
    .limit(MAX_SHARED_ROWS)
    .execute();
  const channelOf = new Map<string, string | null>();
  for (const row of rows) {
    const channels = new Set<string>();
    for (const address of JSON.parse(row.recipients_json) as string[]) {
      if (!channelOf.has(address)) channelOf.set(address, (await lookupRecipient(db, address))?.channelId ?? null);
      const channel = channelOf.get(address);
      if (channel && wanted.has(channel)) channels.add(channel);
    }
    for (const channel of channels) add(waiting, channel, { count: 1, lastError: row.last_error, nextAttemptAt: row.next_attempt_at });
  }
}

/** Folds one more group of waiting mail into a channel's summary. */
function add(waiting: Map<string, WaitingMailT>, channelId: string, more: WaitingMailT): void {
  const had = waiting.get(channelId);
  if (!had) return void waiting.set(channelId, more);
  waiting.set(channelId, {
    count: had.count + more.count,
    lastError: had.lastError ?? more.lastError,
    nextAttemptAt: [had.nextAttemptAt, more.nextAttemptAt].filter((t): t is string => t !== null).sort()[0] ?? null,
  });
}
