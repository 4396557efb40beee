// The send_email job: the outbox worker's half of an agent reply. Composes From name, From
// address, signature, Reply-To token and thread headers from the settings as they are now (so a
// settings change applies to the next email sent), and sends through the relay or the conversation's
// team mailbox, falling back to the fallback email when the team server refuses the login or is
// unreachable.
//
// Never twice, never lost: the message is marked `sending` (with its fixed Message-ID) right
// before the SMTP transaction and `sent` right after the relay's 250. If the process dies in that
// window the job's lease expires and the job is claimed again; finding `sending`, we do NOT send
// again (the relay may already hold it — RFC 1047's duplicate-message problem), but mark the message
// failed with "delivery uncertain" so it is visible and one click (Retry) away from resending.
// Every other failure happens before `sending` or is caught and recorded, so it is retried or shown.
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Row } from '../db/schema.ts';
import { PermanentJobError, RetryableJobError, type JobHandler } from '../jobs/runner.ts';
import { accountMailDomain } from '../core/mail-addresses.ts';
import { fromName, replyToAddress, senderIdentity, type SenderAgent, type SenderSettings } from '../core/sender.ts';
import { sendingOptions, type ChannelWithEmail } from '../core/sending-route.ts';
import { recordActivity } from '../core/activity.ts';
import { openJson, secretKey } from '../core/secrets.ts';
import { BlobStore } from '../blobs/blob-store.ts';
import { compose, UnsafeHeaderError, type Addr, type Composed, type OutboundAttachment } from './compose.ts';
import { dkimFor } from './dkim.ts';
import { classifySmtpError, NO_RELAY_REASON, relayTransport, sendComposed, sendViaServer, type SendResult, type SmtpServer } from './relay.ts';
import { appendToSent } from './sent-folder.ts';
import { resolveMailHost } from './mail-host.ts';

/** Waiting conditions (no relay, nothing may send) are re-checked on this period, never given up. */
const WAIT_MS = 60_000;
const UNCERTAIN =
  'Delivery uncertain: the worker stopped during the SMTP transaction, so the relay may or may not have accepted this email. It was not resent automatically, to avoid a duplicate; use Retry to send it again.';

const Payload = z.object({ messageId: z.string().min(1) });
const MailServer = z.object({ host: z.string(), port: z.number(), tls: z.boolean(), user: z.string(), password: z.string() });

const system = (accountId: string) => ({ kind: 'system' as const, accountId, reason: 'outbox' });

export function settingsOf(email: Row<'email_channel_settings'>): SenderSettings {
  return {
    fromNameMode: email.from_name_mode === 'company' ? 'company' : 'agent_and_company',
    companyName: email.company_name,
    fromAddressMode: email.from_address_mode === 'custom' ? 'custom' : 'default',
    customFromAddress: email.custom_from_address,
    customFromVerified: email.custom_from_verified_at !== null,
    signatureEnabled: email.signature_enabled === 1,
    signatureHtml: email.signature_html,
  };
}

export function agentOf(user: Row<'users'> | undefined): SenderAgent | null {
  return user ? { firstName: user.first_name, lastName: user.last_name, email: user.email } : null;
}

const parse = <T>(json: string | null, fallback: T): T => {
  if (!json) return fallback;
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
};

interface Loaded {
  message: Row<'messages'>;
  conversation: Row<'conversations'>;
  account: Row<'accounts'>;
  agent: SenderAgent | null;
  attachments: OutboundAttachment[];
}

async function load(deps: Deps, messageId: string): Promise<Loaded | null> {
  const db = deps.store.db;
  const message = await db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
  if (!message) return null;
  const [conversation, account, user, rows] = await Promise.all([
    db.selectFrom('conversations').selectAll().where('id', '=', message.conversation_id).executeTakeFirstOrThrow(),
    db.selectFrom('accounts').selectAll().where('id', '=', message.account_id).executeTakeFirstOrThrow(),
    message.author_user_id ? db.selectFrom('users').selectAll().where('id', '=', message.author_user_id).executeTakeFirst() : Promise.resolve(undefined),
    db.selectFrom('attachments').selectAll().where('message_id', '=', message.id).execute(),
  ]);
  const blobs = rows.length ? new BlobStore(deps.config.dataDir) : null;
  const attachments: OutboundAttachment[] = [];
  for (const a of rows) attachments.push({ filename: a.filename, contentType: a.content_type, content: await blobs!.read(a.storage_key) });
  return { message, conversation, account, agent: agentOf(user), attachments };
}

type Route = { via: 'fallback'; channel: ChannelWithEmail } | { via: 'team'; channel: ChannelWithEmail; server: SmtpServer };

