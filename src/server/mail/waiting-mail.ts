// What the settings screen shows of mail that reached us but is not in the inbox yet: per channel,
// the inbound spool's rows (fetched for it, or sent over SMTP to it alone) that failed at least
// once and wait for their retry, so a fault in our own storing is seen where the team looks, not
// only in the log.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { WaitingMailT } from '../../shared/api.ts';
import { chunks } from '../db/chunks.ts';

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
    for (const r of rows) waiting.set(r.channel_id!, { count: Number(r.n), lastError: r.last_error, nextAttemptAt: r.next_attempt_at });
  }
  return waiting;
}
