// /tickets: the support tickets, newest first, filtered by pipeline, stage, owner, conversation
// or contact, with keyset pagination; "Create ticket" from a conversation; PATCH stage, owner,
// priority. A ticket of a conversation is visible to those who see its inbox and changeable by
// those who may act there.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Ticket, id, ticketPriority } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { IdParams } from './inboxes.routes.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { inboxScope } from '../core/inbox-access.ts';
import { createTicket, ticketFor, updateTicket } from '../core/tickets.ts';
import { presentTickets } from './workflow-presenters.ts';

const tags = ['tickets'];
const subject = z.string().trim().min(1, 'must not be empty').max(300);

export const ticketRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;
    const one = async (ticketId: string) => (await presentTickets(db, [(await db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirstOrThrow())]))[0]!;

    app.get(
      '/tickets',
      {
        schema: {
          tags,
          summary: 'Tickets, newest first, filtered by pipeline, stage, owner, conversation or contact',
          description: 'ownerId takes a user id, "me" or "none" (no owner). Tickets of conversations in inboxes the caller cannot see are left out.',
          querystring: z.strictObject({
            ...pageQuery,
            pipelineId: id.optional(),
            stageId: id.optional(),
            ownerId: z.union([id, z.enum(['me', 'none'])]).optional(),
            conversationId: id.optional(),
            contactId: id.optional(),
          }),
          response: { 200: pageSchema(Ticket) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { limit, pipelineId, stageId, ownerId, conversationId, contactId } = request.query;
        const after = decodeCursor(request.query.cursor);
        const scope = await inboxScope(db, actor.user);
        let q = db.selectFrom('tickets as t').selectAll('t').where('t.account_id', '=', actor.account.id);
        if (!scope.all) {
          const visible = scope.inboxIds;
          q = q
            .leftJoin('conversations as c', 'c.id', 't.conversation_id')
            .where((eb) => eb.or([eb('t.conversation_id', 'is', null), ...(visible.length ? [eb('c.inbox_id', 'in', visible)] : [])]));
        }
        if (pipelineId) q = q.where('t.pipeline_id', '=', pipelineId);
        if (stageId) q = q.where('t.stage_id', '=', stageId);
        if (ownerId === 'me') q = q.where('t.owner_id', '=', actor.user.id);
        else if (ownerId === 'none') q = q.where('t.owner_id', 'is', null);
        else if (ownerId) q = q.where('t.owner_id', '=', ownerId);
        if (conversationId) q = q.where('t.conversation_id', '=', conversationId);
        if (contactId) q = q.where('t.contact_id', '=', contactId);
        if (after) {
          const [at, lastId] = [String(after[0]), after[1]];
          q = q.where((eb) => eb.or([eb('t.created_at', '<', at), eb.and([eb('t.created_at', '=', at), eb('t.id', '<', lastId)])]));
        }
        const rows = await q.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (t) => [t.created_at, t.id]);
        return { items: await presentTickets(db, page.items), nextCursor: page.nextCursor };
      },
    );

    app.get('/tickets/:id', { schema: { tags, params: IdParams, response: { 200: Ticket } } }, async (request) => {
      const { ticket } = await ticketFor(db, actorOf(request).user, request.params.id, 'view');
      return one(ticket.id);
    });

    app.post(
      '/tickets',
      {
        schema: {
          tags,
          summary: '"Create ticket" from a conversation',
          description:
            'Defaults: the default pipeline (or pipelineId) and its first stage (or stageId), the owner is the conversation’s assignee or else the caller (ownerId null: no owner), the subject is the conversation’s. One ticket per conversation.',
          body: z.strictObject({
            conversationId: id,
            pipelineId: id.optional(),
            stageId: id.optional(),
            ownerId: id.nullable().optional(),
            priority: ticketPriority.nullable().optional(),
            subject: subject.optional(),
          }),
          response: { 201: Ticket },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const ticket = await deps.run(actor, (ctx) => createTicket(ctx, request.body));
        return reply.status(201).send(await one(ticket.id));
      },
    );

    app.patch(
      '/tickets/:id',
      {
        schema: {
          tags,
          summary: 'Change a ticket’s stage, owner, priority, subject or pipeline (with a stage of it)',
          params: IdParams,
          body: z.strictObject({
            pipelineId: id.optional(),
            stageId: id.optional(),
            ownerId: id.nullable().optional(),
            priority: ticketPriority.nullable().optional(),
            subject: subject.optional(),
          }),
          response: { 200: Ticket },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const ticket = await deps.run(actor, (ctx) => updateTicket(ctx, { ticketId: request.params.id, ...request.body }));
        return one(ticket.id);
      },
    );
  };
