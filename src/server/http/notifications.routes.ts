// /notifications: the caller's in-app notifications (assigned to you, @mentioned, a followed
// conversation got a reply), newest first; unread count; mark one or all read. Notifications
// about conversations in inboxes the caller can no longer see are left out.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Deps } from '../deps.ts';
import type { Database } from '../db/schema.ts';
import { Notification } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { IdParams } from './inboxes.routes.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { inboxScope, type InboxScope } from '../core/inbox-access.ts';
import { notFound } from '../core/errors.ts';
import { presentNotification } from './workflow-presenters.ts';

const tags = ['notifications'];

function mine(db: Kysely<Database>, userId: string, scope: InboxScope) {
  let q = db
    .selectFrom('notifications as n')
    .leftJoin('conversations as c', 'c.id', 'n.conversation_id')
    .leftJoin('users as a', 'a.id', 'n.actor_user_id')
    .selectAll('n')
    .select(['c.number', 'c.subject', 'c.inbox_id', 'a.first_name', 'a.last_name'])
    .where('n.user_id', '=', userId);
  if (!scope.all) {
    const visible = scope.inboxIds;
    q = q.where((eb) => eb.or([eb('n.conversation_id', 'is', null), ...(visible.length ? [eb('c.inbox_id', 'in', visible)] : [])]));
  }
  return q;
}

export const notificationRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.get(
      '/notifications',
      {
        schema: { tags, summary: 'The caller’s notifications, newest first; unread=true for unread only', querystring: z.strictObject({ ...pageQuery, unread: z.enum(['true', 'false']).optional() }), response: { 200: pageSchema(Notification) } },
      },
      async (request) => {
        const actor = actorOf(request);
        const { limit, unread } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = mine(db, actor.user.id, await inboxScope(db, actor.user));
        if (unread === 'true') q = q.where('n.read_at', 'is', null);
        if (after) {
          const [at, lastId] = [String(after[0]), after[1]];
          q = q.where((eb) => eb.or([eb('n.created_at', '<', at), eb.and([eb('n.created_at', '=', at), eb('n.id', '<', lastId)])]));
        }
        const rows = await q.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (n) => [n.created_at, n.id]);
        return { items: page.items.map(presentNotification), nextCursor: page.nextCursor };
      },
    );

    app.get('/notifications/unread-count', { schema: { tags, summary: 'How many notifications are unread', response: { 200: z.object({ count: z.number().int() }) } } }, async (request) => {
      const actor = actorOf(request);
      const row = await mine(db, actor.user.id, await inboxScope(db, actor.user))
        .clearSelect()
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('n.read_at', 'is', null)
        .executeTakeFirstOrThrow();
      return { count: Number(row.n) };
    });

    app.post('/notifications/:id/read', { schema: { tags, summary: 'Mark one notification read', params: IdParams, response: { 200: Notification } } }, async (request) => {
      const actor = actorOf(request);
      const n = await db.selectFrom('notifications').select(['id', 'read_at']).where('id', '=', request.params.id).where('user_id', '=', actor.user.id).executeTakeFirst();
      if (!n) throw notFound('Notification');
      if (!n.read_at) await db.updateTable('notifications').set({ read_at: new Date().toISOString() }).where('id', '=', n.id).execute();
      const row = await mine(db, actor.user.id, { all: true, inboxIds: [], rights: new Map() }).where('n.id', '=', n.id).executeTakeFirstOrThrow();
      return presentNotification(row);
    });

    app.post('/notifications/read-all', { schema: { tags, summary: 'Mark every notification read', response: { 200: z.object({ count: z.number().int() }) } } }, async (request) => {
      const actor = actorOf(request);
      const res = await db.updateTable('notifications').set({ read_at: new Date().toISOString() }).where('user_id', '=', actor.user.id).where('read_at', 'is', null).executeTakeFirst();
      return { count: Number(res.numUpdatedRows) };
    });
  };
