// The API's objects, shared by the server (response schemas, OpenAPI) and the web app (types).
// Field names are camelCase; one concept, one name: the same word as the column and the UI label.
import { z } from 'zod';
import { INBOX_VIEW_SLUGS } from './inbox-views.ts';

export const id = z.uuid({ message: 'must be an id (UUID)' });
/** The longest reply or comment text, checked by the API and before sending in the composer. */
export const MESSAGE_BODY_MAX_CHARS = 100_000;
export const plan = z.enum(['free', 'starter', 'professional', 'enterprise']);
export const role = z.enum(['super_admin', 'admin', 'agent']);
export const seat = z.enum(['paid', 'free']);
export const availability = z.enum(['available', 'away']);
export const inboxAccess = z.enum(['everyone', 'specific']);
export const channelType = z.enum(['email', 'chat', 'slack', 'api']);
export const conversationStatus = z.enum(['open', 'snoozed', 'closed']);

export const Account = z.object({
  id,
  name: z.string(),
  subdomain: z.string(),
  plan,
  companyName: z.string(),
  mailDomain: z.string(),
  createdAt: z.string(),
});

export const User = z.object({
  id,
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  fullName: z.string(),
  role,
  seat,
  availability,
  teamIds: z.array(id),
  /** When an admin deactivated the user (they cannot sign in), or null. */
  deactivatedAt: z.string().nullable(),
  createdAt: z.string(),
});

export const Team = z.object({ id, name: z.string(), memberIds: z.array(id), createdAt: z.string() });

export const AccessGrant = z.object({ userIds: z.array(id), teamIds: z.array(id) });

export const WaitingMail = z.object({ count: z.number().int(), lastError: z.string().nullable(), nextAttemptAt: z.string().nullable() });

/** Where the proof of one of a channel's addresses stands (the links mailed to it). */
export const AddressVerification = z.object({
  /**
   * verified; sent: a link is out and works until expiresAt; expired: the last link expired unopened;
   * none: no link was asked for this address; taken (team addresses): another Parley account proved
   * the address first and receives its mail, so it cannot be verified here.
   */
  state: z.enum(['verified', 'sent', 'expired', 'none', 'taken']),
  sentAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** Until when asking for another link for this address is refused (once a minute); null when it may be asked now. */
  resendAfter: z.string().nullable(),
});

export const EmailSettings = z.object({
  isFallback: z.boolean(),
  inboundAddress: z.string(),
  forwardingAddress: z.string(),
  teamAddress: z.string().nullable(),
  /** Whether the account proved it owns teamAddress: only then is SMTP mail sent to it delivered here (IMAP fetching works either way). */
  teamAddressVerified: z.boolean(),
  /** Null when the channel has no team address. */
  teamAddressVerification: AddressVerification.nullable(),
  useForSending: z.boolean(),
  /** A connected team mailbox with its own outgoing (SMTP) server: replies in its conversations go out through it, from its address. Without one they go out through the inbox's fallback email. */
  smtpServer: z.boolean(),
  fromNameMode: z.enum(['agent_and_company', 'company']),
  companyName: z.string(),
  fromAddressMode: z.enum(['default', 'custom']),
  customFromAddress: z.string().nullable(),
  customFromVerified: z.boolean(),
  /** Null when no custom From address is set. */
  customFromVerification: AddressVerification.nullable(),
  signatureEnabled: z.boolean(),
  signatureMode: z.enum(['simple', 'html']),
  signatureHtml: z.string(),
  originalSenderOfForwards: z.boolean(),
  /** When the connected mailbox was last checked (IMAP). */
  lastFetchedAt: z.string().nullable(),
  /** When the connected mailbox last gave us a message (IMAP). */
  lastMailAt: z.string().nullable(),
  /** Mail fetched from this mailbox that waits in the inbound spool after a failed attempt to store it; null when none. */
  waitingMail: WaitingMail.nullable(),
});

