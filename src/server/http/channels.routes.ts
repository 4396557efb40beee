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
import { presentChannel } from './presenters.ts';
import { IdParams } from './inboxes.routes.ts';

export const channelRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

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
      const email = await db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channel.id).executeTakeFirst();
      return presentChannel(channel, email);
    });
  };
