// /conversations: newest activity first, filtered by inbox, status, assignee and the caller's
// unread state, and always by the inboxes the caller may see; /conversations/counts: each view's
// size; /conversations/{id}/messages: the thread, oldest first.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Conversation, Message, ViewCounts, conversationStatus, id, type ConversationT, type ViewCountsT } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { CONTACT_COLUMNS, CONVERSATION_COLUMNS, presentConversation, presentMessage, type ContactFields } from './presenters.ts';
import { createPageCache } from './page-cache.ts';
import { sendJson } from './send-json.ts';
import { inboxScope, rightInInbox, requireRight } from '../core/inbox-access.ts';
import { isAdmin } from '../core/policies.ts';
import { notFound } from '../core/errors.ts';
import { sha256 } from '../core/ids.ts';
import { IdParams } from './inboxes.routes.ts';
import { sql, type Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import { inboxIn } from '../db/dialect.ts';
import { asFlag, unreadAmong, unreadFor } from '../core/conversation-reads.ts';
import { COUNT_LIMIT, countViews } from '../core/view-counts.ts';

type ConversationPage = { items: ConversationT[]; nextCursor: string | null };

/** The contact columns of a list row (selected as contact__<column>), or undefined when it has none. */
function joinedContact(row: Record<string, unknown>): ContactFields | undefined {
  if (row.contact__id === null || row.contact__id === undefined) return undefined;
  const contact: Record<string, unknown> = {};
  for (const c of CONTACT_COLUMNS) contact[c] = row[`contact__${c}`];
  return contact as ContactFields;
}

const scopeKeys = new WeakMap<readonly string[], string>();

/**
 * The visible inboxes in a page-cache key: a digest, made once per kept scope (inbox-access.ts),
 * rather than the joined ids (5 KB for 136 inboxes) built, hashed and stored on every request.
 */
function scopeKey(inboxIds: readonly string[]): string {
  let key = scopeKeys.get(inboxIds);
  if (key === undefined) {
    key = sha256(inboxIds.join(','));
    scopeKeys.set(inboxIds, key);
  }
  return key;
}

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
    const pages = createPageCache({ maxEntries: 2000, maxBytes: 32 * 1024 * 1024 });
    const counts = createPageCache({ maxEntries: 2000, maxBytes: 4 * 1024 * 1024 });

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
            unread: z.enum(['true', 'false']).optional(),
          }),
          response: { 200: pageSchema(Conversation) },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { limit, inboxId, status, assigneeId, contactId, cursor } = request.query;
        const unreadOnly = request.query.unread === 'true';
        const after = decodeCursor(cursor);
        // Admins view every inbox: no filter. Others get the ids they may see, as a literal list
        // (PostgreSQL) or a kept temp table (SQLite; dialect.ts's inboxIn): a subquery here made
        // PostgreSQL, before ANALYZE had run, loop over every visible inbox and sort all its
        // conversations (1.2 s at 50,000 rows, bench/access-list.ts), while these keep both
        // stores on the newest-first index.
        let visible: string[] | 'all' = 'all';
        if (!isAdmin(actor.user.role)) {
          // The access version came with the account in the authentication query: no extra read.
          const scope = await inboxScope(db, actor.user, actor.account.access_version);
          if (scope.inboxIds.length === 0) return { items: [], nextCursor: null };
          if (!scope.all) visible = scope.inboxIds;
        }
        const assignee = assigneeId === 'me' ? actor.user.id : assigneeId;
        // Everything the page depends on: the account's state (event_seq), what the caller may see,
        // who asks (each item's unread is theirs; marking read emits, so it bumps event_seq too), the query.
        const key = [actor.account.id, actor.account.event_seq, visible === 'all' ? '*' : scopeKey(visible), actor.user.id, inboxId, status, assignee, contactId, unreadOnly, limit, cursor].join('|');
        const cached = pages.get(key);
        if (cached !== undefined) return sendJson(reply, cached);

        let q = db
          .selectFrom('conversations')
          .leftJoin('contacts', 'contacts.id', 'conversations.contact_id')
          .select(CONVERSATION_COLUMNS.map((c) => `conversations.${c}` as const))
          .select(CONTACT_COLUMNS.map((c) => sql.ref<string | null>(`contacts.${c}`).as(`contact__${c}`)))
          .select(unreadFor(actor.user.id).as('unread'))
          .where('conversations.account_id', '=', actor.account.id);
        if (inboxId) q = q.where('conversations.inbox_id', '=', inboxId);
        if (visible !== 'all') q = q.where(inboxIn(deps.store.dialect, 'conversations.inbox_id', visible, deps.store.sqlite));
        if (status) q = q.where('conversations.status', '=', status);
        if (assignee === 'unassigned') q = q.where('conversations.assignee_id', 'is', null);
        else if (assignee) q = q.where('conversations.assignee_id', '=', assignee);
        if (contactId) q = q.where('conversations.contact_id', '=', contactId);
        if (unreadOnly) q = q.where(unreadFor(actor.user.id));
        if (after) {
          const [at, lastId] = [String(after[0]), after[1]];
          // (time, id) < (at, lastId), as `time <= at AND (time < at OR id < lastId)`: the bound on
          // time makes it an index range; the plain OR form had SQLite walk the index from the newest
          // row, so deep pages cost more than the first.
          q = q.where('conversations.last_activity_at', '<=', at).where((eb) => eb.or([eb('conversations.last_activity_at', '<', at), eb('conversations.id', '<', lastId)]));
        }
        const rows = await q.orderBy('conversations.last_activity_at', 'desc').orderBy('conversations.id', 'desc').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (c) => [c.last_activity_at, c.id]);
        const items = page.items.map((row) => presentConversation(row, joinedContact(row), asFlag(row.unread)));
        // Presenter output is typed and built field by field: serialized directly, not re-checked through zod.
        const body = Buffer.from(JSON.stringify({ items, nextCursor: page.nextCursor } satisfies ConversationPage));
        pages.set(key, body);
        return sendJson(reply, body);
      },
    );

    app.get('/conversations/:id', { schema: { tags: ['conversations'], params: IdParams, response: { 200: Conversation } } }, async (request) => {
      const actor = actorOf(request);
      const conversation = await db.selectFrom('conversations').selectAll().where('id', '=', request.params.id).where('account_id', '=', actor.account.id).executeTakeFirst();
      if (!conversation) throw notFound('Conversation');
      requireRight(await rightInInbox(db, actor.user, conversation.inbox_id), 'view');
      const [contacts, unread] = await Promise.all([contactsById(db, [conversation.contact_id]), unreadAmong(db, actor.user.id, [conversation.id])]);
      return presentConversation(conversation, conversation.contact_id ? contacts.get(conversation.contact_id) : undefined, unread.has(conversation.id));
    });

    app.get(
      '/conversations/counts',
      {
        schema: {
          tags: ['conversations'],
          summary: 'For each view of an inbox, its conversations and how many are unread for the caller',
          description: `The views are the app's: unassigned, mine (assigned to the caller) and open are open conversations; snoozed and closed. Each count is what GET /conversations lists with the same filters. Counting stops at \`limit\` (${COUNT_LIMIT}): a count equal to it means that many or more. An inbox the caller cannot see is 404, as everywhere.`,
          querystring: z.strictObject({ inboxId: id }),
          response: { 200: ViewCounts },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { inboxId } = request.query;
        requireRight(await rightInInbox(db, actor.user, inboxId), 'view', 'Inbox');
        // As the list pages: valid while event_seq (every change, every read marker) stands still.
        const key = [actor.account.id, actor.account.event_seq, actor.user.id, inboxId].join('|');
        const cached = counts.get(key);
        if (cached !== undefined) return sendJson(reply, cached);
        const views = await countViews(db, { accountId: actor.account.id, inboxId, userId: actor.user.id });
        const body = Buffer.from(JSON.stringify({ inboxId, limit: COUNT_LIMIT, views } satisfies ViewCountsT));
        counts.set(key, body);
        return sendJson(reply, body);
      },
    );

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
