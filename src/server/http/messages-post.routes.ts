// Email out over HTTP: POST /conversations/{id}/messages (reply or internal note), POST
// /messages/{id}/retry, the sender preview (GET, or POST with unsaved settings for the live
// preview), POST /channels/{id}/verify-from-address (the link's page is in verification-link.routes.ts).
// Thin: validate, store attachment bytes durably, call the use case, present.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { MESSAGE_BODY_MAX_CHARS, Message, SenderPreview } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { presentMessage } from './presenters.ts';
import { IdParams } from './inboxes.routes.ts';
import { rightInInbox, requireRight } from '../core/inbox-access.ts';
import { invalid, notFound } from '../core/errors.ts';
import { replyToConversation, retryMessage, type StoredAttachment } from '../core/reply-to-conversation.ts';
import { emailSettingsRefiner, previewSender, sanitizeSignature } from '../core/email-settings.ts';
import { requestFromAddressVerification } from '../core/verify-from-address.ts';
import { accountMailDomain } from '../core/mail-addresses.ts';
import { BlobStore } from '../blobs/blob-store.ts';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const MAX_ATTACHMENTS = 10;

const Address = z.strictObject({ address: z.string().trim().min(3).max(254), name: z.string().max(200).optional() });

const ReplyBody = z.strictObject({
  body: z.string().max(MESSAGE_BODY_MAX_CHARS),
  bodyHtml: z.string().max(300_000).optional(),
  kind: z.enum(['message', 'note']).default('message'),
  cc: z.array(Address).max(50).optional(),
  bcc: z.array(Address).max(50).optional(),
  attachments: z
    .array(
      z.strictObject({
        filename: z.string().trim().min(1).max(200),
        contentType: z.string().max(255).regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i, 'must be a MIME type such as application/pdf'),
        contentBase64: z.base64({ message: 'must be base64' }),
      }),
    )
    .max(MAX_ATTACHMENTS)
    .optional(),
});

const UnsavedSettings = z.strictObject({
  fromNameMode: z.enum(['agent_and_company', 'company']).optional(),
  companyName: z.string().max(100).optional(),
  fromAddressMode: z.enum(['default', 'custom']).optional(),
  customFromAddress: z.string().max(254).nullable().optional(),
  signatureEnabled: z.boolean().optional(),
  signatureHtml: z.string().max(20_000).optional(),
});

export const messagePostRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;
    const blobs = new BlobStore(deps.config.dataDir);
    const refine = emailSettingsRefiner(deps.domains);

    app.post(
      '/conversations/:id/messages',
      {
        bodyLimit: Math.ceil(MAX_ATTACHMENT_BYTES * 1.4) + 512 * 1024,
        schema: {
          tags: ['conversations'],
          summary: 'Reply to the contact by email (kind "message", sent through the outbox) or add an internal note (kind "note")',
          params: IdParams,
          body: ReplyBody,
          response: { 201: Message },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { body, bodyHtml, kind, cc, bcc } = request.body;
        const stored: StoredAttachment[] = [];
        let total = 0;
        for (const [i, a] of (request.body.attachments ?? []).entries()) {
          const bytes = Buffer.from(a.contentBase64, 'base64');
          total += bytes.length;
          if (total > MAX_ATTACHMENT_BYTES) throw invalid(`attachments.${i}`, `Attachments may total at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`);
          // Durable before the row that points at it is committed; content-addressed, so a failed
          // request leaves at most an unreferenced blob, never a row without bytes.
          const blob = await blobs.put(bytes);
          stored.push({ filename: a.filename, contentType: a.contentType.toLowerCase(), size: blob.size, sha256: blob.sha256, storageKey: blob.key });
        }
        const message = await deps.run(actor, (ctx) =>
          replyToConversation(ctx, { conversationId: request.params.id, kind, body, bodyHtml: bodyHtml ? sanitizeSignature(bodyHtml) : null, cc, bcc, attachments: stored }, deps.domains),
        );
        const attachments = await db.selectFrom('attachments').selectAll().where('message_id', '=', message.id).execute();
        return reply.status(201).send(presentMessage(message, attachments));
      },
    );

    app.post(
      '/messages/:id/retry',
      { schema: { tags: ['conversations'], summary: 'Send a failed email again', params: IdParams, response: { 200: Message } } },
      async (request) => {
        const message = await deps.run(actorOf(request), (ctx) => retryMessage(ctx, { messageId: request.params.id }));
        const attachments = await db.selectFrom('attachments').selectAll().where('message_id', '=', message.id).execute();
        return presentMessage(message, attachments);
      },
    );

    const preview = async (actor: ReturnType<typeof actorOf>, channelId: string, unsaved: z.infer<typeof UnsavedSettings>) => {
      const channel = await db.selectFrom('channels').selectAll().where('id', '=', channelId).where('account_id', '=', actor.account.id).executeTakeFirst();
      if (!channel) throw notFound('Channel');
      requireRight(await rightInInbox(db, actor.user, channel.inbox_id), 'view', 'Channel');
      const email = await db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channel.id).executeTakeFirst();
      if (!email) throw invalid('email', 'This channel has no email settings');
      return previewSender(
        email,
        unsaved,
        { firstName: actor.user.first_name, lastName: actor.user.last_name, email: actor.user.email },
        { companyName: actor.account.company_name, mailDomain: accountMailDomain(actor.account.subdomain, actor.account.plan, deps.domains) },
      );
    };

    app.get(
      '/channels/:id/preview',
      { schema: { tags: ['channels'], summary: 'The From name, From address and signature a contact sees in your replies', params: IdParams, response: { 200: SenderPreview } } },
      async (request) => preview(actorOf(request), request.params.id, {}),
    );

    app.post(
      '/channels/:id/preview',
      {
        schema: {
          tags: ['channels'],
          summary: 'The same preview for settings not saved yet (the Configuration tab’s live preview)',
          params: IdParams,
          body: UnsavedSettings,
          response: { 200: SenderPreview },
        },
      },
      async (request) => preview(actorOf(request), request.params.id, request.body),
    );

    app.post(
      '/channels/:id/verify-from-address',
      {
        schema: {
          tags: ['channels'],
          summary: 'Mail a one-time link (valid 24 hours) to the custom From address; it is used once the link is confirmed',
          params: IdParams,
          body: z.strictObject({ address: z.string().trim().max(254).optional() }),
          response: { 202: z.object({ address: z.string(), expiresAt: z.string() }) },
        },
      },
      async (request, reply) => {
        const result = await deps.run(actorOf(request), (ctx) => requestFromAddressVerification(ctx, { channelId: request.params.id, address: request.body.address }, refine));
        return reply.status(202).send(result);
      },
    );
  };
