// receiveEmail: one inbound email into one inbox, in one transaction. Dedupe (inbox, Message-ID,
// content hash); a delivery report marks the outbound message it refers to as failed instead of
// opening a conversation; otherwise find or create the contact (the original sender of a
// forward when the channel says so), thread it (threading.ts) or open a new conversation
// (number from the account counter, then the routing/ticket seam), insert the message and its
// attachments, log it on the contact's timeline, and emit. Inbound mail is always direction
// 'in' with a contact author: nothing in a header can make it pass as an agent's message.
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import type { Row } from '../db/schema.ts';
import type { EmailAddr, ParsedEmail } from './inbound-email.ts';
import { chooseThread, threadLockKeys, threadingPlan, type ThreadVia } from './threading.ts';
import { findOrCreateContactByEmail, logTimeline, normalizeEmail } from './contacts.ts';
import { nextConversationNumber } from './conversation-numbers.ts';
import { afterConversationCreated } from './new-conversation.ts';
import { reopenOnInbound } from './conversation-workflow.ts';
import { quoteStart } from './quoted-text.ts';
import { notifyFollowersOfReply } from './notify.ts';
import { newReplyToken } from './reply-token.ts';
import { automaticReason } from '../mail/loops.ts';
import { baseAddress, normalAddress } from '../mail/recipients.ts';
import { applyDeliveryReport } from './delivery-reports.ts';

export interface StoredAttachment {
  filename: string;
  contentType: string;
  contentId: string | null;
  inline: boolean;
  size: number;
  sha256: string;
  storageKey: string;
}

export interface ReceiveEmailInput {
  channel: Row<'channels'>;
  settings: Row<'email_channel_settings'>;
  accountMailDomain: string;
  recipients: string[];
  mailFrom: string | null;
  /** False for mail fetched over IMAP: no SMTP envelope, so a null mailFrom means "unknown". */
  envelopeKnown: boolean;
  parsed: ParsedEmail | null;
  parseError: string | null;
  /** Final Message-ID (synthetic when the mail had none), without angle brackets. */
  messageId: string;
  contentHash: string;
  /** Where the raw message is kept: a blob file's key, or its bytes, stored here with the message. */
  raw: { key: string } | { bytes: Buffer };
  attachments: StoredAttachment[];
  /**
   * When the mail reached us (the spool's received_at), if earlier than this transaction: the
   * message, a new conversation and the timeline are dated by arrival, so mail processed side by
   * side, after a burst's deferral or on a retry keeps its place in the inbox.
   */
  receivedAt?: string;
}

export type ReceiveEmailResult =
  | { outcome: 'stored'; messageId: string; conversationId: string; created: boolean; via: ThreadVia | 'new' }
  | { outcome: 'duplicate'; messageId: string; conversationId: string }
  /** The same email was in a conversation that was deleted since (a tombstone, 0017): stays deleted. */
  | { outcome: 'deleted' }
  | { outcome: 'bounce_linked'; outboundMessageId: string };

const PREVIEW_CHARS = 200;

export function previewOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

function envelopeSender(mailFrom: string | null): EmailAddr | null {
  const a = mailFrom?.trim().replace(/^<|>$/g, '') ?? '';
  return a.includes('@') ? { name: '', address: normalizeEmail(a) } : null;
}

/** Replaces `cid:` image sources with the stored attachment's URL (RFC 2392). */
function resolveCids(html: string, cids: Map<string, string>): string {
  if (cids.size === 0) return html;
  return html.replace(/(\ssrc=["'])cid:([^"']+)(["'])/gi, (whole, pre: string, cid: string, post: string) => {
    const id = cids.get(decodeURIComponent(cid).replace(/^<|>$/g, '').toLowerCase());
    return id ? `${pre}/api/v1/attachments/${id}${post}` : whole;
  });
}

/**
 * What this inbox already knows of the same email (inbox, Message-ID, content hash): the message
 * itself, stored here or, once its conversation was moved to another inbox, found through the
 * thread key its arrival left here; or the tombstone of a deleted conversation's copy (0017).
 * One statement: every inbound email asks, inside its transaction.
 */
