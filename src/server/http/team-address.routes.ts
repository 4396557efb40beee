// Verifying a connected team address over HTTP: POST /channels/{id}/verify-team-address mails the
// link (an admin, signed in); the public page behind that link is in verification-link.routes.ts.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { actorOf } from './auth.ts';
import { IdParams } from './inboxes.routes.ts';
import { requestTeamAddressVerification } from '../core/verify-team-address.ts';

export const teamAddressRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/channels/:id/verify-team-address',
      {
        schema: {
          tags: ['channels'],
          summary: 'Mail a one-time link (valid 24 hours) to the team address; SMTP mail to the address is delivered here once the link is confirmed',
          params: IdParams,
          response: { 202: z.object({ address: z.string(), expiresAt: z.string() }) },
        },
      },
      async (request, reply) => {
        const result = await deps.run(actorOf(request), (ctx) => requestTeamAddressVerification(ctx, { channelId: request.params.id }));
        return reply.status(202).send(result);
      },
    );
  };
