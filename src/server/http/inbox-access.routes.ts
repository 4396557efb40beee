// Inbox settings that decide who is in an inbox: PUT /inboxes/{id}/access (the seed's Access
// tab) and DELETE /inboxes/{id} (a non-default inbox; its conversations move to the default).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Inbox, id, inboxAccess } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { loadInboxView } from './inbox-view.ts';
import { IdParams } from './inboxes.routes.ts';
import { setInboxAccess } from '../core/set-inbox-access.ts';
import { deleteInbox } from '../core/delete-inbox.ts';

export const inboxAccessRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();

    app.put(
      '/inboxes/:id/access',
      {
        schema: {
          tags: ['inboxes'],
          summary: 'Set who has access to an inbox (admins; audited)',
          description:
            '"everyone" (the default for every inbox): every user of the account can see and act in the inbox. ' +
            '"specific": only the listed users and the members of the listed teams can act in it; super admins and admins who are ' +
            'not listed can still view its conversations but get 403 `view_only` on any action; other users get 404 and never see it in lists, counts, search or events. ' +
            'userIds and teamIds are only allowed with "specific".',
          params: IdParams,
          body: z.strictObject({
            access: inboxAccess,
            userIds: z.array(id).max(1000).default([]),
            teamIds: z.array(id).max(500).default([]),
          }),
          response: { 200: Inbox },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await deps.run(actor, (ctx) => setInboxAccess(ctx, { inboxId: request.params.id, ...request.body }));
        return loadInboxView(deps.store.db, actor.user, request.params.id);
      },
    );

    app.delete(
      '/inboxes/:id',
      {
        schema: {
          tags: ['inboxes'],
          summary: 'Delete a non-default inbox (admins; audited)',
          description:
            'The inbox, its channels (and their addresses: mail to them is then refused) and its automation and ticket settings are deleted. ' +
            'Its conversations are kept: they move, with their messages, notes, activity and tickets, to the account’s default inbox, and email ' +
            'conversations are answered from the default inbox’s fallback email address from then on. The default inbox cannot be deleted (409 `conflict`).',
          params: IdParams,
          response: { 200: z.object({ inboxId: id, movedTo: id, movedConversations: z.number().int() }) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        return deps.run(actor, (ctx) => deleteInbox(ctx, { inboxId: request.params.id }));
      },
    );
  };
