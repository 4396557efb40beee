// Rows to API objects. The only place that knows both the column names and the JSON fields.
import type { Row } from '../db/schema.ts';
import type { AuditEntryT, AccountT, ApiTokenT, ChannelT, ContactT, ConversationT, MessageT, TeamT, TimelineEntryT, UserT, WaitingMailT } from '../../shared/api.ts';
import { accountMailDomain, type MailDomains } from '../core/mail-addresses.ts';
import type { ChannelVerifications } from '../core/verification-status.ts';

export function presentAccount(a: Row<'accounts'>, domains: MailDomains): AccountT {
  return {
    id: a.id,
    name: a.name,
    subdomain: a.subdomain,
    plan: a.plan,
    companyName: a.company_name,
    mailDomain: accountMailDomain(a.subdomain, a.plan, domains),
    createdAt: a.created_at,
  };
}

export function presentUser(u: Row<'users'>, teamIds: string[]): UserT {
  return {
    id: u.id,
    email: u.email,
    firstName: u.first_name,
    lastName: u.last_name,
    fullName: `${u.first_name} ${u.last_name}`.trim(),
    role: u.role,
    seat: u.seat,
    availability: u.availability,
    teamIds,
    deactivatedAt: u.deactivated_at,
    createdAt: u.created_at,
  };
}

export function presentApiToken(t: Row<'api_tokens'>): ApiTokenT {
  return { id: t.id, name: t.name, userId: t.user_id, createdAt: t.created_at, lastUsedAt: t.last_used_at, revokedAt: t.revoked_at };
}

export function presentTeam(t: Row<'teams'>, memberIds: string[]): TeamT {
  return { id: t.id, name: t.name, memberIds, createdAt: t.created_at };
}

/** What a channel view reads beside the rows (http/channel-view.ts, the one caller). */
export interface ChannelExtras {
  waitingMail: WaitingMailT | null;
  /** Undefined for a channel without email settings. */
  verifications: ChannelVerifications | undefined;
}

export function presentChannel(c: Row<'channels'>, email: Row<'email_channel_settings'> | undefined, extras: ChannelExtras): ChannelT {
  return {
    id: c.id,
    inboxId: c.inbox_id,
    type: c.type,
    name: c.name,
    enabled: c.enabled === 1,
    status: c.status,
    statusDetail: c.status_detail,
    email: email
      ? {
          isFallback: email.is_fallback === 1,
          inboundAddress: email.inbound_address,
          forwardingAddress: email.forwarding_address,
          teamAddress: email.team_address,
          teamAddressVerified: email.team_address_verified_at !== null,
          teamAddressVerification: extras.verifications?.teamAddress ?? null,
          useForSending: email.use_for_sending === 1,
          smtpServer: email.smtp_config !== null,
          fromNameMode: email.from_name_mode === 'company' ? 'company' : 'agent_and_company',
          companyName: email.company_name,
          fromAddressMode: email.from_address_mode === 'custom' ? 'custom' : 'default',
          customFromAddress: email.custom_from_address,
          customFromVerified: email.custom_from_verified_at !== null,
          customFromVerification: extras.verifications?.customFrom ?? null,
          signatureEnabled: email.signature_enabled === 1,
          signatureMode: email.signature_mode === 'html' ? 'html' : 'simple',
          signatureHtml: email.signature_html,
          originalSenderOfForwards: email.original_sender_of_forwards === 1,
          lastFetchedAt: email.last_fetched_at,
          lastMailAt: email.last_mail_at,
          waitingMail: extras.waitingMail,
        }
      : null,
    createdAt: c.created_at,
  };
}

/** The contact columns a conversation embeds, and the conversation columns a list shows (no internals such as reply_token). */
export const CONTACT_COLUMNS = ['id', 'email', 'name', 'owner_id', 'created_at', 'updated_at'] as const;
export const CONVERSATION_COLUMNS = ['id', 'number', 'inbox_id', 'channel_id', 'contact_id', 'status', 'snoozed_until', 'assignee_id', 'subject', 'preview', 'last_activity_at', 'created_at'] as const;
export type ContactFields = Pick<Row<'contacts'>, (typeof CONTACT_COLUMNS)[number]>;
export type ConversationFields = Pick<Row<'conversations'>, (typeof CONVERSATION_COLUMNS)[number]>;

