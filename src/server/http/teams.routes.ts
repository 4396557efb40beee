// /teams: list and get for everyone; create, rename and set members for admins.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { Team, id } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { presentTeam } from './presenters.ts';
import { createTeam } from '../core/create-team.ts';
import { updateTeam } from '../core/update-team.ts';
import { notFound } from '../core/errors.ts';
import { IdParams } from './inboxes.routes.ts';

async function withMembers(db: Kysely<Database>, teams: Row<'teams'>[]) {
  if (teams.length === 0) return [];
  const members = await db.selectFrom('team_members').select(['team_id', 'user_id']).where('team_id', 'in', teams.map((t) => t.id)).execute();
  return teams.map((t) => presentTeam(t, members.filter((m) => m.team_id === t.id).map((m) => m.user_id)));
}

export const teamRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.get('/teams', { schema: { tags: ['teams'], response: { 200: z.object({ items: z.array(Team), nextCursor: z.null() }) } } }, async (request) => {
      const rows = await db.selectFrom('teams').selectAll().where('account_id', '=', actorOf(request).account.id).orderBy('name').execute();
      return { items: await withMembers(db, rows), nextCursor: null };
    });

    app.get('/teams/:id', { schema: { tags: ['teams'], params: IdParams, response: { 200: Team } } }, async (request) => {
      const row = await db.selectFrom('teams').selectAll().where('id', '=', request.params.id).where('account_id', '=', actorOf(request).account.id).executeTakeFirst();
      if (!row) throw notFound('Team');
      const [team] = await withMembers(db, [row]);
      return team!;
    });

    app.post(
      '/teams',
      {
        schema: {
          tags: ['teams'],
          summary: 'Create a team (admins only)',
          body: z.strictObject({ name: z.string().trim().min(1).max(100), memberIds: z.array(id).max(1000).default([]) }),
          response: { 201: Team },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const team = await deps.run(actor, (ctx) => createTeam(ctx, request.body));
        const [view] = await withMembers(db, [team]);
        return reply.status(201).send(view!);
      },
    );

    app.patch(
      '/teams/:id',
      {
        schema: {
          tags: ['teams'],
          summary: 'Rename a team or set its members (admins only)',
          params: IdParams,
          body: z.strictObject({ name: z.string().trim().min(1).max(100).optional(), memberIds: z.array(id).max(1000).optional() }),
          response: { 200: Team },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const team = await deps.run(actor, (ctx) => updateTeam(ctx, { ...request.body, teamId: request.params.id }));
        const [view] = await withMembers(db, [team]);
        return view!;
      },
    );
  };
