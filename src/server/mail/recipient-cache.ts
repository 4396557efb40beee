// The SMTP receiver's RCPT answers, remembered briefly: a burst to one inbox asked the database
// the same question for every message (on PostgreSQL a round trip each, ~18% of the event loop's
// time per message in bench/ingest-smtp.ts; on SQLite ~9%). An answer is kept for a second and
// forgotten as soon as the bus says its account has news (a channel turned off or on, addresses
// changed); answers for unknown addresses are forgotten on any news (a new account's address
// must work at once). So a change made in this process, or in any process sharing the Redis bus,
// applies to the next RCPT; without a shared bus, within a second. Mail accepted in that second
// is kept, as mail accepted just before a change always was (inbound-processor.ts).
import type { Kysely } from 'kysely';
import type { Bus } from '../bus/bus.ts';
import type { Database } from '../db/schema.ts';
import type { MailDomains } from '../core/mail-addresses.ts';
import { normalAddress, routeRecipient, type RecipientTarget } from './recipients.ts';

const TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  target: RecipientTarget | null;
  until: number;
}

export class RecipientCache {
  private readonly entries = new Map<string, Entry>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly domains: MailDomains,
    bus: Bus,
    private readonly ttlMs = TTL_MS,
  ) {
    this.unsubscribe = bus.subscribe((accountId) => this.forget(accountId));
  }

  async lookup(address: string): Promise<RecipientTarget | null> {
    const key = normalAddress(address);
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.target;
    const target = await routeRecipient(this.db, address, this.domains);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { target, until: now + this.ttlMs });
    return target;
  }

  close(): void {
    this.unsubscribe();
    this.entries.clear();
  }

  private forget(accountId: string): void {
    for (const [key, entry] of this.entries) if (entry.target === null || entry.target.accountId === accountId) this.entries.delete(key);
  }
}