/** The message's bytes for one route: what the contact sees depends on which address sends. */
async function composeFor(deps: Deps, l: Loaded, route: Route, now: Date): Promise<{ composed: Composed; from: Addr }> {
  const email = route.channel.email;
  const settings = settingsOf(email);
  const mailDomain = accountMailDomain(l.account.subdomain, l.account.plan, deps.domains);
  const identity = senderIdentity(settings, l.agent, { companyName: l.account.company_name, mailDomain });
  const from: Addr =
    route.via === 'team'
      ? { name: fromName(settings, l.agent, l.account.company_name), address: email.team_address ?? identity.fromAddress }
      : { name: identity.fromName, address: identity.fromAddress };
  const composed = await compose({
    from,
    to: parse<Addr[]>(l.message.to_json, []),
    cc: parse<Addr[]>(l.message.cc_json, []),
    bcc: parse<Addr[]>(l.message.bcc_json, []),
    // Fallback email: the token address threads the customer's answer back (DESIGN.md, inbound).
    // Team mailbox: answers go to the team address itself and thread by In-Reply-To/References.
    replyTo: route.via === 'fallback' ? replyToAddress(email.inbound_address, l.conversation.reply_token) : null,
    envelopeFrom: route.via === 'fallback' ? email.inbound_address : (email.team_address ?? undefined),
    subject: l.message.subject ?? l.conversation.subject,
    messageId: l.message.message_id!,
    inReplyTo: l.message.in_reply_to,
    references: parse<string[]>(l.message.references_json, []),
    text: l.message.text,
    html: l.message.html,
    signatureHtml: identity.signatureHtml,
    date: now,
    attachments: l.attachments,
  });
  return { composed, from };
}

async function setMessage(deps: Deps, m: Row<'messages'>, set: Partial<Row<'messages'>>, onlyIf?: Row<'messages'>['delivery_status']): Promise<boolean> {
  return deps.run(system(m.account_id), async (ctx) => {
    let q = ctx.db.updateTable('messages').set(set).where('id', '=', m.id);
    if (onlyIf !== undefined) q = q.where('delivery_status', '=', onlyIf);
    const r = await q.executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await ctx.emit({ type: 'message.updated', accountId: m.account_id, inboxId: m.inbox_id, data: { conversationId: m.conversation_id, messageId: m.id, deliveryStatus: set.delivery_status ?? m.delivery_status } });
    return true;
  });
}

/** Keeps the message queued with a reason people can read, and asks the runner to come back. */
async function wait(deps: Deps, m: Row<'messages'>, reason: string, afterMs?: number): Promise<never> {
  await setMessage(deps, m, { delivery_status: 'queued', delivery_error: reason });
  throw new RetryableJobError(reason, afterMs);
}

async function fail(deps: Deps, m: Row<'messages'>, reason: string): Promise<never> {
  await setMessage(deps, m, { delivery_status: 'failed', delivery_error: reason });
  throw new PermanentJobError(reason);
}

function teamServer(deps: Deps, email: Row<'email_channel_settings'>): SmtpServer | null {
  if (!email.smtp_config) return null;
  const parsed = MailServer.safeParse(openJson(secretKey({ secretKey: deps.config.secretKey, dataDir: deps.config.dataDir }), email.smtp_config));
  return parsed.success ? parsed.data : null;
}

/** Resolves the team server's host with the same private-address guard as the connection test. */
async function resolvedTeamServer(deps: Deps, server: SmtpServer): Promise<SmtpServer> {
  try {
    const resolved = await resolveMailHost(server.host, { allowPrivate: deps.config.allowPrivateMailHosts, label: 'SMTP', field: 'smtp.host' });
    return { ...server, address: resolved.address };
  } catch (err) {
    throw Object.assign(new Error(err instanceof Error ? err.message : String(err)), { code: 'ECONNECTION' });
  }
}

async function markTeamChannel(deps: Deps, channel: Row<'channels'>, status: 'auth_failed' | 'unreachable', detail: string): Promise<void> {
  await deps.run(system(channel.account_id), async (ctx) => {
    await ctx.db.updateTable('channels').set({ status, status_detail: detail }).where('id', '=', channel.id).execute();
    await ctx.emit({ type: 'channel.updated', accountId: channel.account_id, inboxId: channel.inbox_id, data: { channelId: channel.id, status } });
  });
}

async function sendViaRelay(deps: Deps, composed: Composed, from: Addr): Promise<SendResult> {
  return sendComposed(relayTransport(deps.config.smtpRelayUrl!), composed, dkimFor(deps.config, from.address));
}