export const Channel = z.object({
  id,
  inboxId: id,
  type: channelType,
  name: z.string(),
  enabled: z.boolean(),
  status: z.string(),
  statusDetail: z.string().nullable(),
  email: EmailSettings.nullable(),
  createdAt: z.string(),
});

export const Inbox = z.object({
  id,
  name: z.string(),
  isDefault: z.boolean(),
  access: inboxAccess,
  accessGrants: AccessGrant,
  /** What the caller may do here: act, or only view (admins outside a restricted inbox). */
  myAccess: z.enum(['act', 'view']),
  channels: z.array(Channel),
  createdAt: z.string(),
});

export const Contact = z.object({
  id,
  email: z.string().nullable(),
  name: z.string(),
  ownerId: id.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const TimelineEntry = z.object({
  id,
  kind: z.string(),
  conversationId: id.nullable(),
  messageId: id.nullable(),
  summary: z.string(),
  createdAt: z.string(),
});

export const Conversation = z.object({
  id,
  number: z.number().int(),
  inboxId: id,
  channelId: id.nullable(),
  contact: Contact.nullable(),
  status: conversationStatus,
  snoozedUntil: z.string().nullable(),
  assigneeId: id.nullable(),
  subject: z.string(),
  preview: z.string(),
  lastActivityAt: z.string(),
  createdAt: z.string(),
  /** For the caller: a customer message they have not read, or they marked it unread (core/conversation-reads.ts). */
  unread: z.boolean(),
});

/** GET /conversations/counts: per view of one inbox, its conversations and the caller's unread ones. */
export const ViewCount = z.object({ total: z.number().int(), unread: z.number().int() });
export const ViewCounts = z.object({
  inboxId: id,
  /** Counting stops here: a count equal to it means "this many or more". */
  limit: z.number().int(),
  views: z.record(z.enum(INBOX_VIEW_SLUGS), ViewCount),
});

/** A search hit: the conversation, and the words around the place a message or note matched. */
export const SearchResult = Conversation.extend({ snippet: z.string().nullable() });

export const EmailAddress = z.object({ name: z.string(), address: z.string() });

export const Attachment = z.object({
  id,
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  contentId: z.string().nullable(),
  inline: z.boolean(),
  url: z.string(),
});

export const Message = z.object({
  id,
  conversationId: id,
  direction: z.enum(['in', 'out']),
  kind: z.enum(['message', 'note', 'activity']),
  authorUserId: id.nullable(),
  authorContactId: id.nullable(),
  text: z.string(),
  html: z.string().nullable(),
  subject: z.string().nullable(),
  email: z
    .object({
      messageId: z.string().nullable(),
      inReplyTo: z.string().nullable(),
      references: z.array(z.string()),
      from: EmailAddress.nullable(),
      to: z.array(EmailAddress),
      cc: z.array(EmailAddress),
      bcc: z.array(EmailAddress),
      /** A forwarded email: who first sent what was forwarded (from is who forwarded it). */
      forwardedFrom: EmailAddress.nullable(),
      /** Where quoted history (and signature) begins in `text`, when the email has some: what the thread view folds behind "…". */
      quoteStart: z.number().int().nullable(),
      date: z.string().nullable(),
      autoSubmitted: z.boolean(),
    })
    .nullable(),
  deliveryStatus: z.enum(['queued', 'sending', 'sent', 'failed']).nullable(),
  deliveryError: z.string().nullable(),
  parseError: z.string().nullable(),
  hasRaw: z.boolean(),
  attachments: z.array(Attachment),
  activity: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
});

export const ApiToken = z.object({
  id,
  name: z.string(),
  userId: id,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

/** One settings change (issue 5 item 7): who, when, what, and the old and new values. */
export const AuditEntry = z.object({
  id,
  actor: z.object({ id, fullName: z.string(), email: z.string() }).nullable(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  /** Per field, the old and new value (from is null for creations). */
  changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
  createdAt: z.string(),
});

/** What a contact will see as the sender of an inbox email, for the calling agent (email-out). */
export const SenderPreview = z.object({
  fromName: z.string(),
  fromAddress: z.string(),
  /** The From header as a mail client shows it: "Name" <address>. */
  fromHeader: z.string(),
  replyTo: z.string().nullable(),
  signatureHtml: z.string(),
  /** Why the address shown is not the chosen one (e.g. an unverified custom address). */
  notice: z.string().nullable(),
});
export type SenderPreviewT = z.infer<typeof SenderPreview>;

export const Me = z.object({ user: User, account: Account, csrfToken: z.string().nullable() });

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

export type WaitingMailT = z.infer<typeof WaitingMail>;
export type AccountT = z.infer<typeof Account>;
export type UserT = z.infer<typeof User>;
export type TeamT = z.infer<typeof Team>;
export type ChannelT = z.infer<typeof Channel>;
export type AddressVerificationT = z.infer<typeof AddressVerification>;
export type InboxT = z.infer<typeof Inbox>;
export type ContactT = z.infer<typeof Contact>;
export type ConversationT = z.infer<typeof Conversation>;
export type SearchResultT = z.infer<typeof SearchResult>;
export type ViewCountsT = z.infer<typeof ViewCounts>;
export type MessageT = z.infer<typeof Message>;
export type TimelineEntryT = z.infer<typeof TimelineEntry>;
export type MeT = z.infer<typeof Me>;
export type ApiTokenT = z.infer<typeof ApiToken>;
export type AuditEntryT = z.infer<typeof AuditEntry>;
export type Page<T> = { items: T[]; nextCursor: string | null };

// --- Automation, tickets, pipelines, notifications (issue 5, items 4-6) ---

export const assignTo = z.enum(['specific', 'contact_owner']);
export const ticketPriority = z.enum(['low', 'medium', 'high', 'urgent']);
export const ticketOwnerMode = z.enum(['assignee', 'user']);

export const TicketDefaults = z.object({
  /** "Treat incoming conversations as support tickets". */
  enabled: z.boolean(),
  pipelineId: id.nullable(),
  stageId: id.nullable(),
  /** 'assignee': the conversation's assignee owns the ticket (default); 'user': ownerUserId. */
  ownerMode: ticketOwnerMode,
  ownerUserId: id.nullable(),
});

export const Automation = z.object({
  inboxId: id,
  /** "Automatically assign conversations". */
  autoAssign: z.boolean(),
  /** "Assign to": "Specific users and teams" or "Contact owner". */
  assignTo,
  /** "Assign to available users only" (on by default). */
  availableOnly: z.boolean(),
  targetUserIds: z.array(id),
  targetTeamIds: z.array(id),
  tickets: TicketDefaults,
});

export const PipelineStage = z.object({ id, name: z.string(), position: z.number().int(), isClosed: z.boolean() });
export const Pipeline = z.object({ id, name: z.string(), isDefault: z.boolean(), position: z.number().int(), stages: z.array(PipelineStage), createdAt: z.string() });

export const Ticket = z.object({
  id,
  number: z.number().int(),
  conversationId: id.nullable(),
  contactId: id.nullable(),
  pipelineId: id,
  stageId: id,
  stageName: z.string(),
  ownerId: id.nullable(),
  subject: z.string(),
  priority: ticketPriority.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const Notification = z.object({
  id,
  /** assigned | mentioned | followed_reply */
  kind: z.enum(['assigned', 'mentioned', 'followed_reply']),
  conversationId: id.nullable(),
  conversationNumber: z.number().int().nullable(),
  conversationSubject: z.string().nullable(),
  inboxId: id.nullable(),
  messageId: id.nullable(),
  actorUserId: id.nullable(),
  actorName: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});

export type AutomationT = z.infer<typeof Automation>;
export type PipelineT = z.infer<typeof Pipeline>;
export type PipelineStageT = z.infer<typeof PipelineStage>;
export type TicketT = z.infer<typeof Ticket>;
export type NotificationT = z.infer<typeof Notification>;
