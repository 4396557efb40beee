// /inboxes/{id}/channels and /channels/{id}: the channels connected to an inbox.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Channel } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { loadInboxView } from './inbox-view.ts';
import { rightInInbox, requireRight } from '../core/inbox-access.ts';
import { notFound } from '../core/errors.ts';
import { channelView } from './channel-view.ts';
import { IdParams } from './inboxes.routes.ts';
import { updateChannel } from '../core/update-channel.ts';
import { emailSettingsRefiner } from '../core/email-settings.ts';

const ChannelPatchBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  enabled: z.boolean().optional(),
  email: z
    .strictObject({
      useForSending: z.boolean().optional(),
      fromNameMode: z.enum(['agent_and_company', 'company']).optional(),
      companyName: z.string().trim().max(100).optional(),
      fromAddressMode: z.enum(['default', 'custom']).optional(),
      customFromAddress: z.email({ message: 'must be an email address' }).max(254).nullable().optional(),
      signatureEnabled: z.boolean().optional(),
      signatureMode: z.enum(['simple', 'html']).optional(),
      signatureHtml: z.string().max(20_000).optional(),
      originalSenderOfForwards: z.boolean().optional(),
    })
    .optional(),
});

export const channelRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;
    const refine = emailSettingsRefiner(deps.domains);

    app.get(
      '/inboxes/:id/channels',
      { schema: { tags: ['channels'], params: IdParams, response: { 200: z.object({ items: z.array(Channel), nextCursor: z.null() }) } } },
      async (request) => ({ items: (await loadInboxView(db, actorOf(request).user, request.params.id)).channels, nextCursor: null }),
    );

    app.get('/channels/:id', { schema: { tags: ['channels'], params: IdParams, response: { 200: Channel } } }, async (request) => {
      const actor = actorOf(request);
      const channel = await db.selectFrom('channels').selectAll().where('id', '=', request.params.id).where('account_id', '=', actor.account.id).executeTakeFirst();
      if (!channel) throw notFound('Channel');
      requireRight(await rightInInbox(db, actor.user, channel.inbox_id), 'view', 'Channel');
      return channelView(db, channel);
    });
  
    app.patch(
      '/channels/:id',
      {
        schema: {
          tags: ['channels'],
          summary: 'Turn a channel on or off, or change its email settings (admins only)',
          params: IdParams,
          body: ChannelPatchBody,
          response: { 200: Channel },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await deps.run(actor, (ctx) => updateChannel(ctx, { channelId: request.params.id, patch: request.body }, refine));
        const channel = await db.selectFrom('channels').selectAll().where('id', '=', request.params.id).executeTakeFirstOrThrow();
        return channelView(db, channel);
      },
    );
  };