async function priorCopy(ctx: Ctx, inboxId: string, messageId: string, contentHash: string): Promise<{ duplicate: { id: string; conversation_id: string } } | { deleted: true } | undefined> {
  const stored = ctx.db
    .selectFrom('messages')
    .select([sql<number>`1`.as('rank'), 'id', 'conversation_id'])
    .where('inbox_id', '=', inboxId)
    .where('message_id', '=', messageId)
    .where('content_hash', '=', contentHash);
  const moved = ctx.db
    .selectFrom('email_thread_keys')
    .innerJoin('messages', 'messages.conversation_id', 'email_thread_keys.conversation_id')
    .select([sql<number>`2`.as('rank'), 'messages.id', 'messages.conversation_id'])
    .where('email_thread_keys.inbox_id', '=', inboxId)
    .where('email_thread_keys.message_id', '=', messageId)
    .where('messages.message_id', '=', messageId)
    .where('messages.content_hash', '=', contentHash);
  const deleted = ctx.db
    .selectFrom('deleted_messages')
    .select([sql<number>`3`.as('rank'), sql<string | null>`cast(null as text)`.as('id'), sql<string | null>`cast(null as text)`.as('conversation_id')])
    .where('inbox_id', '=', inboxId)
    .where('message_id', '=', messageId)
    .where('content_hash', '=', contentHash);
  const first = await deleted.unionAll(stored).unionAll(moved).orderBy('rank').limit(1).executeTakeFirst();
  if (!first) return undefined;
  if (first.id === null || first.conversation_id === null) return { deleted: true };
  return { duplicate: { id: first.id, conversation_id: first.conversation_id } };
}

/** One of our channels' addresses (any +tag), or a user of the account. */
async function isOurOwnSender(ctx: Ctx, accountId: string, address: string): Promise<boolean> {
  const ours = await ctx.db.selectFrom('channel_addresses').select('address').where('address', 'in', [...new Set([normalAddress(address), baseAddress(address)])]).executeTakeFirst();
  if (ours) return true;
  const agent = await ctx.db.selectFrom('users').select('id').where('account_id', '=', accountId).where('email', '=', normalizeEmail(address)).executeTakeFirst();
  return agent !== undefined;
}

