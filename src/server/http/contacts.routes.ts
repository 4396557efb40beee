// /contacts: the CRM side. Every user of the account sees contacts; timeline entries about
// conversations in inboxes the caller cannot see are left out.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Contact, TimelineEntry } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { presentContact, presentTimelineEntry } from './presenters.ts';
import { notFound } from '../core/errors.ts';
import { inboxRights } from '../core/inbox-access.ts';
import { IdParams } from './inboxes.routes.ts';

export const contactRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.get(
      '/contacts',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Contacts, newest first; `email` finds one by exact address',
          querystring: z.strictObject({ ...pageQuery, email: z.string().max(254).optional() }),
          response: { 200: pageSchema(Contact) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { limit, email } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = db.selectFrom('contacts').selectAll().where('account_id', '=', actor.account.id);
        if (email) q = q.where('email', '=', email.trim().toLowerCase());
        if (after) {
          const [createdAt, id] = [String(after[0]), after[1]];
          q = q.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
        }
        const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (c) => [c.created_at, c.id]);
        return { items: page.items.map(presentContact), nextCursor: page.nextCursor };
      },
    );

    app.get('/contacts/:id', { schema: { tags: ['contacts'], params: IdParams, response: { 200: Contact } } }, async (request) => {
      const contact = await db.selectFrom('contacts').selectAll().where('id', '=', request.params.id).where('account_id', '=', actorOf(request).account.id).executeTakeFirst();
      if (!contact) throw notFound('Contact');
      return presentContact(contact);
    });

    app.get(
      '/contacts/:id/timeline',
      {
        schema: {
          tags: ['contacts'],
          summary: "The contact's timeline (messages logged to the CRM), newest first",
          params: IdParams,
          querystring: z.strictObject(pageQuery),
          response: { 200: pageSchema(TimelineEntry) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const contact = await db.selectFrom('contacts').select('id').where('id', '=', request.params.id).where('account_id', '=', actor.account.id).executeTakeFirst();
        if (!contact) throw notFound('Contact');
        const visible = [...(await inboxRights(db, actor.user)).keys()];
        const { limit } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = db
          .selectFrom('timeline_entries as t')
          .leftJoin('conversations as c', 'c.id', 't.conversation_id')
          .selectAll('t')
          .where('t.contact_id', '=', contact.id)
          .where((eb) => (visible.length ? eb.or([eb('t.conversation_id', 'is', null), eb('c.inbox_id', 'in', visible)]) : eb('t.conversation_id', 'is', null)));
        if (after) {
          const [createdAt, id] = [String(after[0]), after[1]];
          q = q.where((eb) => eb.or([eb('t.created_at', '<', createdAt), eb.and([eb('t.created_at', '=', createdAt), eb('t.id', '<', id)])]));
        }
        const rows = await q.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (t) => [t.created_at, t.id]);
        return { items: page.items.map(presentTimelineEntry), nextCursor: page.nextCursor };
      },
    );
  };
