// Fixtures for the access tests (issue 5): users of every role and seat with their own API
// tokens, teams, restricted inboxes and conversations inserted straight into the store.
import type { Deps } from '../src/server/deps.ts';
import type { Role, Row, Seat } from '../src/server/db/schema.ts';
import { createUser } from '../src/server/core/create-user.ts';
import { issueApiToken } from '../src/server/core/api-tokens.ts';
import { nextConversationNumber } from '../src/server/core/conversation-numbers.ts';
import { newId, newSecret } from '../src/server/core/ids.ts';

const system = (accountId: string) => ({ kind: 'system' as const, accountId, reason: 'test' });

export async function addUser(deps: Deps, account: Row<'accounts'>, opts: { role: Role; seat?: Seat; teamIds?: string[]; name?: string }): Promise<{ user: Row<'users'>; token: string }> {
  const tag = newSecret(4).toLowerCase();
  return deps.run(system(account.id), async (ctx) => {
    const user = await createUser(ctx, {
      accountId: account.id,
      email: `${opts.name ?? opts.role}-${tag}@${account.subdomain}.test`,
      password: 'correct horse battery',
      firstName: opts.name ?? opts.role,
      role: opts.role,
      seat: opts.seat ?? 'paid',
      teamIds: opts.teamIds ?? [],
    });
    const { token } = await issueApiToken(ctx, { user, name: 'test' });
    return { user, token };
  });
}

export async function addTeam(deps: Deps, account: Row<'accounts'>, name: string, memberIds: string[] = []): Promise<string> {
  const id = newId();
  await deps.store.db.insertInto('teams').values({ id, account_id: account.id, name, created_at: new Date().toISOString() }).execute();
  if (memberIds.length) await deps.store.db.insertInto('team_members').values(memberIds.map((user_id) => ({ team_id: id, user_id }))).execute();
  return id;
}

/** A conversation with one inbound message, straight into the store (no mail pipeline needed). */
export async function addConversation(deps: Deps, account: Row<'accounts'>, inboxId: string, subject = 'Help please', opts: { contactEmail?: string; text?: string } = {}): Promise<Row<'conversations'>> {
  return deps.run(system(account.id), async (ctx) => {
    const now = ctx.now.toISOString();
    let contactId: string | null = null;
    if (opts.contactEmail) {
      contactId = newId();
      await ctx.db.insertInto('contacts').values({ id: contactId, account_id: account.id, email: opts.contactEmail, name: 'Customer', owner_id: null, created_at: now, updated_at: now }).execute();
    }
    const channel = await ctx.db.selectFrom('channels').select('id').where('inbox_id', '=', inboxId).executeTakeFirst();
    const conversation: Row<'conversations'> = {
      id: newId(),
      account_id: account.id,
      number: await nextConversationNumber(ctx, account.id),
      inbox_id: inboxId,
      channel_id: channel?.id ?? null,
      contact_id: contactId,
      status: 'open',
      snoozed_until: null,
      assignee_id: null,
      subject,
      preview: (opts.text ?? 'Hello').slice(0, 140),
      reply_token: newSecret(12),
      last_activity_at: now,
      created_at: now,
      closed_at: null,
      inbound_count: 0,
    };
    await ctx.db.insertInto('conversations').values(conversation).execute();
    await ctx.db
      .insertInto('messages')
      .values({
        id: newId(),
        account_id: account.id,
        inbox_id: inboxId,
        conversation_id: conversation.id,
        direction: 'in',
        kind: 'message',
        author_user_id: null,
        author_contact_id: contactId,
        text: opts.text ?? 'Hello',
        html: null,
        subject,
        message_id: `${newSecret(8)}@customer.test`,
        in_reply_to: null,
        references_json: null,
        from_json: JSON.stringify({ name: 'Customer', address: 'customer@example.test' }),
        to_json: '[]',
        cc_json: '[]',
        bcc_json: '[]',
        email_date: now,
        content_hash: newSecret(8),
        raw_key: null,
        parse_error: null,
        auto_submitted: 0,
        delivery_status: null,
        delivery_error: null,
        activity_json: null,
        created_at: now,
      })
      .execute();
    await ctx.emit({ type: 'conversation.created', accountId: account.id, inboxId, data: { conversationId: conversation.id } });
    return conversation;
  });
}
