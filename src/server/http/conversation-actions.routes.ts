// The workflow on one conversation: assign/unassign, close, reopen, snooze, move, follow, delete,
// and the caller's own read/unread marker.
// Thin: validate, call the use case (which checks the right to act: 404 when the caller cannot
// see the conversation, 403 view_only when they may only look), present the conversation.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Conversation, ErrorBody, id } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { IdParams } from './inboxes.routes.ts';
import { assignConversation } from '../core/assign-conversation.ts';
import { closeConversation, followConversation, moveConversation, reopenConversation, snoozeConversation } from '../core/conversation-workflow.ts';
import { deleteConversation } from '../core/delete-conversation.ts';
import { conversationFor } from '../core/inbox-access.ts';
import { markConversationRead, markConversationUnread } from '../core/conversation-reads.ts';
import { presentConversationRow } from './workflow-presenters.ts';

const Following = z.object({ following: z.boolean(), followerIds: z.array(id) });
const tags = ['conversation actions'];

export const conversationActionRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.post(
      '/conversations/:id/assign',
      {
        schema: {
          tags,
          summary: 'Assign, reassign or (assigneeId null) unassign',
          description:
            'Any active user who can act in the inbox may be assigned by hand, free seats included (only automatic assignment is limited to paid seats). A caller with a free seat may only assign conversations that are unassigned or assigned to themselves. The assignee is notified per their preferences.',
          params: IdParams,
          body: z.strictObject({ assigneeId: id.nullable() }),
          response: { 200: Conversation },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const c = await deps.run(actor, (ctx) => assignConversation(ctx, { conversationId: request.params.id, assigneeId: request.body.assigneeId }));
        return presentConversationRow(db, c, actor.user.id);
      },
    );

    app.post('/conversations/:id/close', { schema: { tags, summary: 'Close', params: IdParams, response: { 200: Conversation } } }, async (request) => {
      const actor = actorOf(request);
      return presentConversationRow(db, await deps.run(actor, (ctx) => closeConversation(ctx, { conversationId: request.params.id })), actor.user.id);
    });

    app.post('/conversations/:id/reopen', { schema: { tags, summary: 'Reopen a closed or snoozed conversation', params: IdParams, response: { 200: Conversation } } }, async (request) => {
      const actor = actorOf(request);
      return presentConversationRow(db, await deps.run(actor, (ctx) => reopenConversation(ctx, { conversationId: request.params.id })), actor.user.id);
    });

    app.post(
      '/conversations/:id/snooze',
      {
        schema: {
          tags,
          summary: 'Snooze until a time; it reopens by itself then',
          params: IdParams,
          body: z.strictObject({ until: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }) }),
          response: { 200: Conversation },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const until = new Date(request.body.until);
        return presentConversationRow(db, await deps.run(actor, (ctx) => snoozeConversation(ctx, { conversationId: request.params.id, until })), actor.user.id);
      },
    );

    app.post(
      '/conversations/:id/move',
      {
        schema: {
          tags,
          summary: 'Move to another inbox (the caller must be able to act in both)',
          description: 'Messages move with the conversation. An assignee who cannot act in the target inbox is unassigned.',
          params: IdParams,
          body: z.strictObject({ inboxId: id }),
          response: { 200: Conversation },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        return presentConversationRow(db, await deps.run(actor, (ctx) => moveConversation(ctx, { conversationId: request.params.id, inboxId: request.body.inboxId })), actor.user.id);
      },
    );

    const followers = async (conversationId: string, userId: string) => {
      const rows = await db.selectFrom('conversation_followers').select('user_id').where('conversation_id', '=', conversationId).orderBy('user_id').execute();
      const followerIds = rows.map((r) => r.user_id);
      return { following: followerIds.includes(userId), followerIds };
    };

    app.get('/conversations/:id/follow', { schema: { tags, summary: 'Whether the caller follows, and who does', params: IdParams, response: { 200: Following } } }, async (request) => {
      const actor = actorOf(request);
      const { conversation } = await conversationFor(db, actor.user, request.params.id, 'view');
      return followers(conversation.id, actor.user.id);
    });

    app.put('/conversations/:id/follow', { schema: { tags, summary: 'Follow: be told when it gets a reply', params: IdParams, response: { 200: Following } } }, async (request) => {
      const actor = actorOf(request);
      await deps.run(actor, (ctx) => followConversation(ctx, { conversationId: request.params.id, follow: true }));
      return followers(request.params.id, actor.user.id);
    });

    app.delete('/conversations/:id/follow', { schema: { tags, summary: 'Unfollow', params: IdParams, response: { 200: Following } } }, async (request) => {
      const actor = actorOf(request);
      await deps.run(actor, (ctx) => followConversation(ctx, { conversationId: request.params.id, follow: false }));
      return followers(request.params.id, actor.user.id);
    });

    app.delete(
      '/conversations/:id',
      {
        schema: {
          tags,
          summary: 'Delete for good, with its messages, notes, attachments and tickets',
          description:
            'Anyone who can act in the inbox may delete (403 view_only for admins who may only view it; 404 when the caller cannot see it). The conversation leaves the contact\'s timeline too. Its emails are remembered, so the same mail fetched or delivered again (an IMAP re-scan, an SMTP retry) does not bring it back. Agents with the inbox open receive a `conversation.deleted` event.',
          params: IdParams,
          response: { 204: z.null(), 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        await deps.run(actorOf(request), (ctx) => deleteConversation(ctx, { conversationId: request.params.id }));
        return reply.status(204).send(null);
      },
    );

    // Personal, so the right to view is enough (view-only admins keep their own unread state).
    const marker = { tags, params: IdParams, response: { 200: Conversation, 404: ErrorBody } };
    app.post(
      '/conversations/:id/read',
      {
        schema: {
          ...marker,
          summary: 'Mark read for the caller',
          description:
            'Only the caller’s state changes; their other tabs receive a `conversation.read` event, nobody else does. Opening a conversation in the app does this, naming the newest message it showed (`upToMessageId`), so mail that arrived meanwhile stays unread; without it, everything so far is read.',
          body: z.strictObject({ upToMessageId: z.string().min(1).max(64).optional() }).optional(),
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const upToMessageId = request.body?.upToMessageId;
        return presentConversationRow(db, await deps.run(actor, (ctx) => markConversationRead(ctx, { conversationId: request.params.id, ...(upToMessageId ? { upToMessageId } : {}) })), actor.user.id);
      },
    );
    app.post(
      '/conversations/:id/unread',
      { schema: { ...marker, summary: 'Mark unread for the caller', description: 'Unread until the caller opens it again (or replies). Only the caller’s state changes; their other tabs receive a `conversation.unread` event.' } },
      async (request) => {
        const actor = actorOf(request);
        return presentConversationRow(db, await deps.run(actor, (ctx) => markConversationUnread(ctx, { conversationId: request.params.id })), actor.user.id);
      },
    );
  };
