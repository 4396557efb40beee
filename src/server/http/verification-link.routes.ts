// The public pages behind the links Parley mails to prove an address (core/verification-links.ts):
// /verify-from-address (a custom From address) and /verify-team-address (a connected team
// address). Public, since whoever reads the address's mail may have no Parley login. Opening a
// link (GET) only shows which account asks for what; its Confirm button (a POST) confirms. Mail
// scanners open links on their own, and a GET that confirmed would let one prove ownership for
// whoever asked.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Ctx, SystemActor } from '../core/context.ts';
import type { VerificationPurpose } from '../db/schema.ts';
import { DomainError } from '../core/errors.ts';
import { escapeHtml } from '../core/sender.ts';
import { describeLink } from '../core/verification-links.ts';
import { confirmFromAddress } from '../core/verify-from-address.ts';
import { confirmTeamAddress } from '../core/verify-team-address.ts';
import { linkPage } from './link-page.ts';

const Token = z.object({ token: z.string().min(10).max(200) });

interface LinkKind {
  path: string;
  purpose: VerificationPurpose;
  confirm: (ctx: Ctx<SystemActor>, input: { token: string }) => Promise<{ address: string }>;
  /** The confirm page's title and text. */
  ask: (address: string, accountName: string) => [string, string];
  /** What the page says once confirmed. */
  done: (address: string) => string;
}

const KINDS: LinkKind[] = [
  {
    path: '/verify-from-address',
    purpose: 'from_address',
    confirm: confirmFromAddress,
    ask: (address, accountName) => [
      `Let ${accountName} send email from ${address}?`,
      `The Parley account "${accountName}" asks to send its replies from ${address}. Confirm only if ${address} belongs to ${accountName}.`,
    ],
    done: (address) => `${address} is verified. Replies from the inbox can now be sent from this address.`,
  },
  {
    path: '/verify-team-address',
    purpose: 'team_address',
    confirm: confirmTeamAddress,
    ask: (address, accountName) => [
      `Deliver mail for ${address} to ${accountName}?`,
      `The Parley account "${accountName}" asks that email sent to ${address} be delivered to its shared inbox. Confirm only if ${address} belongs to ${accountName}.`,
    ],
    done: (address) => `${address} is verified. Email sent to it is now delivered to the shared inbox.`,
  },
];

export const verificationLinkRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    // The confirm button posts an HTML form; only these pages take one.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    const unusable = (reply: { status(code: number): unknown }, err: unknown): string => {
      if (!(err instanceof DomainError)) throw err;
      reply.status(err.code === 'not_found' ? 404 : 409);
      return linkPage('This link cannot be used', err.code === 'not_found' ? 'The verification link is not valid.' : err.message);
    };

    for (const kind of KINDS) {
      const system = { kind: 'system', accountId: null, reason: kind.path.slice(1) } as const;

      app.get(kind.path, { config: { public: true }, schema: { hide: true, querystring: Token } }, async (request, reply) => {
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
        try {
          const { address, accountName } = await deps.run(system, (ctx) => describeLink(ctx, request.query.token, kind.purpose));
          const form = `<form method="post" action="${kind.path}"><input type="hidden" name="token" value="${escapeHtml(request.query.token)}"><button type="submit">Confirm</button></form>`;
          return linkPage(...kind.ask(address, accountName), form);
        } catch (err) {
          return unusable(reply, err);
        }
      });

      app.post(kind.path, { config: { public: true }, schema: { hide: true, body: Token } }, async (request, reply) => {
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
        try {
          const { address } = await deps.run(system, (ctx) => kind.confirm(ctx, { token: request.body.token }));
          return linkPage('Address verified', kind.done(address));
        } catch (err) {
          return unusable(reply, err);
        }
      });
    }
  };
