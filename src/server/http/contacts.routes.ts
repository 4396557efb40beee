// /contacts: the CRM side. Every user of the account sees contacts and may add them and change
// their name and owner; timeline entries about conversations in inboxes the caller cannot see are
// left out.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sql } from 'kysely';
import type { Deps } from '../deps.ts';
import { Contact, TimelineEntry } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { presentContact, presentTimelineEntry } from './presenters.ts';
import { notFound } from '../core/errors.ts';
import { inboxRights } from '../core/inbox-access.ts';
import { IdParams } from './inboxes.routes.ts';
import { id } from '../../shared/api.ts';
import { createContact, updateContact } from '../core/edit-contact.ts';
import { contactIds } from '../core/search-match.ts';
import { searchTerms } from '../../shared/search-terms.ts';

const ContactName = z.string().max(200);

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
          summary: 'Contacts, newest first; `email` finds one by exact address, `q` those whose name or address has words starting with each word of `q`',
          querystring: z.strictObject({ ...pageQuery, email: z.string().max(254).optional(), q: z.string().trim().min(1).max(200).optional() }),
          response: { 200: pageSchema(Contact) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { limit, email, q: text } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = db.selectFrom('contacts').selectAll().where('account_id', '=', actor.account.id);
        if (email) q = q.where('email', '=', email.trim().toLowerCase());
        if (text) {
          // Word prefixes through the contacts' search index, as conversation search does (no leading-wildcard LIKE).
          const terms = searchTerms(text);
          if (terms.length === 0) return { items: [], nextCursor: null };
          q = q.where(sql<boolean>`contacts.id in (${contactIds(deps.store.dialect, actor.account.id, terms)})`);
        }
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

    app.post(
      '/contacts',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Add a contact by hand (409 conflict when the address already has one)',
          body: z.strictObject({ email: z.email({ message: 'must be an email address' }).max(254), name: ContactName.optional(), ownerId: id.nullable().optional() }),
          response: { 201: Contact },
        },
      },
      async (request, reply) => {
        const contact = await deps.run(actorOf(request), (ctx) => createContact(ctx, request.body));
        return reply.status(201).send(presentContact(contact));
      },
    );

    app.patch(
      '/contacts/:id',
      {
        schema: {
          tags: ['contacts'],
          summary: "Change a contact's name or owner (the owner is who \"Assign to: Contact owner\" picks; null removes it); logged on the contact's timeline",
          params: IdParams,
          body: z.strictObject({ name: ContactName.optional(), ownerId: id.nullable().optional() }),
          response: { 200: Contact },
        },
      },
      async (request) => presentContact(await deps.run(actorOf(request), (ctx) => updateContact(ctx, { contactId: request.params.id, edit: request.body }))),
    );
  };
