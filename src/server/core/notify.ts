// Notifications for agents: in the app (a notifications row + an event) and by email (a job),
// each per the agent's preferences (users.notify_in_app, users.notify_email), when a
// conversation is assigned to them, when they are @mentioned, and when a conversation they
// follow gets a reply. Nobody is told about a conversation in an inbox they cannot see, nor
// about their own action.
import type { Ctx } from './context.ts';
import type { Row } from '../db/schema.ts';
import { canView } from './policies.ts';
import { rightInInbox } from './inbox-access.ts';
import { actorUserId } from './activity.ts';

export type NotificationKind = 'assigned' | 'mentioned' | 'followed_reply';
/** Email-only: the contact owner is away, so the incoming message is emailed to them. */
export type NotificationEmailKind = NotificationKind | 'contact_owner_away';

export const NOTIFICATION_EMAIL_JOB = 'notification_email';

export interface NotificationEmailPayload {
  userId: string;
  kind: NotificationEmailKind;
  conversationId: string;
  messageId: string | null;
  actorUserId: string | null;
}

export interface NotifyInput {
  userId: string;
  kind: NotificationKind;
  conversation: Row<'conversations'>;
  messageId?: string | null;
}

/** Tells one user, per their preferences. Returns whether anything was recorded or queued. */
export async function notifyUser(ctx: Ctx, input: NotifyInput): Promise<boolean> {
  const by = actorUserId(ctx);
  if (input.userId === by) return false;
  const user = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', input.userId)
    .where('account_id', '=', input.conversation.account_id)
    .where('deactivated_at', 'is', null)
    .executeTakeFirst();
  if (!user) return false;
  if (!canView(await rightInInbox(ctx.db, user, input.conversation.inbox_id))) return false;
  const messageId = input.messageId ?? null;
  if (user.notify_in_app === 1) {
    const id = ctx.newId();
    await ctx.db
      .insertInto('notifications')
      .values({
        id,
        account_id: user.account_id,
        user_id: user.id,
        kind: input.kind,
        conversation_id: input.conversation.id,
        message_id: messageId,
        read_at: null,
        created_at: ctx.now.toISOString(),
        actor_user_id: by,
      })
      .execute();
    await ctx.emit({
      type: 'notification.created',
      accountId: user.account_id,
      inboxId: input.conversation.inbox_id,
      data: { notificationId: id, userId: user.id, kind: input.kind, conversationId: input.conversation.id },
    });
  }
  if (user.notify_email === 1) {
    await enqueueNotificationEmail(ctx, { userId: user.id, kind: input.kind, conversationId: input.conversation.id, messageId, actorUserId: by }, user.account_id);
  }
  return user.notify_in_app === 1 || user.notify_email === 1;
}

export async function enqueueNotificationEmail(ctx: Ctx, payload: NotificationEmailPayload, accountId: string): Promise<string> {
  return ctx.enqueue({ type: NOTIFICATION_EMAIL_JOB, accountId, payload: { ...payload } });
}

/** A followed conversation got a reply (inbound message or an agent's reply): tell its followers. */
export async function notifyFollowersOfReply(ctx: Ctx, input: { conversation: Row<'conversations'>; message: Pick<Row<'messages'>, 'id' | 'kind' | 'author_user_id'> }): Promise<string[]> {
  if (input.message.kind === 'activity') return [];
  const followers = await ctx.db.selectFrom('conversation_followers').select('user_id').where('conversation_id', '=', input.conversation.id).execute();
  const told: string[] = [];
  for (const f of followers) {
    if (f.user_id === input.message.author_user_id) continue;
    if (await notifyUser(ctx, { userId: f.user_id, kind: 'followed_reply', conversation: input.conversation, messageId: input.message.id })) told.push(f.user_id);
  }
  return told;
}
