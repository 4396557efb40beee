// /users: the account's users (everyone may list them, for assignment); admins add and change
// users; everyone changes their own name and availability (PATCH /users/{id} or PATCH /me).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { User, availability, id, role, seat } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { presentUser } from './presenters.ts';
import { teamIdsByUser, teamIdsOf } from './user-view.ts';
import { createUser } from '../core/create-user.ts';
import { updateUser } from '../core/update-user.ts';
import { notFound } from '../core/errors.ts';
import { deactivateUser, reactivateUser } from '../core/deactivate-user.ts';
import { IdParams } from './inboxes.routes.ts';

const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const SelfPatch = { firstName: name.optional(), lastName: z.string().trim().max(100, 'must be at most 100 characters').optional(), availability: availability.optional() };
const UserPatch = z.strictObject({ ...SelfPatch, role: role.optional(), seat: seat.optional(), teamIds: z.array(id).max(100).optional() });

export const userRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.get(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Users of the account, oldest first; deactivated users only with `deactivated=include`',
          querystring: z.strictObject({ ...pageQuery, deactivated: z.enum(['exclude', 'include']).default('exclude') }),
          response: { 200: pageSchema(User) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { limit, deactivated } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = db.selectFrom('users').selectAll().where('account_id', '=', actor.account.id);
        if (deactivated === 'exclude') q = q.where('deactivated_at', 'is', null);
        if (after) q = q.where('id', '>', after[1]);
        const rows = await q.orderBy('id').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (u) => [u.id, u.id]);
        const teams = await teamIdsByUser(db, page.items.map((u) => u.id));
        return { items: page.items.map((u) => presentUser(u, teams.get(u.id) ?? [])), nextCursor: page.nextCursor };
      },
    );

    app.get('/users/:id', { schema: { tags: ['users'], params: IdParams, response: { 200: User } } }, async (request) => {
      const actor = actorOf(request);
      const user = await db.selectFrom('users').selectAll().where('id', '=', request.params.id).where('account_id', '=', actor.account.id).executeTakeFirst();
      if (!user) throw notFound('User');
      return presentUser(user, await teamIdsOf(db, user.id));
    });

    app.post(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Add a user (admins only)',
          body: z.strictObject({
            email: z.email({ message: 'must be an email address' }).max(254),
            password: z.string().min(8, 'must be at least 8 characters').max(200).optional(),
            firstName: z.string().trim().max(100).optional(),
            lastName: z.string().trim().max(100).optional(),
            role: role.default('agent'),
            seat: seat.default('paid'),
            teamIds: z.array(id).max(100).default([]),
          }),
          response: { 201: User },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const user = await deps.run(actor, (ctx) => createUser(ctx, { ...request.body, accountId: actor.account.id }));
        return reply.status(201).send(presentUser(user, [...new Set(request.body.teamIds)]));
      },
    );

    app.patch(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'Change a user: admins change role, seat, teams and names; users change their own names and availability',
          params: IdParams,
          body: UserPatch,
          response: { 200: User },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const user = await deps.run(actor, (ctx) => updateUser(ctx, { ...request.body, userId: request.params.id }));
        return presentUser(user, await teamIdsOf(db, user.id));
      },
    );

    app.patch(
      '/me',
      { schema: { tags: ['users'], summary: 'Change your own first and last name and availability', body: z.strictObject(SelfPatch), response: { 200: User } } },
      async (request) => {
        const actor = actorOf(request);
        const user = await deps.run(actor, (ctx) => updateUser(ctx, { ...request.body, userId: actor.user.id }));
        return presentUser(user, await teamIdsOf(db, user.id));
      },
    );

    app.post(
      '/users/:id/deactivate',
      {
        schema: {
          tags: ['users'],
          summary:
            'Deactivate a user (admins; super admins only by super admins): they cannot sign in, their sessions end, their API tokens are revoked and their open and snoozed conversations are unassigned. Not yourself, not the last super admin.',
          params: IdParams,
          response: { 200: User },
        },
      },
      async (request) => {
        const { user } = await deps.run(actorOf(request), (ctx) => deactivateUser(ctx, { userId: request.params.id }));
        return presentUser(user, await teamIdsOf(db, user.id));
      },
    );

    app.post(
      '/users/:id/reactivate',
      { schema: { tags: ['users'], summary: 'Reactivate a deactivated user (admins): they sign in again with their old password and keep their teams and access', params: IdParams, response: { 200: User } } },
      async (request) => {
        const user = await deps.run(actorOf(request), (ctx) => reactivateUser(ctx, { userId: request.params.id }));
        return presentUser(user, await teamIdsOf(db, user.id));
      },
    );
  };
