// POST /conversations/{id}/messages: an agent's reply (emailed through the outbox) or internal
// note (never emailed; its @mentions notify). One transaction writes the message — `queued`, with
// its final Message-ID and thread headers — its send_email job and the event, so a reply is never
// half-recorded and never sent without a row that says so (DESIGN.md, "Agent reply").
import crypto from 'node:crypto';
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { messageRow } from './message-rows.ts';
import { DomainError, invalid, notFound } from './errors.ts';
import { requireRight, rightInInbox } from './inbox-access.ts';
import { accountMailDomain, type MailDomains } from './mail-addresses.ts';
import { hasControlChars, headerText, isPlainAddress, replySubject } from './sender.ts';
import { requireSendable, sendingOptions } from './sending-route.ts';
import { recordMentions } from './mentions.ts';
import { userName } from './activity.ts';

export const SEND_EMAIL_JOB = 'send_email';

export interface AddressInput {
  address: string;
  name?: string;
}

export interface StoredAttachment {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
}

export interface ReplyInput {
  conversationId: string;
  kind: 'message' | 'note';
  body: string;
  /** Already sanitised by the transport's caller (http/messages-post.routes.ts). */
  bodyHtml?: string | null;
  /** Undefined keeps the thread's CC; [] clears it. */
  cc?: AddressInput[];
  bcc?: AddressInput[];
  attachments?: StoredAttachment[];
}

type Addr = { name: string; address: string };

/**
 * Our Message-IDs: `<conversation id>.<message id>.<random>@<account mail domain>`. The inbound
 * threading (core/threading.ts) treats an id at our domain whose local part starts with a known
 * conversation id as ours, so a customer's answer threads back even when only References survives.
 */
export function outboundMessageId(conversationId: string, messageRowId: string, domain: string): string {
  return `${conversationId}.${messageRowId}.${crypto.randomBytes(5).toString('hex')}@${domain}`;
}

const parseAddrs = (json: string | null): Addr[] => {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as Addr[]).filter((a) => a && typeof a.address === 'string') : [];
  } catch {
    return [];
  }
};

function cleanAddrs(list: AddressInput[], field: 'cc' | 'bcc'): Addr[] {
  const seen = new Set<string>();
  const out: Addr[] = [];
  list.forEach((a, i) => {
    const address = a.address.trim().toLowerCase();
    if (!isPlainAddress(address)) throw invalid(`${field}.${i}`, `${field.toUpperCase()} address "${a.address}" is not a plain email address`);
    if (a.name !== undefined && hasControlChars(a.name)) throw invalid(`${field}.${i}.name`, 'Names cannot contain line breaks');
    if (!seen.has(address)) {
      seen.add(address);
      out.push({ name: headerText(a.name ?? ''), address });
    }
  });
  return out;
}

