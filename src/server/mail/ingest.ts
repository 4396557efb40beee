// The one door from raw email to conversations, shared by the inbound processor (SMTP mail, from
// the spool) and the IMAP poller: raw bytes -> durable blob -> parse in a worker (time-limited)
// -> attachments as blobs -> one committed transaction per receiving inbox
// (core/receive-email.ts). Called directly (IMAP), the promise resolves once the message is
// durable (blob fsynced, rows committed with synchronous=FULL on SQLite, with synchronous_commit
// on PostgreSQL), so the caller may advance its UID; throwing means "not stored".
import crypto from 'node:crypto';
import type { Deps } from '../deps.ts';
import type { Row } from '../db/schema.ts';
import { sql } from 'kysely';
import { blobStore } from '../blobs/blob-store.ts';
import { parsePool } from './parse.ts';
import { routeRecipient } from './recipients.ts';
import { agentReplyDestination } from './agent-replies.ts';
import { receiveEmail, type StoredAttachment } from '../core/receive-email.ts';
import { accountMailDomain } from '../core/mail-addresses.ts';
import { isUniqueViolation } from '../db/dialect.ts';
import { durably } from '../db/connect.ts';
import { INLINE_MAX_BYTES } from './spool-files.ts';
import type { ParsedEmail } from '../core/inbound-email.ts';

export interface IngestInput {
  raw: Buffer;
  recipients: string[];
  mailFrom: string | null;
  via: 'smtp' | 'imap';
  /** IMAP: the channel the mail was fetched for. */
  channelId?: string;
  /**
   * Processing a spool row (inbound-processor.ts): the row is deleted in the same transaction as
   * the last inbox's rows, so a crash reprocesses it and dedupe keeps it once. The spool row is
   * the durable copy until then, so these commits need no FULL fsync of their own.
   */
  spoolId?: string;
  /** When the message reached us (the spool row's: SMTP acceptance or the IMAP INTERNALDATE): it is dated by arrival, not by processing. */
  receivedAt?: string;
  /**
   * Resolves when this message may be stored: the spool's processor parses messages side by side
   * but stores them in the order they arrived, so new conversations are numbered in that order.
   */
  turn?: () => Promise<void>;
}

export type IngestResult =
  | { outcome: 'stored'; messageId: string; conversationId: string; created: boolean }
  | { outcome: 'duplicate'; messageId: string; conversationId: string }
  | { outcome: 'deleted' }
  | { outcome: 'bounce_linked'; outboundMessageId: string }
  | { outcome: 'no_channel' };

/**
 * Header fields relays add on the way: RFC 5321 §4.4 trace fields and their kin, the signatures a
 * forwarding relay adds (Gmail forwarding adds DKIM-Signature and X-Forwarded-To), and the
 * bookkeeping of the big providers' relays.
 */
const TRACE_FIELDS = new Set([
  'received', 'return-path', 'delivered-to', 'x-original-to', 'x-received', 'authentication-results', 'received-spf', 'x-envelope-from',
  'x-envelope-to', 'x-virus-scanned', 'dkim-signature', 'x-google-dkim-signature', 'x-original-authentication-results', 'x-originating-ip',
]);
const TRACE_PREFIXES = /^(arc-|x-forwarded-|x-spam-|x-gm-|x-google-|x-ms-exchange-|x-microsoft-antispam|x-mailgun-|x-ses-)/;

function isTraceField(name: string): boolean {
  return TRACE_FIELDS.has(name) || TRACE_PREFIXES.test(name);
}

/**
 * SHA-256 of the message without trace fields and trailing line breaks: the same message delivered
 * twice (a retry after a lost 250, or through two relays or clients to two of our addresses)
 * hashes the same.
 */
