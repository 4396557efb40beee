// Verifying a connected team address over HTTP: POST /channels/{id}/verify-team-address mails the
// link (an admin, signed in), and the public /verify-team-address page behind that link. The page
// only confirms on its button's POST: mail scanners open links on their own, and a GET that
// confirmed would let one prove ownership for whoever asked.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { actorOf } from './auth.ts';
import { IdParams } from './inboxes.routes.ts';
import { DomainError } from '../core/errors.ts';
import { escapeHtml } from '../core/sender.ts';
import { confirmTeamAddress, describeTeamAddressLink, requestTeamAddressVerification } from '../core/verify-team-address.ts';
import { linkPage } from './link-page.ts';

const Token = z.object({ token: z.string().min(10).max(200) });

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

/** The page behind the link in the mail; public (whoever reads the address's mail may have no Parley login). */
export const teamAddressLinkRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    // The confirm button posts an HTML form; only this page takes one.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    const system = { kind: 'system', accountId: null, reason: 'verify-team-address' } as const;
    const unusable = (reply: { status(code: number): unknown }, err: unknown): string => {
      if (!(err instanceof DomainError)) throw err;
      reply.status(err.code === 'not_found' ? 404 : 409);
      return linkPage('This link cannot be used', err.code === 'not_found' ? 'The verification link is not valid.' : err.message);
    };

    app.get('/verify-team-address', { config: { public: true }, schema: { hide: true, querystring: Token } }, async (request, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
      try {
        const { address, accountName } = await deps.run(system, (ctx) => describeTeamAddressLink(ctx, { token: request.query.token }));
        const form = `<form method="post" action="/verify-team-address"><input type="hidden" name="token" value="${escapeHtml(request.query.token)}"><button type="submit">Confirm</button></form>`;
        return linkPage(
          `Deliver mail for ${address} to ${accountName}?`,
          `The Parley account "${accountName}" asks that email sent to ${address} be delivered to its shared inbox. Confirm only if ${address} belongs to ${accountName}.`,
          form,
        );
      } catch (err) {
        return unusable(reply, err);
      }
    });

    app.post('/verify-team-address', { config: { public: true }, schema: { hide: true, body: Token } }, async (request, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
      try {
        const { address } = await deps.run(system, (ctx) => confirmTeamAddress(ctx, { token: request.body.token }));
        return linkPage('Address verified', `${address} is verified. Email sent to it is now delivered to the shared inbox.`);
      } catch (err) {
        return unusable(reply, err);
      }
    });
  };
