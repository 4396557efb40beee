// POST /inboxes/{id}/channels: connect the team's own mailbox to an inbox (seed: "Connect a
// channel" > team email). Validate, authorise, test the IMAP (and SMTP) login with a short
// timeout, and only then save: a wrong password or an unreachable host answers a clear error and
// leaves nothing behind. /channels/{id}/connection reads and changes a connected mailbox's
// settings by the same rule; DELETE /channels/{id} disconnects it.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Channel } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { channelView } from './channel-view.ts';
import { IdParams } from './inboxes.routes.ts';
import { checkConnectable, connectEmailChannel, requireUnreadMailbox } from '../core/connect-email-channel.ts';
import { secretKey } from '../core/secrets.ts';
import { testImapLogin, testSmtpLogin } from '../mail/connection-tests.ts';
import { disconnectEmailChannel, readEmailConnection, resolveConnectionEdit, updateEmailConnection } from '../core/manage-email-connection.ts';

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

const ServerShown = MailServer.omit({ password: true });
const ServerEdit = MailServer.extend({ password: MailServer.shape.password.optional() });

const Connection = z.object({ teamAddress: z.string(), imap: ServerShown, smtp: ServerShown.nullable() });

const ConnectionEdit = z.strictObject({
  imap: ServerEdit,
  /** Absent: keep the saved SMTP server; null: send through Parley's relay. */
  smtp: ServerEdit.nullable().optional(),
});

/** IPv6 literals may be typed in brackets; the connection takes the bare address. */
const unbracket = <T extends { host: string }>(s: T): T => ({ ...s, host: s.host.replace(/^\[|\]$/g, '') });

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
        const imap = unbracket(body.imap);
        const smtp = body.smtp ? unbracket(body.smtp) : null;
        // Authorise before we open any connection on the caller's behalf.
        await checkConnectable(deps.store.db, actor, { inboxId: request.params.id, teamAddress: body.teamAddress }, deps.domains);
        const key = secretKey(deps.config);
        await requireUnreadMailbox(deps.store.db, actor.account.id, imap, key);
        const probeOpts = { allowPrivate: deps.config.allowPrivateMailHosts, timeoutMs: LOGIN_TEST_TIMEOUT_MS };
        const imapStart = await testImapLogin(imap, probeOpts);
        if (smtp) await testSmtpLogin(smtp, probeOpts);
        const created = await deps.run(actor, (ctx) =>
          connectEmailChannel(ctx, { inboxId: request.params.id, teamAddress: body.teamAddress, imap, smtp, imapStart }, { domains: deps.domains, secretKey: key }),
        );
        return reply.status(201).send(await channelView(deps.store.db, created.channel));
      },
    );

    app.get(
      '/channels/:id/connection',
      {
        schema: {
          tags: ['channels'],
          summary: "A connected team mailbox's IMAP and SMTP settings, without the passwords (admins only)",
          params: IdParams,
          response: { 200: Connection },
        },
      },
      async (request) => readEmailConnection(deps.store.db, actorOf(request), request.params.id, secretKey(deps.config)),
    );

    app.put(
      '/channels/:id/connection',
      {
        schema: {
          tags: ['channels'],
          summary:
            "Change a connected team mailbox's settings after testing the logins (admins only). Leave a password out to keep the saved one (only while the server and user stay the same). The same mailbox keeps its place; another mailbox is read from now on.",
          params: IdParams,
          body: ConnectionEdit,
          response: { 200: Connection },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const key = secretKey(deps.config);
        const body = request.body;
        const edit = { imap: unbracket(body.imap), smtp: body.smtp ? unbracket(body.smtp) : body.smtp };
        // Authorise and fill in kept passwords before we open any connection on the caller's behalf.
        const full = await resolveConnectionEdit(deps.store.db, actor, request.params.id, edit, key);
        const probeOpts = { allowPrivate: deps.config.allowPrivateMailHosts, timeoutMs: LOGIN_TEST_TIMEOUT_MS };
        const imapStart = await testImapLogin(full.imap, probeOpts);
        if (full.smtp) await testSmtpLogin(full.smtp, probeOpts);
        await deps.run(actor, (ctx) => updateEmailConnection(ctx, { channelId: request.params.id, ...full, imapStart }, key));
        return readEmailConnection(deps.store.db, actor, request.params.id, key);
      },
    );

    app.delete(
      '/channels/:id',
      {
        schema: {
          tags: ['channels'],
          summary:
            "Disconnect a connected team mailbox (admins only). Its conversations stay in the inbox and are answered from the inbox's fallback address; mail to its addresses is refused from now on. The fallback email channel cannot be removed (turn it off instead).",
          params: IdParams,
          response: { 200: z.object({ movedConversations: z.number().int() }) },
        },
      },
      async (request) => deps.run(actorOf(request), (ctx) => disconnectEmailChannel(ctx, { channelId: request.params.id }, secretKey(deps.config))),
    );
  };
