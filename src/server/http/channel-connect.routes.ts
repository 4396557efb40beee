// POST /inboxes/{id}/channels: connect the team's own mailbox to an inbox (seed: "Connect a
// channel" > team email). Validate, authorise, test the IMAP (and SMTP) login with a short
// timeout, and only then save: a wrong password or an unreachable host answers a clear error and
// leaves nothing behind.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Channel } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { presentChannel } from './presenters.ts';
import { IdParams } from './inboxes.routes.ts';
import { checkConnectable, connectEmailChannel } from '../core/connect-email-channel.ts';
import { secretKey } from '../core/secrets.ts';
import { testImapLogin, testSmtpLogin } from '../mail/connection-tests.ts';

/** How long each phase of a login test may take before we call the server unreachable. */
const LOGIN_TEST_TIMEOUT_MS = 10_000;

const MailServer = z.strictObject({
  host: z
    .string()
    .trim()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:\-\[\]]+$/, 'must be a host name or an IP address'),
  port: z.number().int().min(1).max(65535),
  tls: z.boolean(),
  user: z.string().min(1).max(320),
  password: z.string().min(1).max(1000),
});

const ConnectBody = z.strictObject({
  type: z.literal('email'),
  teamAddress: z.email({ message: 'must be an email address' }).max(254),
  imap: MailServer,
  smtp: MailServer.nullable().optional(),
});

export const channelConnectRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/inboxes/:id/channels',
      {
        schema: {
          tags: ['channels'],
          summary: "Connect the team's own mailbox over IMAP (and its SMTP server for sending), after testing the logins (admins only)",
          params: IdParams,
          body: ConnectBody,
          response: { 201: Channel },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body;
        const strip = (s: z.infer<typeof MailServer>) => ({ ...s, host: s.host.replace(/^\[|\]$/g, '') });
        const imap = strip(body.imap);
        const smtp = body.smtp ? strip(body.smtp) : null;
        // Authorise before we open any connection on the caller's behalf.
        await checkConnectable(deps.store.db, actor, { inboxId: request.params.id, teamAddress: body.teamAddress }, deps.domains);
        const probeOpts = { allowPrivate: deps.config.allowPrivateMailHosts, timeoutMs: LOGIN_TEST_TIMEOUT_MS };
        const imapStart = await testImapLogin(imap, probeOpts);
        if (smtp) await testSmtpLogin(smtp, probeOpts);
        const key = secretKey(deps.config);
        const created = await deps.run(actor, (ctx) =>
          connectEmailChannel(ctx, { inboxId: request.params.id, teamAddress: body.teamAddress, imap, smtp, imapStart }, { domains: deps.domains, secretKey: key }),
        );
        return reply.status(201).send(presentChannel(created.channel, created.email));
      },
    );
  };
