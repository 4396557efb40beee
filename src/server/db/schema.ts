// Table types for Kysely. One interface a table; column names are snake_case and map
// one-to-one to the camelCase API fields through the presenters in http/.
// Portability: ids and timestamps are text (ids from the app, ISO-8601 UTC times that sort
// as text), flags are integers 0/1, JSON is text. Both SQLite and PostgreSQL store these alike.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type Flag = 0 | 1;
export type Plan = 'free' | 'starter' | 'professional' | 'enterprise';
export type Role = 'super_admin' | 'admin' | 'agent';
export type Seat = 'paid' | 'free';
export type Availability = 'available' | 'away';
export type InboxAccess = 'everyone' | 'specific';
export type ChannelType = 'email' | 'chat' | 'slack' | 'api';
export type ConversationStatus = 'open' | 'snoozed' | 'closed';
export type MessageDirection = 'in' | 'out';
export type MessageKind = 'message' | 'note' | 'activity';
/** 'sending': the SMTP transaction has started (the outbox's crash marker, see mail/send.ts). */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface AccountsTable {
  id: string;
  name: string;
  subdomain: string;
  plan: Plan;
  company_name: string;
  conversation_counter: number;
  ticket_counter: number;
  event_seq: number;
  created_at: string;
  /** Bumped by triggers on any change to who may see which inbox (0007): the rights cache's key. */
  access_version: Generated<number>;
}

export interface UsersTable {
  id: string;
  account_id: string;
  email: string;
  first_name: string;
  last_name: string;
  password_hash: string | null;
  role: Role;
  seat: Seat;
  availability: Availability;
  notify_in_app: Flag;
  notify_email: Flag;
  created_at: string;
  deactivated_at: string | null;
}

export interface TeamsTable {
  id: string;
  account_id: string;
  name: string;
  created_at: string;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}

export interface InboxesTable {
  id: string;
  account_id: string;
  name: string;
  is_default: Flag;
  access: InboxAccess;
  created_at: string;
  /** Changed by triggers with any automation or ticket setting of the inbox (0010): the settings cache's key. */
  automation_revision: Generated<number>;
}

/** One row grants one user or one team access to an inbox with access 'specific'. */
export interface InboxAccessGrantsTable {
  id: string;
  inbox_id: string;
  user_id: string | null;
  team_id: string | null;
}

export interface ChannelsTable {
  id: string;
  account_id: string;
  inbox_id: string;
  type: ChannelType;
  name: string;
  enabled: Flag;
  /** ok | auth_failed | unreachable | disconnected | pending */
  status: string;
  status_detail: string | null;
  created_at: string;
}

export interface EmailChannelSettingsTable {
  channel_id: string;
  is_fallback: Flag;
  inbound_address: string;
  forwarding_address: string;
  team_address: string | null;
  use_for_sending: Flag;
  /** agent_and_company | company */
  from_name_mode: string;
  company_name: string;
  /** default | custom */
  from_address_mode: string;
  custom_from_address: string | null;
  custom_from_verified_at: string | null;
  /** When a link mailed to team_address was confirmed: only then does SMTP mail to it route here (0018). */
  team_address_verified_at: string | null;
  signature_enabled: Flag;
  /** simple | html */
  signature_mode: string;
  signature_html: string;
  original_sender_of_forwards: Flag;
  /** Encrypted JSON: host, port, tls, user, password. */
  imap_config: string | null;
  smtp_config: string | null;
  imap_uidvalidity: string | null;
  imap_last_uid: number | null;
  /** When the current mailbox was connected (a new channel, or the channel moved to another mailbox): the import horizon's floor (0020). */
  imap_connected_at: string | null;
  last_fetched_at: string | null;
  /** When the mailbox last gave us a message (IMAP). */
  last_mail_at: string | null;
  /** The imap-role process that watches this mailbox, and until when (ISO time) unless it renews. */
  imap_lease_holder: string | null;
  imap_lease_until: string | null;
}

/** Every address that routes to a channel, lower-cased: the RCPT lookup table. */
export interface ChannelAddressesTable {
  address: string;
  channel_id: string;
  /** inbound | forwarding | team */
  kind: string;
}

export type VerificationPurpose = 'from_address' | 'team_address';

