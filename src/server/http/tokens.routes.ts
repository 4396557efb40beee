// /tokens: API tokens for scripts and integrations. A user creates tokens for themselves (the
// secret is shown once), lists their own (admins may list anyone's in the account) and revokes.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { ApiToken, id } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './pagination.ts';
import { presentApiToken } from './presenters.ts';
import { IdParams } from './inboxes.routes.ts';
import { createApiToken, revokeApiToken } from '../core/api-tokens.ts';
import { forbidden } from '../core/errors.ts';
import { isAdmin } from '../core/policies.ts';

export const tokenRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.post(
      '/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Create an API token for yourself; the secret `token` is shown only in this response',
          body: z.strictObject({ name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters') }),
          response: { 201: ApiToken.extend({ token: z.string() }) },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { token, row } = await deps.run(actor, (ctx) => createApiToken(ctx, { name: request.body.name }));
        return reply.status(201).send({ ...presentApiToken(row), token });
      },
    );

    app.get(
      '/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Your API tokens, newest first (admins: `userId` lists another user’s); secrets are never shown again',
          querystring: z.strictObject({ ...pageQuery, userId: id.optional() }),
          response: { 200: pageSchema(ApiToken) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const userId = request.query.userId ?? actor.user.id;
        if (userId !== actor.user.id && !isAdmin(actor.user.role)) throw forbidden('Only admins can list other users’ tokens');
        const { limit } = request.query;
        const after = decodeCursor(request.query.cursor);
        let q = db.selectFrom('api_tokens').selectAll().where('account_id', '=', actor.account.id).where('user_id', '=', userId);
        if (after) q = q.where('id', '<', after[1]);
        const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
        const page = pageOf(rows, limit, (t) => [t.id, t.id]);
        return { items: page.items.map(presentApiToken), nextCursor: page.nextCursor };
      },
    );

    app.delete(
      '/tokens/:id',
      { schema: { tags: ['tokens'], summary: 'Revoke a token (yours, or any in the account for admins); it stops working at once', params: IdParams, response: { 204: z.null() } } },
      async (request, reply) => {
        const actor = actorOf(request);
        await deps.run(actor, (ctx) =>
          revokeApiToken(ctx, { tokenId: request.params.id, userId: actor.user.id, isAdmin: isAdmin(actor.user.role), accountId: actor.account.id }),
        );
        return reply.status(204).send(null);
      },
    );
  };
