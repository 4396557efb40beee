// GET /search?q=: conversations matching by subject, message or note text, or the contact's
// name or email, newest activity first, only from inboxes the caller can see (core/search.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { SearchResult } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { presentConversation } from './presenters.ts';
import { searchConversations, searchSnippets } from '../core/search.ts';
import { unreadAmong } from '../core/conversation-reads.ts';

export const searchRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const { db, dialect } = deps.store;

    app.get(
      '/search',
      {
        schema: {
          tags: ['conversations'],
          summary: 'Search conversations in the inboxes the caller can see, most recent activity first',
          description:
            'Matches conversations whose subject, the text of one of their messages or notes, or their contact’s name or email contains every word of q as a word prefix ("inv 204" finds "invoice 2041"; "marta@exa" finds marta@example.org). Conversations in inboxes the caller cannot see are never found. Each result carries `snippet`: the words around the first place a word of q starts a word in its newest matching message or note (up to ~150 characters, "…" where cut), or null when only the subject or the contact matched.',
          querystring: z.strictObject({ ...pageQuery, q: z.string().trim().min(1, 'must not be empty').max(200) }),
          response: { 200: pageSchema(SearchResult) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { q, limit } = request.query;
        const cursor = decodeCursor(request.query.cursor);
        const rows = await searchConversations(db, dialect, actor.user, {
          q,
          limit: limit + 1,
          after: cursor && [String(cursor[0]), cursor[1]],
          // Read with the actor's account by authentication: saves the rights cache a point read.
          accessVersion: actor.account.access_version,
        });
        const page = pageOf(rows, limit, (c) => [c.last_activity_at, c.id]);
        const contactIds = [...new Set(page.items.flatMap((c) => (c.contact_id ? [c.contact_id] : [])))];
        const contacts = contactIds.length ? await db.selectFrom('contacts').selectAll().where('id', 'in', contactIds).execute() : [];
        const ids = page.items.map((c) => c.id);
        const [snippets, unread] = await Promise.all([searchSnippets(db, ids, q), unreadAmong(db, actor.user.id, ids)]);
        return {
          items: page.items.map((c) => ({ ...presentConversation(c, contacts.find((k) => k.id === c.contact_id), unread.has(c.id)), snippet: snippets.get(c.id) ?? null })),
          nextCursor: page.nextCursor,
        };
      },
    );
  };
