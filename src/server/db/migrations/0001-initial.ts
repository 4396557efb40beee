// The whole product's tables, designed up front so later features extend rather than tear up.
// Only portable types: text, integer (flags 0/1), and JSON kept as text.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subdomain', 'text', (c) => c.notNull().unique())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('company_name', 'text', (c) => c.notNull())
    .addColumn('conversation_counter', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ticket_counter', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('seat', 'text', (c) => c.notNull())
    .addColumn('availability', 'text', (c) => c.notNull().defaultTo('available'))
    .addColumn('notify_in_app', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('notify_email', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deactivated_at', 'text')
    .execute();
  await s.createIndex('users_account').on('users').columns(['account_id', 'id']).execute();

  await s
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('teams_account_name', ['account_id', 'name'])
    .execute();
  await s
    .createTable('team_members')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await s.createIndex('team_members_user').on('team_members').column('user_id').execute();

  await s
    .createTable('inboxes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('access', 'text', (c) => c.notNull().defaultTo('everyone'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('inboxes_account').on('inboxes').columns(['account_id', 'id']).execute();
  // Exactly one default inbox per account, enforced by the store itself.
  await s.createIndex('inboxes_one_default').on('inboxes').column('account_id').unique().where('is_default' as never, '=', 1 as never).execute();

  await s
    .createTable('inbox_access_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('cascade'))
    .execute();
  await s.createIndex('inbox_access_grants_inbox').on('inbox_access_grants').column('inbox_id').execute();

  await s
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('ok'))
    .addColumn('status_detail', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('channels_inbox').on('channels').columns(['inbox_id', 'id']).execute();

  await s
    .createTable('email_channel_settings')
    .addColumn('channel_id', 'text', (c) => c.primaryKey().references('channels.id').onDelete('cascade'))
    .addColumn('is_fallback', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inbound_address', 'text', (c) => c.notNull().unique())
    .addColumn('forwarding_address', 'text', (c) => c.notNull().unique())
    .addColumn('team_address', 'text')
    .addColumn('use_for_sending', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('from_name_mode', 'text', (c) => c.notNull().defaultTo('agent_and_company'))
    .addColumn('company_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('from_address_mode', 'text', (c) => c.notNull().defaultTo('default'))
    .addColumn('custom_from_address', 'text')
    .addColumn('custom_from_verified_at', 'text')
    .addColumn('signature_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('signature_mode', 'text', (c) => c.notNull().defaultTo('simple'))
    .addColumn('signature_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('original_sender_of_forwards', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('imap_config', 'text')
    .addColumn('smtp_config', 'text')
    .addColumn('imap_uidvalidity', 'text')
    .addColumn('imap_last_uid', 'integer')
    .addColumn('last_fetched_at', 'text')
    .execute();

  await s
    .createTable('channel_addresses')
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('channel_addresses_channel').on('channel_addresses').column('channel_id').execute();

  await s
    .createTable('address_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('automation_settings')
    .addColumn('inbox_id', 'text', (c) => c.primaryKey().references('inboxes.id').onDelete('cascade'))
    .addColumn('auto_assign', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('assign_to', 'text', (c) => c.notNull().defaultTo('specific'))
    .addColumn('available_only', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await s
    .createTable('automation_targets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('cascade'))
    .execute();
  await s.createIndex('automation_targets_inbox').on('automation_targets').column('inbox_id').execute();

  await s
    .createTable('pipelines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('pipelines_account').on('pipelines').columns(['account_id', 'position']).execute();
  await s
    .createTable('pipeline_stages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('is_closed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await s.createIndex('pipeline_stages_pipeline').on('pipeline_stages').columns(['pipeline_id', 'position']).execute();

  await s
    .createTable('ticket_settings')
    .addColumn('inbox_id', 'text', (c) => c.primaryKey().references('inboxes.id').onDelete('cascade'))
    .addColumn('treat_as_tickets', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pipeline_id', 'text', (c) => c.references('pipelines.id').onDelete('set null'))
    .addColumn('stage_id', 'text', (c) => c.references('pipeline_stages.id').onDelete('set null'))
    .addColumn('owner_mode', 'text', (c) => c.notNull().defaultTo('assignee'))
    .addColumn('owner_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .execute();

  await s
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('contacts_account_email', ['account_id', 'email'])
    .execute();
  await s.createIndex('contacts_account_created').on('contacts').columns(['account_id', 'created_at', 'id']).execute();
  await s
    .createTable('contact_identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('channel_type', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addUniqueConstraint('contact_identities_unique', ['account_id', 'channel_type', 'identifier'])
    .execute();

  await s
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.references('channels.id').onDelete('set null'))
    .addColumn('contact_id', 'text', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('snoozed_until', 'text')
    .addColumn('assignee_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('subject', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('preview', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reply_token', 'text', (c) => c.notNull().unique())
    .addColumn('last_activity_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addUniqueConstraint('conversations_account_number', ['account_id', 'number'])
    .execute();
  // Keyset lists, newest first: account-wide, per inbox and status, per assignee.
  await s.createIndex('conversations_account_activity').on('conversations').columns(['account_id', 'last_activity_at', 'id']).execute();
  await s.createIndex('conversations_inbox_status_activity').on('conversations').columns(['inbox_id', 'status', 'last_activity_at', 'id']).execute();
  await s.createIndex('conversations_inbox_activity').on('conversations').columns(['inbox_id', 'last_activity_at', 'id']).execute();
  await s.createIndex('conversations_assignee_activity').on('conversations').columns(['assignee_id', 'status', 'last_activity_at', 'id']).execute();
  await s.createIndex('conversations_contact').on('conversations').columns(['contact_id', 'last_activity_at']).execute();
  await s.createIndex('conversations_snoozed').on('conversations').columns(['status', 'snoozed_until']).execute();

  await s
    .createTable('conversation_followers')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('conversation_followers_pk', ['conversation_id', 'user_id'])
    .execute();

  await s
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('inbox_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('author_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_contact_id', 'text', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('html', 'text')
    .addColumn('subject', 'text')
    .addColumn('message_id', 'text')
    .addColumn('in_reply_to', 'text')
    .addColumn('references_json', 'text')
    .addColumn('from_json', 'text')
    .addColumn('to_json', 'text')
    .addColumn('cc_json', 'text')
    .addColumn('bcc_json', 'text')
    .addColumn('email_date', 'text')
    .addColumn('content_hash', 'text')
    .addColumn('raw_key', 'text')
    .addColumn('parse_error', 'text')
    .addColumn('auto_submitted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivery_status', 'text')
    .addColumn('delivery_error', 'text')
    .addColumn('activity_json', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at', 'id']).execute();
  // Threading looks up Message-IDs within an inbox; dedupe adds the content hash.
  await s.createIndex('messages_inbox_message_id').on('messages').columns(['inbox_id', 'message_id']).execute();
  await s.createIndex('messages_dedupe').on('messages').columns(['inbox_id', 'message_id', 'content_hash']).unique().execute();

  await s
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content_id', 'text')
    .addColumn('inline', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('attachments_message').on('attachments').column('message_id').execute();

  await s
    .createTable('timeline_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.references('conversations.id').onDelete('set null'))
    .addColumn('message_id', 'text', (c) => c.references('messages.id').onDelete('set null'))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('timeline_contact').on('timeline_entries').columns(['contact_id', 'created_at', 'id']).execute();

  await s
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.references('conversations.id').onDelete('set null'))
    .addColumn('contact_id', 'text', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id'))
    .addColumn('stage_id', 'text', (c) => c.notNull().references('pipeline_stages.id'))
    .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('priority', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('tickets_account_number', ['account_id', 'number'])
    .execute();
  await s.createIndex('tickets_account_created').on('tickets').columns(['account_id', 'created_at', 'id']).execute();
  await s.createIndex('tickets_conversation').on('tickets').column('conversation_id').execute();

  await s
    .createTable('events')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('inbox_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['account_id', 'seq'])
    .execute();

  await s
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();

  await s
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('actor_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('audit_log_account').on('audit_log').columns(['account_id', 'created_at', 'id']).execute();

  await s
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await s
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.references('conversations.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.references('messages.id').onDelete('cascade'))
    .addColumn('read_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('notifications_user').on('notifications').columns(['user_id', 'created_at', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
