// /inboxes: list, get, rename (PATCH), create (POST, Professional and Enterprise only).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Inbox, id, inboxAccess } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { listInboxViews, loadInboxView } from './inbox-view.ts';
import { renameInbox } from '../core/rename-inbox.ts';
import { createInbox } from '../core/create-inbox.ts';

const inboxName = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
export const IdParams = z.strictObject({ id });

export const inboxRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/inboxes',
      { schema: { tags: ['inboxes'], summary: 'Inboxes the caller can see, default first', response: { 200: z.object({ items: z.array(Inbox), nextCursor: z.null() }) } } },
      async (request) => ({ items: await listInboxViews(deps.store.db, actorOf(request).user), nextCursor: null }),
    );

    app.get('/inboxes/:id', { schema: { tags: ['inboxes'], params: IdParams, response: { 200: Inbox } } }, async (request) =>
      loadInboxView(deps.store.db, actorOf(request).user, request.params.id),
    );

    app.patch(
      '/inboxes/:id',
      {
        schema: {
          tags: ['inboxes'],
          summary: 'Rename an inbox (admins; every plan)',
          params: IdParams,
          body: z.strictObject({ name: inboxName }),
          response: { 200: Inbox },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await loadInboxView(deps.store.db, actor.user, request.params.id);
        await deps.run(actor, (ctx) => renameInbox(ctx, { inboxId: request.params.id, name: request.body.name }));
        return loadInboxView(deps.store.db, actor.user, request.params.id);
      },
    );

    app.post(
      '/inboxes',
      {
        schema: {
          tags: ['inboxes'],
          summary: 'Create an inbox with its own fallback email address (Professional and Enterprise; 403 plan_required otherwise)',
          body: z.strictObject({
            name: inboxName,
            access: inboxAccess.default('everyone'),
            userIds: z.array(id).max(500).default([]),
            teamIds: z.array(id).max(500).default([]),
          }),
          response: { 201: Inbox },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const created = await deps.run(actor, (ctx) => createInbox(ctx, request.body, deps.domains));
        return reply.status(201).send(await loadInboxView(deps.store.db, actor.user, created.inbox.id));
      },
    );
  };
