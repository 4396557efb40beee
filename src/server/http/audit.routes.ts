// GET /audit-log: every settings change in the account (who, when, what, old and new values),
// newest first with keyset pagination. Admins only: the log names users and their changes.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { AuditEntry } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { presentAuditEntry } from './presenters.ts';
import { forbidden } from '../core/errors.ts';
import { canManageSettings } from '../core/policies.ts';

export const auditRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.get(
      '/audit-log',
      {
        schema: {
          tags: ['audit'],
          summary: 'Settings changes, newest first (admins only)',
          description:
            'Each entry says who (actor, null for the system or the CLI), when (createdAt), what (action, subjectType, subjectId) and how: ' +
            '`changes` maps each changed field to `{"from": old, "to": new}` (`from` is null for creations). Keyset pagination with `limit` and `cursor`.',
          querystring: z.strictObject({ ...pageQuery, subjectId: z.string().max(100).optional() }),
          response: { 200: pageSchema(AuditEntry) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        if (!canManageSettings(actor.user.role)) throw forbidden('Only admins can read the audit log');
        const { limit, subjectId } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = db.selectFrom('audit_log').selectAll().where('account_id', '=', actor.account.id);
        if (subjectId) q = q.where('subject_id', '=', subjectId);
        if (after) {
          const [at, lastId] = [String(after[0]), after[1]];
          q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', lastId)])]));
        }
        const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (a) => [a.created_at, a.id]);
        const actorIds = [...new Set(page.items.flatMap((a) => (a.actor_user_id ? [a.actor_user_id] : [])))];
        const users = actorIds.length ? await db.selectFrom('users').select(['id', 'first_name', 'last_name', 'email']).where('id', 'in', actorIds).execute() : [];
        const byId = new Map(users.map((u) => [u.id, u]));
        return { items: page.items.map((a) => presentAuditEntry(a, a.actor_user_id ? byId.get(a.actor_user_id) : undefined)), nextCursor: page.nextCursor };
      },
    );
  };
