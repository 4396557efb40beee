// Per-user unread state of conversations. The rule, in counts rather than times (0021):
//   unread for user U  ⇔  inbound_count > (U's read_count, or 0 when U has no marker)
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

/** Customer messages in the conversation, qualified: the rule's SQL runs inside other queries over conversations. */
const inboundCount = sql.ref<number>('conversations.inbound_count');

/** Events that carry a user's own marker; ws/hub.ts sends them to that user only. */
export const READ_EVENTS: ReadonlySet<string> = new Set(['conversation.read', 'conversation.unread']);

/** The rule in SQL, for a query over `conversations` (not aliased): a point read of U's marker by primary key. */
export function unreadFor(userId: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${inboundCount} > coalesce((select r.read_count from conversation_reads r where r.user_id = ${userId} and r.conversation_id = conversations.id), 0))`;
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

/** Marks the conversation read for the caller (who must be able to see it). */
export function markConversationRead(ctx: Ctx<UserActor>, input: { conversationId: string }): Promise<Row<'conversations'>> {
  return setMarker(ctx, input.conversationId, false);
}

/** Marks the conversation unread for the caller, until they open it again. */
export function markConversationUnread(ctx: Ctx<UserActor>, input: { conversationId: string }): Promise<Row<'conversations'>> {
  return setMarker(ctx, input.conversationId, true);
}

async function setMarker(ctx: Ctx<UserActor>, conversationId: string, unread: boolean): Promise<Row<'conversations'>> {
  const { conversation } = await conversationFor(ctx.db, ctx.actor.user, conversationId, 'view');
  const userId = ctx.actor.user.id;
  const state = await ctx.db
    .selectFrom('conversations')
    .select([inboundCount.as('inbound'), unreadFor(userId).as('unread')])
    .where('id', '=', conversation.id)
    .executeTakeFirstOrThrow();
  // Nothing to change: no write and no event, so opening a read conversation costs one read and
  // does not renew every cached list page of the account (their keys hold event_seq).
  if (asFlag(state.unread) === unread) return conversation;
  const inbound = Number(state.inbound);
  const readCount = unread ? inbound - 1 : inbound;
  await ctx.db
    .insertInto('conversation_reads')
    .values({ user_id: userId, conversation_id: conversation.id, read_count: readCount })
    .onConflict((oc) => oc.columns(['user_id', 'conversation_id']).doUpdateSet({ read_count: readCount }))
    .execute();
  await ctx.emit({
    type: unread ? 'conversation.unread' : 'conversation.read',
    accountId: conversation.account_id,
    inboxId: conversation.inbox_id,
    data: { userId, conversationId: conversation.id },
  });
  return conversation;
}
