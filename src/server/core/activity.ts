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
  return ctx.actor.kind === 'system' ? 'Parley' : userName(ctx.actor.user);
}

export const actorUserId = (ctx: Ctx): string | null => (ctx.actor.kind === 'user' ? ctx.actor.user.id : null);

const UTC_TIME = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
/** A time in an activity line, read the same by every viewer: "3 Dec 2026, 09:16 UTC" (the line's data keeps the exact ISO time). */
export const activityTime = (iso: string): string => `${UTC_TIME.format(new Date(iso))} UTC`;

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