export function contentHashOf(raw: Buffer): string {
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  const headEnd = m ? m.index : text.length;
  const bodyStart = m ? m.index + m[0].length : text.length;
  const fields = text.slice(0, headEnd).split(/\r?\n(?![ \t])/);
  const kept = fields.filter((f) => !isTraceField(f.slice(0, Math.max(0, f.indexOf(':'))).trim().toLowerCase()));
  // Line breaks at the very end are the sending client's, not the message's (swaks adds one).
  let bodyEnd = raw.length;
  while (bodyEnd > bodyStart && (raw[bodyEnd - 1] === 0x0a || raw[bodyEnd - 1] === 0x0d)) bodyEnd--;
  return crypto.createHash('sha256').update(kept.join('\n'), 'latin1').update('\n\n').update(raw.subarray(bodyStart, bodyEnd)).digest('hex');
}

/** RFC 5322 §3.6.4 says SHOULD have a Message-ID; for those without, one from the content hash. */
export function syntheticMessageId(contentHash: string): string {
  return `${contentHash.slice(0, 40)}@synthetic.parley.invalid`;
}

interface Target {
  channel: Row<'channels'>;
  settings: Row<'email_channel_settings'>;
  account: Row<'accounts'>;
  recipients: string[];
  /** Every recipient was an agent's default From address (agent-replies.ts may send it on). */
  agentAddressesOnly: boolean;
}

async function resolveTargets(deps: Deps, input: IngestInput): Promise<Target[]> {
  const db = deps.store.db;
  const byInbox = new Map<string, { channelId: string; recipients: string[]; agentAddressesOnly: boolean }>();
  if (input.channelId) {
    const ch = await db.selectFrom('channels').select(['id', 'inbox_id']).where('id', '=', input.channelId).executeTakeFirst();
    if (ch) byInbox.set(ch.inbox_id, { channelId: ch.id, recipients: [...input.recipients], agentAddressesOnly: false });
  } else {
    for (const r of input.recipients) {
      const t = await routeRecipient(db, r, deps.domains);
      // A turned-off channel's mail is neither shown nor logged (seed): RCPT refuses it. Mail
      // from the spool was accepted while the channel was on, and a 250 means we keep it, so a
      // channel turned off since then still gets it.
      if (!t || (!t.enabled && input.spoolId === undefined)) continue;
      const entry = byInbox.get(t.inboxId) ?? { channelId: t.channelId, recipients: [], agentAddressesOnly: true };
      entry.recipients.push(r.toLowerCase());
      entry.agentAddressesOnly &&= t.kind === 'agent';
      byInbox.set(t.inboxId, entry);
    }
  }
  const targets: Target[] = [];
  for (const { channelId, recipients, agentAddressesOnly } of byInbox.values()) {
    const target = await loadTarget(db, channelId, recipients, agentAddressesOnly);
    if (target) targets.push(target);
  }
  return targets;
}

async function loadTarget(db: Deps['store']['db'], channelId: string, recipients: string[], agentAddressesOnly: boolean): Promise<Target | null> {
  const channel = await db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst();
  const settings = await db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channelId).executeTakeFirst();
  if (!channel || !settings) return null;
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', channel.account_id).executeTakeFirstOrThrow();
  return { channel, settings, account, recipients, agentAddressesOnly };
}

/** Mail to agents' From addresses that answers one of our sent messages goes to that conversation's inbox. */
async function followAgentReplies(deps: Deps, targets: Target[], parsed: ParsedEmail | null): Promise<Target[]> {
  if (!parsed || !targets.some((t) => t.agentAddressesOnly)) return targets;
  const out: Target[] = [];
  for (const t of targets) {
    const to = t.agentAddressesOnly
      ? await agentReplyDestination(deps.store.db, t.account.id, accountMailDomain(t.account.subdomain, t.account.plan, deps.domains), parsed)
      : null;
    const target = (to && to.inboxId !== t.channel.inbox_id ? await loadTarget(deps.store.db, to.channelId, t.recipients, true) : null) ?? t;
    // One receiving per inbox, as resolveTargets made them.
    const same = out.find((o) => o.channel.inbox_id === target.channel.inbox_id);
    if (!same) out.push(target);
    else {
      same.recipients.push(...target.recipients);
      same.agentAddressesOnly &&= target.agentAddressesOnly;
    }
  }
  return out;
}