export async function receiveEmail(ctx: Ctx, input: ReceiveEmailInput): Promise<ReceiveEmailResult> {
  const { channel, parsed } = input;
  const accountId = channel.account_id;
  const inboxId = channel.inbox_id;
  const now = ctx.now.toISOString();
  const arrived = input.receivedAt && input.receivedAt < now ? input.receivedAt : now;

  // PostgreSQL: serialise receivers of the same thread (see threadLockKeys). SQLite has one writer.
  // One round trip for every key (a reply names up to 22), taken in the keys' sorted order: a
  // function scan yields the array's elements in order.
  if (ctx.dialect === 'postgres') {
    const keys = threadLockKeys(inboxId, input.messageId, parsed?.inReplyTo ?? null, (parsed?.references ?? []).slice(-20));
    await sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${keys}::text[]) as k`.execute(ctx.db);
  }

  const prior = await priorCopy(ctx, inboxId, input.messageId, input.contentHash);
  if (prior && 'duplicate' in prior) return { outcome: 'duplicate', messageId: prior.duplicate.id, conversationId: prior.duplicate.conversation_id };
  // A deleted conversation's mail fetched or delivered again (an IMAP re-scan, an SMTP retry) is not re-imported.
  if (prior) return { outcome: 'deleted' };

  if (parsed?.report) {
    const outboundMessageId = await applyDeliveryReport(ctx, accountId, parsed.report);
    if (outboundMessageId) return { outcome: 'bounce_linked', outboundMessageId };
    // A report on no message of ours (sent before Parley, or backscatter) is kept, as automatic mail.
  }

  const fromAddr = parsed?.from ?? envelopeSender(input.mailFrom);
  const ownSender = fromAddr
    ? await ctx.db.selectFrom('channel_addresses').select('address').where('address', '=', fromAddr.address).executeTakeFirst()
    : undefined;
  const automatic =
    automaticReason({
      headers: parsed?.headers ?? [],
      mailFrom: input.envelopeKnown ? input.mailFrom : undefined,
      fromAddress: fromAddr?.address ?? null,
      ownAddresses: new Set(ownSender ? [ownSender.address] : []),
    }) ?? (parsed?.report ? 'delivery-status report' : null);

  // Forwards: log to the original sender and show the original CC (channel setting, on by default).
  // Not when the forwarded message is our own (a customer forwarding an agent's reply): that would
  // make our own address the contact, and the answer would go to ourselves.
  const forwarded = input.settings.original_sender_of_forwards === 1 ? (parsed?.forwarded ?? null) : null;
  const forwardedOriginal = forwarded && !(await isOurOwnSender(ctx, accountId, forwarded.from.address)) ? forwarded : null;
  const contactAddr = forwardedOriginal ? forwardedOriginal.from : fromAddr;
  const cc = forwardedOriginal ? forwardedOriginal.cc : parsed?.cc ?? [];
  const contact = contactAddr ? await findOrCreateContactByEmail(ctx, { accountId, email: contactAddr.address, name: contactAddr.name }) : null;

  // Threading, every lookup scoped to this inbox.
  const plan = threadingPlan({ recipients: input.recipients, inReplyTo: parsed?.inReplyTo ?? null, references: parsed?.references ?? [], accountMailDomain: input.accountMailDomain });
  const byToken = new Map<string, string>();
  const byMessageId = new Map<string, string>();
  const byOwnId = new Map<string, string>();
  if (plan.replyTokens.length) {
    const rows = await ctx.db.selectFrom('conversations').select(['id', 'reply_token']).where('inbox_id', '=', inboxId).where('reply_token', 'in', plan.replyTokens).execute();
    for (const r of rows) byToken.set(r.reply_token, r.id);
  }
  if (plan.messageIds.length) {
    const rows = await ctx.db.selectFrom('messages').select(['message_id', 'conversation_id']).where('inbox_id', '=', inboxId).where('message_id', 'in', plan.messageIds).execute();
    for (const r of rows) if (r.message_id) byMessageId.set(r.message_id, r.conversation_id);
    const keys = await ctx.db.selectFrom('email_thread_keys').select(['message_id', 'conversation_id']).where('inbox_id', '=', inboxId).where('message_id', 'in', plan.messageIds).execute();
    for (const k of keys) if (!byMessageId.has(k.message_id)) byMessageId.set(k.message_id, k.conversation_id);
  }
  const claim = await ctx.db.selectFrom('email_thread_keys').select('conversation_id').where('inbox_id', '=', inboxId).where('message_id', '=', input.messageId).executeTakeFirst();
  if (plan.ownIds.length) {
    const convs = await ctx.db.selectFrom('conversations').select('id').where('inbox_id', '=', inboxId).where('id', 'in', plan.ownIds).execute();
    for (const c of convs) byOwnId.set(c.id, c.id);
    const msgs = await ctx.db.selectFrom('messages').select(['id', 'conversation_id']).where('inbox_id', '=', inboxId).where('id', 'in', plan.ownIds).execute();
    for (const m of msgs) if (!byOwnId.has(m.id)) byOwnId.set(m.id, m.conversation_id);
  }
  const thread = chooseThread(plan, { byToken, byMessageId, byOwnId, claimedBy: claim?.conversation_id ?? null });

  const text = parsed?.text ?? '';
  // A forward logged to its original sender previews what that sender wrote, not the forwarder's note.
  const preview = parsed ? previewOf(forwardedOriginal?.text || parsed.visibleText || parsed.text) || previewOf(parsed.subject) : previewOf(`This message could not be read: ${input.parseError ?? 'unknown error'}`);
  const subject = parsed?.subject || '';

  let conversation: Row<'conversations'>;
  let created = false;
  if (thread) {
    conversation = await ctx.db.selectFrom('conversations').selectAll().where('id', '=', thread.conversationId).executeTakeFirstOrThrow();
    // A message that arrived before the conversation's last activity does not move it back.
    const lastActivityAt = arrived > conversation.last_activity_at ? arrived : conversation.last_activity_at;
    await ctx.db.updateTable('conversations').set({ last_activity_at: lastActivityAt, preview }).where('id', '=', conversation.id).execute();
    conversation = { ...conversation, last_activity_at: lastActivityAt, preview };
  } else {
    const number = await nextConversationNumber(ctx, accountId);
    conversation = {
      id: ctx.newId(),
      account_id: accountId,
      number,
      inbox_id: inboxId,
      channel_id: channel.id,
      contact_id: contact?.id ?? null,
      status: 'open',
      snoozed_until: null,
      assignee_id: null,
      // Empty when the mail has none: the API says what came, and screens say "(no subject)".
      subject: forwardedOriginal?.subject || subject,
      preview,
      reply_token: newReplyToken(),
      last_activity_at: arrived,
      created_at: arrived,
      closed_at: null,
      // Counted by the trigger on messages once this message is stored.
      inbound_count: 0,
    };
    await ctx.db.insertInto('conversations').values(conversation).execute();
    created = true;
  }

  // The conversation's inbox, not the receiving one: a conversation moved to another inbox keeps
  // the thread keys it had where its mail arrived, so a reply sent to the old address joins it
  // there, and its rows (read access, downloads) must follow the conversation.
  const homeInboxId = conversation.inbox_id;
  const messageRowId = ctx.newId();
  const attachmentIds = input.attachments.map(() => ctx.newId());
  const cids = new Map<string, string>();
  input.attachments.forEach((a, i) => {
    if (a.contentId) cids.set(a.contentId.toLowerCase(), attachmentIds[i]!);
  });
  await ctx.db
    .insertInto('messages')
    .values({
      id: messageRowId,
      account_id: accountId,
      inbox_id: homeInboxId,
      conversation_id: conversation.id,
      direction: 'in',
      kind: 'message',
      author_user_id: null,
      author_contact_id: contact?.id ?? null,
      text,
      html: parsed?.html ? resolveCids(parsed.html, cids) : null,
      subject: parsed ? parsed.subject : null,
      message_id: input.messageId,
      in_reply_to: parsed?.inReplyTo ?? null,
      references_json: JSON.stringify(parsed?.references ?? []),
      from_json: fromAddr ? JSON.stringify(fromAddr) : null,
      to_json: JSON.stringify(parsed?.to ?? []),
      cc_json: JSON.stringify(cc),
      bcc_json: null,
      forwarded_from_json: parsed?.forwarded ? JSON.stringify(parsed.forwarded.from) : null,
      // A forward's quoted part is the message itself: never folded.
      quote_start: parsed && !parsed.forwarded ? quoteStart(parsed.text, parsed.visibleText) : null,
      email_date: parsed?.date ?? null,
      content_hash: input.contentHash,
      raw_key: 'key' in input.raw ? input.raw.key : null,
      raw_inline: 'bytes' in input.raw ? 1 : 0,
      parse_error: input.parseError,
      auto_submitted: automatic ? 1 : 0,
      delivery_status: null,
      delivery_error: null,
      activity_json: null,
      created_at: arrived,
    })
    .execute();
  if ('bytes' in input.raw) await ctx.db.insertInto('message_raws').values({ message_id: messageRowId, bytes: input.raw.bytes }).execute();
  // The ids this conversation is now known by: this message's and the ones it refers to.
  const keys = [...new Set([input.messageId, ...(parsed?.inReplyTo ? [parsed.inReplyTo] : []), ...(parsed?.references ?? []).slice(-20)])];
  await ctx.db
    .insertInto('email_thread_keys')
    .values(keys.map((k) => ({ inbox_id: inboxId, message_id: k, conversation_id: conversation.id })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  if (input.attachments.length) {
    await ctx.db
      .insertInto('attachments')
      .values(
        input.attachments.map((a, i) => ({
          id: attachmentIds[i]!,
          account_id: accountId,
          message_id: messageRowId,
          filename: a.filename,
          content_type: a.contentType,
          size: a.size,
          sha256: a.sha256,
          content_id: a.contentId,
          inline: a.inline ? (1 as const) : (0 as const),
          storage_key: a.storageKey,
        })),
      )
      .execute();
  }

  if (created) {
    await afterConversationCreated(ctx, { conversation, contact });
    await ctx.emit({ type: 'conversation.created', accountId, inboxId, data: { conversationId: conversation.id } });
  } else {
    // After the message, as the thread reads: the reply came, then it reopened the conversation.
    const reopen = conversation.status !== 'open';
    conversation = await reopenOnInbound(ctx, conversation);
    await ctx.emit({ type: 'conversation.updated', accountId, inboxId: homeInboxId, data: { conversationId: conversation.id, ...(reopen ? { reopened: true } : {}) } });
  }
  if (contact) {
    await logTimeline(ctx, {
      accountId,
      contactId: contact.id,
      kind: 'email_received',
      conversationId: conversation.id,
      messageId: messageRowId,
      summary: `Email received: ${conversation.subject || '(no subject)'}`,
      at: arrived,
    });
  }
  await ctx.emit({ type: 'message.created', accountId, inboxId: homeInboxId, data: { conversationId: conversation.id, messageId: messageRowId } });
  // Issue 5: followers are told when a conversation they follow gets a reply.
  if (!created) await notifyFollowersOfReply(ctx, { conversation, message: { id: messageRowId, kind: 'message', author_user_id: null } });
  return { outcome: 'stored', messageId: messageRowId, conversationId: conversation.id, created, via: thread ? thread.via : 'new' };
}