export async function replyToConversation(ctx: Ctx<UserActor>, input: ReplyInput, domains: MailDomains): Promise<Row<'messages'>> {
  const { user, account } = ctx.actor;
  const conversation = await ctx.db.selectFrom('conversations').selectAll().where('id', '=', input.conversationId).where('account_id', '=', account.id).executeTakeFirst();
  if (!conversation) throw notFound('Conversation');
  requireRight(await rightInInbox(ctx.db, user, conversation.inbox_id), 'act');
  const body = input.body.replace(/\r\n?/g, '\n');
  if (!body.trim() && !input.bodyHtml && !(input.attachments?.length)) throw invalid('body', 'Write a message first');
  const now = ctx.now.toISOString();
  const id = ctx.newId();

  const base = messageRow(ctx, conversation, {
    id,
    direction: 'out',
    kind: input.kind,
    author_user_id: user.id,
    text: body,
    html: input.bodyHtml ?? null,
  });

  if (input.kind === 'note') {
    await ctx.db.insertInto('messages').values(base).execute();
    await insertAttachments(ctx, base, input.attachments);
    await ctx.db.updateTable('conversations').set({ last_activity_at: now }).where('id', '=', conversation.id).execute();
    await recordMentions(ctx, { conversation, message: base });
    await ctx.emit({ type: 'message.created', accountId: account.id, inboxId: conversation.inbox_id, data: { conversationId: conversation.id, messageId: id, kind: 'note' } });
    return base;
  }

  requireSendable(await sendingOptions(ctx.db, conversation));
  const contact = conversation.contact_id ? await ctx.db.selectFrom('contacts').selectAll().where('id', '=', conversation.contact_id).executeTakeFirst() : undefined;
  if (!contact?.email) throw new DomainError('not_sendable', 'This conversation has no contact email address to reply to');
  if (!isPlainAddress(contact.email)) throw new DomainError('not_sendable', `The contact's address "${contact.email}" cannot be sent to safely (quoted or unusual local part)`);

  // The thread: the latest email in the conversation gives In-Reply-To, References and the CC.
  const thread = await ctx.db
    .selectFrom('messages')
    .select(['message_id', 'references_json', 'cc_json', 'direction'])
    .where('conversation_id', '=', conversation.id)
    .where('message_id', 'is not', null)
    .where('kind', '=', 'message')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  let references: string[] = [];
  if (thread?.references_json) {
    try {
      const parsed = JSON.parse(thread.references_json) as unknown;
      if (Array.isArray(parsed)) references = parsed.filter((r): r is string => typeof r === 'string');
    } catch {
      references = [];
    }
  }
  if (thread?.message_id) references = [...references.filter((r) => r !== thread.message_id), thread.message_id];

  // Our addresses never go in CC: the routed ones, and team addresses not verified yet (not routed, still ours to send from).
  const routed = await ctx.db.selectFrom('channel_addresses as a').innerJoin('channels as c', 'c.id', 'a.channel_id').select('a.address').where('c.account_id', '=', account.id).execute();
  const teams = await ctx.db.selectFrom('email_channel_settings as e').innerJoin('channels as c', 'c.id', 'e.channel_id').select('e.team_address').where('c.account_id', '=', account.id).where('e.team_address', 'is not', null).execute();
  const ours = new Set([...routed.map((r) => r.address), ...teams.flatMap((t) => (t.team_address ? [t.team_address] : []))]);
  const contactAddress = contact.email.toLowerCase();
  const threadCc = parseAddrs(thread?.cc_json ?? null).filter((a) => isPlainAddress(a.address));
  const cc = (input.cc !== undefined ? cleanAddrs(input.cc, 'cc') : cleanAddrs(threadCc, 'cc')).filter((a) => a.address !== contactAddress && !ours.has(a.address));
  const bcc = input.bcc ? cleanAddrs(input.bcc, 'bcc') : [];

  const domain = accountMailDomain(account.subdomain, account.plan, domains);
  const message: Row<'messages'> = {
    ...base,
    subject: replySubject(conversation.subject),
    message_id: outboundMessageId(conversation.id, id, domain),
    in_reply_to: thread?.message_id ?? null,
    references_json: JSON.stringify(references.slice(-20)),
    to_json: JSON.stringify([{ name: headerText(contact.name), address: contactAddress }]),
    cc_json: JSON.stringify(cc),
    bcc_json: JSON.stringify(bcc),
    delivery_status: 'queued',
  };
  await ctx.db.insertInto('messages').values(message).execute();
  await insertAttachments(ctx, message, input.attachments);
  await ctx.db.updateTable('conversations').set({ last_activity_at: now, preview: body.slice(0, 200) }).where('id', '=', conversation.id).execute();
  await ctx.db
    .insertInto('timeline_entries')
    .values({ id: ctx.newId(), account_id: account.id, contact_id: contact.id, kind: 'email_sent', conversation_id: conversation.id, message_id: id, summary: `Email sent by ${userName(user)}: ${message.subject ?? ''}`, created_at: now })
    .execute();
  await ctx.enqueue({ type: SEND_EMAIL_JOB, accountId: account.id, payload: { messageId: id } });
  await ctx.emit({ type: 'message.created', accountId: account.id, inboxId: conversation.inbox_id, data: { conversationId: conversation.id, messageId: id, kind: 'message' } });
  return message;
}

async function insertAttachments(ctx: Ctx, message: Row<'messages'>, attachments: StoredAttachment[] | undefined): Promise<void> {
  if (!attachments?.length) return;
  await ctx.db
    .insertInto('attachments')
    .values(
      attachments.map((a) => ({
        id: ctx.newId(),
        account_id: message.account_id,
        message_id: message.id,
        filename: a.filename,
        content_type: a.contentType,
        size: a.size,
        sha256: a.sha256,
        content_id: null,
        inline: 0 as const,
        storage_key: a.storageKey,
      })),
    )
    .execute();
}

/** POST /messages/{id}/retry: a failed reply goes back to the outbox with a fresh job. */
export async function retryMessage(ctx: Ctx<UserActor>, input: { messageId: string }): Promise<Row<'messages'>> {
  const { user, account } = ctx.actor;
  const message = await ctx.db.selectFrom('messages').selectAll().where('id', '=', input.messageId).where('account_id', '=', account.id).executeTakeFirst();
  if (!message) throw notFound('Message');
  requireRight(await rightInInbox(ctx.db, user, message.inbox_id), 'act', 'Message');
  if (message.kind !== 'message' || message.direction !== 'out' || message.delivery_status !== 'failed') {
    throw new DomainError('conflict', 'Only a failed outgoing email can be retried');
  }
  const updated = await ctx.db
    .updateTable('messages')
    .set({ delivery_status: 'queued', delivery_error: null })
    .where('id', '=', message.id)
    .where('delivery_status', '=', 'failed')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new DomainError('conflict', 'The message changed meanwhile; reload and try again');
  await ctx.enqueue({ type: SEND_EMAIL_JOB, accountId: account.id, payload: { messageId: message.id } });
  await ctx.emit({ type: 'message.updated', accountId: account.id, inboxId: message.inbox_id, data: { conversationId: message.conversation_id, messageId: message.id } });
  return { ...message, delivery_status: 'queued', delivery_error: null };
}