export async function ingestRawEmail(deps: Deps, input: IngestInput): Promise<IngestResult> {
  const routed = await resolveTargets(deps, input);
  if (routed.length === 0) {
    if (input.spoolId) await deps.store.db.deleteFrom('inbound_queue').where('id', '=', input.spoolId).execute();
    return { outcome: 'no_channel' };
  }
  const blobs = blobStore(deps.config.dataDir);

  // Raw bytes first: whatever the parser makes of them, the original is kept. Small messages go
  // into the database with their message, in the same commit (no file, no fsyncs of their own).
  const raw = input.raw.length <= INLINE_MAX_BYTES ? { bytes: input.raw } : { key: (await blobs.put(input.raw)).key };
  const result = await parsePool().parse(input.raw);
  let parsed: ParsedEmail | null = null;
  let parseError: string | null = null;
  if (result.ok) {
    parsed = result.parsed;
    parseError = result.problem;
  } else {
    parseError = result.error;
  }
  const attachments: StoredAttachment[] = [];
  for (const a of parsed?.attachments ?? []) {
    const stored = await blobs.put(a.content);
    attachments.push({ filename: a.filename, contentType: a.contentType, contentId: a.contentId, inline: a.inline, size: stored.size, sha256: stored.sha256, storageKey: stored.key });
  }
  if (parsed) parsed = { ...parsed, attachments: [] };
  const contentHash = contentHashOf(input.raw);
  const messageId = parsed?.messageId ?? syntheticMessageId(contentHash);
  const targets = await followAgentReplies(deps, routed, parsed);
  await input.turn?.();

  let first: IngestResult | null = null;
  const spoolId = input.spoolId;
  const commit = <T>(fn: () => Promise<T>) => (spoolId ? fn() : durably(deps.store, fn));
  for (const [i, target] of targets.entries()) {
    const mailDomain = accountMailDomain(target.account.subdomain, target.account.plan, deps.domains);
    const last = i === targets.length - 1;
    const run = () =>
      commit(() =>
        deps.run({ kind: 'system', accountId: target.account.id, reason: `email via ${input.via}` }, async (ctx) => {
          // Direct callers rely on this commit: never let a server-wide synchronous_commit=off
          // weaken it. From the spool it may be lost on a crash together with the deletion of
          // the spool row (same transaction), which only means processing again; not waiting for
          // the WAL flush keeps the account-row lock (conversation counter, event seq) short.
          if (ctx.dialect === 'postgres') await sql.raw(`set local synchronous_commit = ${spoolId ? 'off' : 'on'}`).execute(ctx.db);
          if (spoolId && last) await ctx.db.deleteFrom('inbound_queue').where('id', '=', spoolId).execute();
          return receiveEmail(ctx, {
            channel: target.channel,
            settings: target.settings,
            accountMailDomain: mailDomain,
            recipients: target.recipients,
            mailFrom: input.mailFrom,
            envelopeKnown: input.via === 'smtp',
            parsed,
            parseError,
            messageId,
            contentHash,
            raw,
            attachments,
            ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
          });
        }),
      );
    let outcome;
    for (let attempt = 1; ; attempt++) {
      try {
        outcome = await run();
        break;
      } catch (err) {
        // A concurrent receiver created the same contact or message first: run again, and the
        // dedupe check or the contact lookup now sees its row. (Lock conflicts, a PostgreSQL
        // deadlock or serialization failure among them, are retried by runInTransaction.)
        if (attempt < 4 && isUniqueViolation(err)) continue;
        throw err;
      }
    }
    const r: IngestResult =
      outcome.outcome === 'stored'
        ? { outcome: 'stored', messageId: outcome.messageId, conversationId: outcome.conversationId, created: outcome.created }
        : outcome;
    first ??= r;
  }
  return first ?? { outcome: 'no_channel' };
}