async function runSendEmail(deps: Deps, _job: Row<'jobs'>, payload: Record<string, unknown>): Promise<void> {
  const { messageId } = Payload.parse(payload);
  const l = await load(deps, messageId);
  if (!l || l.message.kind !== 'message' || l.message.direction !== 'out' || !l.message.message_id) return;
  const m = l.message;
  if (m.delivery_status === 'sent' || m.delivery_status === 'failed') return;
  if (m.delivery_status === 'sending') {
    await setMessage(deps, m, { delivery_status: 'failed', delivery_error: UNCERTAIN }, 'sending');
    return;
  }

  const options = await sendingOptions(deps.store.db, l.conversation);
  const team = options.team ? teamServer(deps, options.team.email) : null;
  let route: Route | null = options.team && team ? { via: 'team', channel: options.team, server: team } : options.fallback ? { via: 'fallback', channel: options.fallback } : null;
  if (!route) return wait(deps, m, options.fallbackReason ?? 'Nothing may send from this inbox', WAIT_MS);
  if (route.via === 'fallback' && !deps.config.smtpRelayUrl) return wait(deps, m, NO_RELAY_REASON, WAIT_MS);

  const now = new Date();
  let built: { composed: Composed; from: Addr };
  try {
    built = await composeFor(deps, l, route, now);
  } catch (err) {
    if (err instanceof UnsafeHeaderError) return fail(deps, m, `Not sent: ${err.message}`);
    throw err;
  }

  // The crash marker: from here until `sent`, a restarted worker will not send again.
  // One conditional UPDATE, no event: 'sending' lasts milliseconds, and the UI hears 'sent' or 'failed'.
  const claimed = await deps.store.db
    .updateTable('messages')
    .set({ delivery_status: 'sending', delivery_error: null, from_json: JSON.stringify(built.from), email_date: now.toISOString() })
    .where('id', '=', m.id)
    .where('delivery_status', '=', 'queued')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return;

  let result: SendResult;
  try {
    if (route.via === 'team') {
      try {
        result = await sendViaServer(await resolvedTeamServer(deps, route.server), built.composed, dkimFor(deps.config, built.from.address));
      } catch (err) {
        const failure = classifySmtpError(err);
        if (failure.kind !== 'auth' && failure.kind !== 'connection') throw err;
        // Seed: "The fallback email is also used if your team email address is suddenly disconnected."
        const what = failure.kind === 'auth' ? 'refused the login' : 'could not be reached';
        const usable = options.fallback && deps.config.smtpRelayUrl;
        await markTeamChannel(
          deps,
          route.channel.channel,
          failure.kind === 'auth' ? 'auth_failed' : 'unreachable',
          `Sending failed: the SMTP server ${what} (${failure.reason}). ${usable ? 'Replies go out from the fallback email until this is fixed.' : 'Replies wait until this is fixed (the fallback email is not used for sending).'}`,
        );
        if (!usable) {
          await setMessage(deps, m, { delivery_status: 'queued' }, 'sending');
          return wait(deps, m, `The team mailbox's SMTP server ${what} (${failure.reason}); waiting, because the fallback email is not used for sending`, 5 * WAIT_MS);
        }
        route = { via: 'fallback', channel: options.fallback! };
        built = await composeFor(deps, l, route, now);
        await deps.store.db.updateTable('messages').set({ from_json: JSON.stringify(built.from) }).where('id', '=', m.id).execute();
        result = await sendViaRelay(deps, built.composed, built.from);
        await deps.run(system(m.account_id), (ctx) =>
          recordActivity(
            ctx,
            l.conversation,
            { type: 'sent_from_fallback', messageId: m.id, channelId: options.team!.channel.id, reason: failure.reason },
            `The team mailbox's SMTP server ${what}, so this reply was sent from the fallback email ${built.from.address}.`,
          ),
        );
      }
    } else {
      result = await sendViaRelay(deps, built.composed, built.from);
    }
  } catch (err) {
    const failure = classifySmtpError(err);
    if (failure.kind === 'permanent') {
      await setMessage(deps, m, { delivery_status: 'failed', delivery_error: `The mail server refused this email: ${failure.reason}` }, 'sending');
      throw new PermanentJobError(failure.reason);
    }
    await setMessage(deps, m, { delivery_status: 'queued', delivery_error: `Temporary failure, will retry: ${failure.reason}` }, 'sending');
    throw new RetryableJobError(failure.reason);
  }

  const partial = result.rejected.length ? `Not delivered to ${result.rejected.join(', ')} (the server refused these recipients)` : null;
  await setMessage(deps, m, { delivery_status: 'sent', delivery_error: partial });
  if (route.via === 'team' && route.channel.email.imap_config) {
    await appendToSent(deps, route.channel.email, built.composed.raw).catch((err: unknown) => deps.log.warn({ err, messageId: m.id }, 'could not save the reply to the Sent folder'));
  }
}

export const sendEmailHandler: JobHandler = {
  run: runSendEmail,
  // Longer than the SMTP timeouts together, so a live send is never taken over by another worker.
  leaseMs: 10 * 60_000,
  onGiveUp: async (deps, _job, payload, reason) => {
    const parsed = Payload.safeParse(payload);
    if (!parsed.success) return;
    const m = await deps.store.db.selectFrom('messages').selectAll().where('id', '=', parsed.data.messageId).executeTakeFirst();
    if (!m || m.delivery_status === 'sent' || m.delivery_status === 'failed') return;
    await setMessage(deps, m, { delivery_status: 'failed', delivery_error: `Gave up after repeated failures: ${reason}` });
  },
};
