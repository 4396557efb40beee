// Where a reply to an agent's default From address belongs. Such mail is accepted for the default
// inbox's fallback email (agent-addresses.ts), but the agent may have written from any inbox: a
// customer whose client ignores Reply-To answers `first.last@<account domain>` about a
// conversation in Sales. When the mail names one of our own sent messages (In-Reply-To or
// References, or our Message-ID pattern), it goes to that conversation's inbox, where threading
// (scoped to the inbox, as always) finds it. The lookup stays inside the account the address
// belongs to, and matches only messages we sent: nothing else in a header moves mail anywhere.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { threadingPlan } from '../core/threading.ts';
import { inboxEmailChannels } from './postmaster.ts';

export interface ReplyHeaders {
  inReplyTo: string | null;
  references: string[];
}

/** The inbox and email channel of the conversation our sent message belongs to, or null. */
export async function agentReplyDestination(
  db: Kysely<Database>,
  accountId: string,
  accountMailDomain: string,
  headers: ReplyHeaders,
): Promise<{ inboxId: string; channelId: string } | null> {
  const plan = threadingPlan({ recipients: [], inReplyTo: headers.inReplyTo, references: headers.references.slice(-20), accountMailDomain });
  const conversationId = (await sentMessageConversation(db, accountId, plan.messageIds)) ?? (await ownConversation(db, accountId, plan.ownIds));
  if (!conversationId) return null;
  const conversation = await db.selectFrom('conversations').select(['inbox_id', 'channel_id']).where('id', '=', conversationId).executeTakeFirstOrThrow();
  const channelId = await emailChannelOf(db, conversation.inbox_id, conversation.channel_id);
  return channelId ? { inboxId: conversation.inbox_id, channelId } : null;
}

/** The conversation of the first of these Message-IDs that is one of the account's sent messages (priority order). */
async function sentMessageConversation(db: Kysely<Database>, accountId: string, messageIds: string[]): Promise<string | null> {
  if (messageIds.length === 0) return null;
  const rows = await db
    .selectFrom('messages')
    .select(['message_id', 'conversation_id'])
    .where('inbox_id', 'in', db.selectFrom('inboxes').select('id').where('account_id', '=', accountId))
    .where('message_id', 'in', messageIds)
    .where('direction', '=', 'out')
    .execute();
  for (const id of messageIds) {
    const hit = rows.find((r) => r.message_id === id);
    if (hit) return hit.conversation_id;
  }
  return null;
}

/** The first of these ids (from our Message-ID pattern) that is a conversation of the account. */
async function ownConversation(db: Kysely<Database>, accountId: string, ids: string[]): Promise<string | null> {
  if (ids.length === 0) return null;
  const rows = await db.selectFrom('conversations').select('id').where('account_id', '=', accountId).where('id', 'in', ids).execute();
  return ids.find((id) => rows.some((r) => r.id === id)) ?? null;
}

/** The conversation's own channel while it is an email channel of its inbox, else that inbox's fallback email. */
async function emailChannelOf(db: Kysely<Database>, inboxId: string, preferredChannelId: string | null): Promise<string | null> {
  const channels = await inboxEmailChannels(db, inboxId);
  return (channels.find((c) => c.id === preferredChannelId) ?? channels.find((c) => c.isFallback) ?? channels[0])?.id ?? null;
}
