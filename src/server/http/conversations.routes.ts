// /conversations: newest activity first, filtered by inbox, status and assignee, and always by
// the inboxes the caller may see; /conversations/{id}/messages: the thread, oldest first.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Conversation, Message, conversationStatus, id } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { presentConversation, presentMessage } from './presenters.ts';
import { inboxScope, rightInInbox, requireRight } from '../core/inbox-access.ts';
import { isAdmin } from '../core/policies.ts';
import { notFound } from '../core/errors.ts';
import { IdParams } from './inboxes.routes.ts';
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';

async function contactsById(db: Kysely<Database>, ids: (string | null)[]): Promise<Map<string, Row<'contacts'>>> {
  const wanted = [...new Set(ids.filter((i): i is string => i !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('contacts').selectAll().where('id', 'in', wanted).execute();
  return new Map(rows.map((c) => [c.id, c]));
}

export const conversationRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.get(
      '/conversations',
      {
        schema: {
          tags: ['conversations'],
          summary: 'Conversations in inboxes the caller can see, most recent activity first',
          querystring: z.strictObject({
            ...pageQuery,
            inboxId: id.optional(),
            status: conversationStatus.optional(),
            assigneeId: z.union([id, z.enum(['me', 'unassigned'])]).optional(),
            contactId: id.optional(),
          }),
          response: { 200: pageSchema(Conversation) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { limit, inboxId, status, assigneeId, contactId } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = db.selectFrom('conversations').selectAll().where('account_id', '=', actor.account.id);
        if (inboxId) q = q.where('inbox_id', '=', inboxId);
        // Admins view every inbox: no filter. Others get the ids they may see as a literal list:
        // a subquery here made PostgreSQL, before ANALYZE had run, loop over every visible inbox
        // and sort all its conversations (1.2 s at 50,000 rows, bench/access-list.ts), while the
        // list keeps both stores on the newest-first index.
        if (!isAdmin(actor.user.role)) {
          const scope = await inboxScope(db, actor.user);
          if (scope.inboxIds.length === 0) return { items: [], nextCursor: null };
          if (!scope.all) q = q.where('inbox_id', 'in', scope.inboxIds);
        }
        if (status) q = q.where('status', '=', status);
        if (assigneeId === 'me') q = q.where('assignee_id', '=', actor.user.id);
        else if (assigneeId === 'unassigned') q = q.where('assignee_id', 'is', null);
        else if (assigneeId) q = q.where('assignee_id', '=', assigneeId);
        if (contactId) q = q.where('contact_id', '=', contactId);
        if (after) {
          const [at, lastId] = [String(after[0]), after[1]];
          q = q.where((eb) => eb.or([eb('last_activity_at', '<', at), eb.and([eb('last_activity_at', '=', at), eb('id', '<', lastId)])]));
        }
        const rows = await q.orderBy('last_activity_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (c) => [c.last_activity_at, c.id]);
        const contacts = await contactsById(db, page.items.map((c) => c.contact_id));
        return { items: page.items.map((c) => presentConversation(c, c.contact_id ? contacts.get(c.contact_id) : undefined)), nextCursor: page.nextCursor };
      },
    );

    app.get('/conversations/:id', { schema: { tags: ['conversations'], params: IdParams, response: { 200: Conversation } } }, async (request) => {
      const actor = actorOf(request);
      const conversation = await db.selectFrom('conversations').selectAll().where('id', '=', request.params.id).where('account_id', '=', actor.account.id).executeTakeFirst();
      if (!conversation) throw notFound('Conversation');
      requireRight(await rightInInbox(db, actor.user, conversation.inbox_id), 'view');
      const contacts = await contactsById(db, [conversation.contact_id]);
      return presentConversation(conversation, conversation.contact_id ? contacts.get(conversation.contact_id) : undefined);
    });

    app.get(
      '/conversations/:id/messages',
      {
        schema: {
          tags: ['conversations'],
          summary: 'Messages, notes and activity lines of a conversation, oldest first',
          params: IdParams,
          querystring: z.strictObject(pageQuery),
          response: { 200: pageSchema(Message) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const conversation = await db.selectFrom('conversations').select(['id', 'inbox_id']).where('id', '=', request.params.id).where('account_id', '=', actor.account.id).executeTakeFirst();
        if (!conversation) throw notFound('Conversation');
        requireRight(await rightInInbox(db, actor.user, conversation.inbox_id), 'view');
        const { limit } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversation.id);
        if (after) {
          const [at, lastId] = [String(after[0]), after[1]];
          q = q.where((eb) => eb.or([eb('created_at', '>', at), eb.and([eb('created_at', '=', at), eb('id', '>', lastId)])]));
        }
        const rows = await q.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (m) => [m.created_at, m.id]);
        const ids = page.items.map((m) => m.id);
        const attachments = ids.length ? await db.selectFrom('attachments').selectAll().where('message_id', 'in', ids).execute() : [];
        return { items: page.items.map((m) => presentMessage(m, attachments.filter((a) => a.message_id === m.id))), nextCursor: page.nextCursor };
      },
    );
  };
