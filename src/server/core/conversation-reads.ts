// Per-user unread state of conversations. The rule, in counts rather than times (0021):
//   unread for user U  ⇔  inbound_count > (U's read_count, or the baseline when U has no marker)
// The baseline is 0 but in conversations from before read tracking, whose customer messages until
// then everyone has read (conversation_read_baselines, 0023).
// inbound_count counts the conversation's customer messages (direction 'in', kind 'message');
// notes, activity lines and agents' replies never make anything unread. Opening a conversation,
// or U's own reply or note (a trigger, in the message's transaction), sets read_count to
// inbound_count. "Mark as unread" sets it one below, so the newest customer message (or, in a
// conversation without one, the conversation itself) is unread until U opens it again. A marker is
// U's alone: its events reach only U (ws/hub.ts isPersonal).
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Ctx, UserActor } from './context.ts';
import type { Database, Row } from '../db/schema.ts';
import { conversationFor } from './inbox-access.ts';
import { notFound } from './errors.ts';

/** Customer messages in the conversation, qualified: the rule's SQL runs inside other queries over conversations. */
const inboundCount = sql.ref<number>('conversations.inbound_count');

/** Events that carry a user's own marker; ws/hub.ts sends them to that user only. */
export const READ_EVENTS: ReadonlySet<string> = new Set(['conversation.read', 'conversation.unread']);

/**
 * The rule in SQL, for a query over `conversations` (not aliased): a point read of U's marker by
 * primary key, and only without one, of the baseline (coalesce stops at the first value).
 */
export function unreadFor(userId: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${inboundCount} > coalesce(
    (select r.read_count from conversation_reads r where r.user_id = ${userId} and r.conversation_id = conversations.id),
    (select b.read_count from conversation_read_baselines b where b.conversation_id = conversations.id), 0))`;
}

/** A selected unread flag as a boolean: SQLite answers 0/1, PostgreSQL true/false. */
export const asFlag = (value: unknown): boolean => value === true || value === 1 || value === '1';

/** Which of these conversations are unread for the user: one query. */
export async function unreadAmong(db: Kysely<Database>, userId: string, conversationIds: readonly string[]): Promise<Set<string>> {
  if (conversationIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('conversations')
    .select(['id', unreadFor(userId).as('unread')])
    .where('id', 'in', [...new Set(conversationIds)])
    .execute();
  return new Set(rows.filter((r) => asFlag(r.unread)).map((r) => r.id));
}

/**
 * Marks the conversation read for the caller (who must be able to see it): up to the customer
 * message `upToMessageId` when given (the newest one the caller was shown, so mail that arrived
 * after the screen was drawn stays unread), else up to now.
 */
export async function markConversationRead(ctx: Ctx<UserActor>, input: { conversationId: string; upToMessageId?: string }): Promise<Row<'conversations'>> {
  const { conversation } = await conversationFor(ctx.db, ctx.actor.user, input.conversationId, 'view');
  const readCount = input.upToMessageId === undefined ? conversation.inbound_count : await inboundCountUpTo(ctx.db, conversation.id, input.upToMessageId);
  const marker = await markerOf(ctx.db, ctx.actor.user.id, conversation.id);
  // Read that far already: no write and no event, so opening a read conversation costs one read more
  // and does not renew every cached list page of the account (their keys hold event_seq).
  if (marker >= readCount) return conversation;
  return saveMarker(ctx, conversation, readCount, 'conversation.read');
}

/** Marks the conversation unread for the caller, until they open it again: the marker one below the newest customer message. */
export async function markConversationUnread(ctx: Ctx<UserActor>, input: { conversationId: string }): Promise<Row<'conversations'>> {
  const { conversation } = await conversationFor(ctx.db, ctx.actor.user, input.conversationId, 'view');
  const inbound = conversation.inbound_count;
  if ((await markerOf(ctx.db, ctx.actor.user.id, conversation.id)) < inbound) return conversation;
  return saveMarker(ctx, conversation, inbound - 1, 'conversation.unread');
}

/** Customer messages of the conversation up to and including this message of it, in thread order. */
async function inboundCountUpTo(db: Kysely<Database>, conversationId: string, messageId: string): Promise<number> {
  const shown = await db.selectFrom('messages').select(['created_at', 'id']).where('id', '=', messageId).where('conversation_id', '=', conversationId).executeTakeFirst();
  if (!shown) throw notFound('Message');
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('conversation_id', '=', conversationId)
    .where('direction', '=', 'in')
    .where('kind', '=', 'message')
    .where((eb) => eb.or([eb('created_at', '<', shown.created_at), eb.and([eb('created_at', '=', shown.created_at), eb('id', '<=', shown.id)])]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The user's read marker: the conversation's baseline when they have none (0 without one either). */
async function markerOf(db: Kysely<Database>, userId: string, conversationId: string): Promise<number> {
  const row = await db.selectFrom('conversation_reads').select('read_count').where('user_id', '=', userId).where('conversation_id', '=', conversationId).executeTakeFirst();
  if (row) return Number(row.read_count);
  const baseline = await db.selectFrom('conversation_read_baselines').select('read_count').where('conversation_id', '=', conversationId).executeTakeFirst();
  return baseline ? Number(baseline.read_count) : 0;
}

async function saveMarker(ctx: Ctx<UserActor>, conversation: Row<'conversations'>, readCount: number, type: 'conversation.read' | 'conversation.unread'): Promise<Row<'conversations'>> {
  const userId = ctx.actor.user.id;
  await ctx.db
    .insertInto('conversation_reads')
    .values({ user_id: userId, conversation_id: conversation.id, read_count: readCount })
    .onConflict((oc) => oc.columns(['user_id', 'conversation_id']).doUpdateSet({ read_count: readCount }))
    .execute();
  await ctx.emit({ type, accountId: conversation.account_id, inboxId: conversation.inbox_id, data: { userId, conversationId: conversation.id } });
  return conversation;
}
