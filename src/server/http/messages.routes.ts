// Downloads for inbound email: the raw .eml of a message and each attachment. Both are access-
// checked through the message's inbox, and served as downloads that a browser will neither
// render nor run: Content-Disposition attachment, nosniff, and a CSP that sandboxes anything
// opened anyway (an HTML or SVG attachment is attacker-controlled content on our origin).
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from '../deps.ts';
import { actorOf } from './auth.ts';
import { IdParams } from './inboxes.routes.ts';
import { rightInInbox, requireRight } from '../core/inbox-access.ts';
import { notFound } from '../core/errors.ts';
import { blobStore } from '../blobs/blob-store.ts';

/** RFC 6266 filename and filename* (RFC 5987) so any name survives, quoted safely. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function downloadHeaders(reply: FastifyReply, filename: string, contentType: string, size: number): FastifyReply {
  return reply
    .header('content-disposition', contentDisposition(filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .header('content-length', String(size))
    .type(contentType);
}

export const messageRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;
    const blobs = blobStore(deps.config.dataDir);

    app.get(
      '/messages/:id/raw',
      { schema: { tags: ['messages'], summary: 'The message as received (.eml), as a download', params: IdParams } },
      async (request, reply) => {
        const actor = actorOf(request);
        const m = await db
          .selectFrom('messages')
          .select(['id', 'inbox_id', 'raw_key', 'raw_inline'])
          .where('id', '=', request.params.id)
          .where('account_id', '=', actor.account.id)
          .executeTakeFirst();
        if (!m) throw notFound('Message');
        requireRight(await rightInInbox(db, actor.user, m.inbox_id), 'view', 'Message');
        const bytes = m.raw_inline
          ? (await db.selectFrom('message_raws').select('bytes').where('message_id', '=', m.id).executeTakeFirst())?.bytes
          : m.raw_key
            ? await blobs.read(m.raw_key)
            : undefined;
        if (!bytes) throw notFound('Raw message');
        return downloadHeaders(reply, `message-${m.id}.eml`, 'message/rfc822', bytes.length).send(bytes);
      },
    );

    app.get(
      '/attachments/:id',
      { schema: { tags: ['messages'], summary: 'An attachment, as a download', params: IdParams } },
      async (request, reply) => {
        const actor = actorOf(request);
        const a = await db
          .selectFrom('attachments')
          .innerJoin('messages', 'messages.id', 'attachments.message_id')
          .select(['attachments.id', 'attachments.filename', 'attachments.content_type', 'attachments.storage_key', 'messages.inbox_id'])
          .where('attachments.id', '=', request.params.id)
          .where('attachments.account_id', '=', actor.account.id)
          .executeTakeFirst();
        if (!a) throw notFound('Attachment');
        requireRight(await rightInInbox(db, actor.user, a.inbox_id), 'view', 'Attachment');
        const bytes = await blobs.read(a.storage_key);
        // The stored type is the sender's claim; only well-formed type/subtype values are echoed.
        const type = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(a.content_type) ? a.content_type : 'application/octet-stream';
        return downloadHeaders(reply, a.filename, type, bytes.length).send(bytes);
      },
    );
  };