export function presentContact(c: ContactFields): ContactT {
  return { id: c.id, email: c.email, name: c.name, ownerId: c.owner_id, createdAt: c.created_at, updatedAt: c.updated_at };
}

export function presentTimelineEntry(t: Row<'timeline_entries'>): TimelineEntryT {
  return { id: t.id, kind: t.kind, conversationId: t.conversation_id, messageId: t.message_id, summary: t.summary, createdAt: t.created_at };
}

/** `unread`: for the user the object goes to (core/conversation-reads.ts). */
export function presentConversation(c: ConversationFields, contact: ContactFields | undefined, unread: boolean): ConversationT {
  return {
    id: c.id,
    number: c.number,
    inboxId: c.inbox_id,
    channelId: c.channel_id,
    contact: contact ? presentContact(contact) : null,
    status: c.status,
    snoozedUntil: c.snoozed_until,
    assigneeId: c.assignee_id,
    subject: c.subject,
    preview: c.preview,
    lastActivityAt: c.last_activity_at,
    createdAt: c.created_at,
    unread,
  };
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

type Addr = { name: string; address: string };

export function presentMessage(m: Row<'messages'>, attachments: Row<'attachments'>[]): MessageT {
  const isEmail = m.message_id !== null || m.from_json !== null;
  return {
    id: m.id,
    conversationId: m.conversation_id,
    direction: m.direction,
    kind: m.kind,
    authorUserId: m.author_user_id,
    authorContactId: m.author_contact_id,
    text: m.text,
    html: m.html,
    subject: m.subject,
    email: isEmail
      ? {
          messageId: m.message_id,
          inReplyTo: m.in_reply_to,
          references: parseJson<string[]>(m.references_json, []),
          from: parseJson<Addr | null>(m.from_json, null),
          to: parseJson<Addr[]>(m.to_json, []),
          cc: parseJson<Addr[]>(m.cc_json, []),
          bcc: parseJson<Addr[]>(m.bcc_json, []),
          forwardedFrom: parseJson<Addr | null>(m.forwarded_from_json, null),
          quoteStart: m.quote_start,
          date: m.email_date,
          autoSubmitted: m.auto_submitted === 1,
        }
      : null,
    deliveryStatus: m.delivery_status,
    deliveryError: m.delivery_error,
    parseError: m.parse_error,
    hasRaw: m.raw_key !== null || m.raw_inline === 1,
    attachments: attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.content_type,
      size: a.size,
      sha256: a.sha256,
      contentId: a.content_id,
      inline: a.inline === 1,
      url: `/api/v1/attachments/${a.id}`,
    })),
    activity: parseJson<Record<string, unknown> | null>(m.activity_json, null),
    createdAt: m.created_at,
  };
}

export function presentAuditEntry(a: Row<'audit_log'>, actor: Pick<Row<'users'>, 'id' | 'first_name' | 'last_name' | 'email'> | undefined): AuditEntryT {
  return {
    id: a.id,
    actor: actor ? { id: actor.id, fullName: `${actor.first_name} ${actor.last_name}`.trim(), email: actor.email } : null,
    action: a.action,
    subjectType: a.subject_type,
    subjectId: a.subject_id,
    changes: auditChanges(parseJson<Record<string, unknown>>(a.changes, {})),
    createdAt: a.created_at,
  };
}

/** Every audited field as {from, to}: creations logged as plain initial values read as from null. */
function auditChanges(changes: Record<string, unknown>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, value] of Object.entries(changes)) {
    const isChange = typeof value === 'object' && value !== null && !Array.isArray(value) && 'from' in value && 'to' in value && Object.keys(value).length === 2;
    out[field] = isChange ? (value as { from: unknown; to: unknown }) : { from: null, to: value };
  }
  return out;
}