export interface AddressVerificationsTable {
  id: string;
  channel_id: string;
  address: string;
  token_hash: string;
  /** from_address | team_address: which of the channel's addresses the link verifies (0018). */
  purpose: VerificationPurpose;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface AutomationSettingsTable {
  inbox_id: string;
  auto_assign: Flag;
  /** specific | contact_owner */
  assign_to: string;
  available_only: Flag;
}

export interface AutomationTargetsTable {
  id: string;
  inbox_id: string;
  user_id: string | null;
  team_id: string | null;
}

export interface TicketSettingsTable {
  inbox_id: string;
  treat_as_tickets: Flag;
  pipeline_id: string | null;
  stage_id: string | null;
  /** assignee | user */
  owner_mode: string;
  owner_user_id: string | null;
}

export interface PipelinesTable {
  id: string;
  account_id: string;
  name: string;
  is_default: Flag;
  position: number;
  created_at: string;
}

export interface PipelineStagesTable {
  id: string;
  pipeline_id: string;
  name: string;
  position: number;
  is_closed: Flag;
}

export interface TicketsTable {
  id: string;
  account_id: string;
  number: number;
  conversation_id: string | null;
  contact_id: string | null;
  pipeline_id: string;
  stage_id: string;
  owner_id: string | null;
  subject: string;
  /** low | medium | high | urgent, or null */
  priority: string | null;
  created_at: string;
  updated_at: string;
}

export interface ContactsTable {
  id: string;
  account_id: string;
  email: string | null;
  name: string;
  owner_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ContactIdentitiesTable {
  id: string;
  account_id: string;
  contact_id: string;
  channel_type: ChannelType;
  /** Lower-cased email, chat visitor id, Slack user id. */
  identifier: string;
}

export interface ConversationsTable {
  id: string;
  account_id: string;
  number: number;
  inbox_id: string;
  channel_id: string | null;
  contact_id: string | null;
  status: ConversationStatus;
  snoozed_until: string | null;
  assignee_id: string | null;
  subject: string;
  preview: string;
  /** The token in our Reply-To (…+c_<token>@): the strongest threading key. */
  reply_token: string;
  last_activity_at: string;
  created_at: string;
  closed_at: string | null;
  /** Customer messages in the conversation (0021), kept by a trigger on messages: the unread rule's counter (core/conversation-reads.ts). */
  inbound_count: Generated<number>;
}

/** Each user's read marker per conversation (0021): the inbound_count they have read up to. */
export interface ConversationReadsTable {
  user_id: string;
  conversation_id: string;
  read_count: number;
}

/**
 * The marker of every user without one of their own, in conversations from before read tracking
 * (0023): their customer messages stored until then. No row: 0.
 */
export interface ConversationReadBaselinesTable {
  conversation_id: string;
  read_count: number;
}

/**
 * Automatic assignment's ranking facts, a row for every user (made by a trigger on users, 0009):
 * open conversations assigned to the user (kept by triggers on conversations) and when they were
 * last given one (null = never = idle longest).
 */
export interface UserAssignmentRankTable {
  user_id: string;
  account_id: string;
  open_count: number;
  last_assigned_at: string | null;
}

export interface ConversationFollowersTable {
  conversation_id: string;
  user_id: string;
}

/** Small raw messages, kept in the database beside their message (0022). */
export interface MessageRawsTable {
  message_id: string;
  bytes: Buffer;
}

export interface MessagesTable {
  id: string;
  account_id: string;
  inbox_id: string;
  conversation_id: string;
  direction: MessageDirection;
  kind: MessageKind;
  author_user_id: string | null;
  author_contact_id: string | null;
  text: string;
  html: string | null;
  subject: string | null;
  /** RFC 5322 Message-ID without angle brackets; synthetic when the mail had none. */
  message_id: string | null;
  in_reply_to: string | null;
  /** JSON array of Message-IDs. */
  references_json: string | null;
  /** JSON: {name, address} and arrays of them. */
  from_json: string | null;
  to_json: string | null;
  cc_json: string | null;
  bcc_json: string | null;
  /** JSON {name, address}: the original sender of a forwarded email (who forwarded it is from_json). */
  forwarded_from_json: string | null;
  /** Where quoted history (and signature) begins in a plain-text email's text; null: nothing to fold. */
  quote_start: number | null;
  email_date: string | null;
  content_hash: string | null;
  /** The blob file of the raw message, when it is kept as a file (larger ones). */
  raw_key: string | null;
  /** 1: the raw message is in message_raws (0022). */
  raw_inline: Generated<Flag>;
  parse_error: string | null;
  auto_submitted: Flag;
  delivery_status: DeliveryStatus | null;
  delivery_error: string | null;
  /** JSON for activity lines: {type, ...}. */
  activity_json: string | null;
  created_at: string;
}

export interface AttachmentsTable {
  id: string;
  account_id: string;
  message_id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  content_id: string | null;
  inline: Flag;
  storage_key: string;
}

export interface TimelineEntriesTable {
  id: string;
  account_id: string;
  contact_id: string;
  /** email_received | email_sent | chat | ticket_created | note */
  kind: string;
  conversation_id: string | null;
  message_id: string | null;
  summary: string;
  created_at: string;
}

export interface EventsTable {
  account_id: string;
  seq: number;
  type: string;
  /** Null for account-wide events; access to the inbox decides who sees the rest. */
  inbox_id: string | null;
  payload: string;
  created_at: string;
}

export interface JobsTable {
  id: string;
  account_id: string | null;
  type: string;
  payload: string;
  status: JobStatus;
  run_at: string;
  attempts: number;
  last_error: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface AuditLogTable {
  id: string;
  account_id: string;
  actor_user_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  changes: string;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  account_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface NotificationsTable {
  id: string;
  account_id: string;
  user_id: string;
  /** assigned | mentioned | followed_reply */
  kind: string;
  conversation_id: string | null;
  message_id: string | null;
  read_at: string | null;
  created_at: string;
  /** Who caused it (0005): the assigner, the author of the mention. */
  actor_user_id: string | null;
}

/** Email in (0002): Message-IDs a conversation is known by within its inbox, for threading. */
export interface EmailThreadKeysTable {
  inbox_id: string;
  /** Without angle brackets. */
  message_id: string;
  conversation_id: string;
}

/**
 * Deleted conversations' inbound email (0017): the dedupe key of each deleted message, so the
 * same mail arriving again (IMAP re-scan, re-fetch, SMTP retry) is known and not stored again.
 */
export interface DeletedMessagesTable {
  inbox_id: string;
  /** Without angle brackets, as in messages.message_id. */
  message_id: string;
  content_hash: string;
  deleted_at: string;
}

/** The durable inbound spool (0006): accepted over SMTP, not yet processed into conversations. */
export interface InboundQueueTable {
  id: string;
  via: 'smtp' | 'imap';
  /** IMAP: the connected mailbox's channel it was fetched for; SMTP: null (found by recipient). */
  channel_id: string | null;
  mail_from: string | null;
  /** The accepted RCPT TO addresses, as a JSON array. */
  recipients_json: string;
  /** The message itself when small; otherwise null and `spool_file` names it. */
  raw: Buffer | null;
  /** File name under DATA_DIR/spool for large messages. */
  spool_file: string | null;
  size: number;
  received_at: string;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  last_error: string | null;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  inboxes: InboxesTable;
  inbox_access_grants: InboxAccessGrantsTable;
  channels: ChannelsTable;
  email_channel_settings: EmailChannelSettingsTable;
  channel_addresses: ChannelAddressesTable;
  address_verifications: AddressVerificationsTable;
  automation_settings: AutomationSettingsTable;
  automation_targets: AutomationTargetsTable;
  ticket_settings: TicketSettingsTable;
  pipelines: PipelinesTable;
  pipeline_stages: PipelineStagesTable;
  tickets: TicketsTable;
  contacts: ContactsTable;
  contact_identities: ContactIdentitiesTable;
  conversations: ConversationsTable;
  conversation_followers: ConversationFollowersTable;
  conversation_reads: ConversationReadsTable;
  conversation_read_baselines: ConversationReadBaselinesTable;
  user_assignment_rank: UserAssignmentRankTable;
  messages: MessagesTable;
  message_raws: MessageRawsTable;
  attachments: AttachmentsTable;
  timeline_entries: TimelineEntriesTable;
  events: EventsTable;
  jobs: JobsTable;
  audit_log: AuditLogTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  notifications: NotificationsTable;
  email_thread_keys: EmailThreadKeysTable;
  inbound_queue: InboundQueueTable;
  deleted_messages: DeletedMessagesTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
// Generated is re-exported so later tables with database-made columns can use it.
export type { Generated };
