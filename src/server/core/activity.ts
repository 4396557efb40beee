// Activity lines: every workflow change on a conversation (assigned, closed, snoozed, moved,
// ticket created, ...) is kept as a message of kind 'activity' in the thread, so agents see
// who did what and when, and is emitted as an event scoped to the conversation's inbox.
import type { Ctx } from './context.ts';
import type { Row } from '../db/schema.ts';
import { messageRow } from './message-rows.ts';

export interface Activity {
  type: string;
  [key: string]: unknown;
}

/** The display name of whoever is acting: a user's full name or "Parley" for the system. */
export function actorName(ctx: Ctx): string {
  if (ctx.actor.kind === 'system') return 'Parley';
  const u = ctx.actor.user;
  return `${u.first_name} ${u.last_name}`.trim() || u.email;
}

export const actorUserId = (ctx: Ctx): string | null => (ctx.actor.kind === 'user' ? ctx.actor.user.id : null);

export function userName(u: Pick<Row<'users'>, 'first_name' | 'last_name' | 'email'>): string {
  return `${u.first_name} ${u.last_name}`.trim() || u.email;
}

/** Inserts the activity line and emits `conversation.updated` for the conversation's inbox. */
export async function recordActivity(ctx: Ctx, conversation: Row<'conversations'>, activity: Activity, text: string): Promise<Row<'messages'>> {
  const message = messageRow(ctx, conversation, {
    direction: 'out',
    kind: 'activity',
    author_user_id: actorUserId(ctx),
    text,
    activity_json: JSON.stringify(activity),
  });
  await ctx.db.insertInto('messages').values(message).execute();
  await ctx.emit({
    type: 'conversation.updated',
    accountId: conversation.account_id,
    inboxId: conversation.inbox_id,
    data: { conversationId: conversation.id, messageId: message.id, activity },
  });
  return message;
}
