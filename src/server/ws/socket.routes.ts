// GET /api/v1/ws: the agents' socket. Authenticates like the API (Authorization: Bearer, or the
// session cookie) plus `?token=` for clients that cannot set headers on a WebSocket; then
// `{"type":"subscribe","after":<seq>}` streams the account's events the user may see (hub.ts).
// @fastify/websocket itself is registered at the root in http/app.ts (frames capped at 4 KiB).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { actorFromApiToken } from '../core/authenticate.ts';
import { DomainError } from '../core/errors.ts';
import { createSocketHub } from './hub.ts';
import { errorBody } from '../http/errors.ts';

const ClientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('subscribe'), after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() }),
  z.strictObject({ type: z.literal('ping') }),
]);

export const socketRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const hub = createSocketHub(deps.store.db, deps.bus, deps.log);
    app.addHook('preClose', async () => hub.close());

    app.route({
      method: 'GET',
      url: '/ws',
      config: { public: true },
      schema: {
        tags: ['realtime'],
        summary: 'The agents’ WebSocket: send {"type":"subscribe","after":<seq>} and receive {"type":"event","seq",…} in order',
        querystring: z.strictObject({ token: z.string().max(200).optional() }),
      },
      preHandler: async (request) => {
        if (!request.actor && request.query.token) {
          const actor = await actorFromApiToken(deps.store.db, request.query.token);
          if (!actor) throw new DomainError('unauthenticated', 'The API token is invalid or has been revoked');
          request.actor = actor;
        }
        if (!request.actor) throw new DomainError('unauthenticated', 'Sign in or pass an API token to open the socket');
        if (request.session) checkOrigin(request, deps.config.publicUrl);
      },
      // A plain HTTP GET (no Upgrade header) gets the API's error shape instead of an empty 404.
      handler: async (_request, reply) =>
        reply.status(426).header('upgrade', 'websocket').send(errorBody('upgrade_required', 'This endpoint is a WebSocket: connect with an Upgrade: websocket request')),
      wsHandler: (socket, request) => {
        const actor = request.actor!;
        const client = hub.connect(actor.user, {
          send: (message) => socket.send(message),
          close: (code, reason) => socket.close(code, reason),
        });
        let subscribed = false;
        socket.on('message', (raw: Buffer, isBinary: boolean) => {
          let parsed: z.infer<typeof ClientMessage>;
          try {
            const result = ClientMessage.safeParse(isBinary ? undefined : JSON.parse(raw.toString('utf8')));
            if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'invalid message');
            parsed = result.data;
          } catch (err) {
            const message = `Send {"type":"subscribe","after":<seq>} or {"type":"ping"} as JSON text (${err instanceof Error ? err.message : 'invalid'})`;
            socket.send(JSON.stringify({ type: 'error', error: { code: 'validation_failed', message } }));
            return;
          }
          if (parsed.type === 'ping') return client.ping();
          if (subscribed) {
            socket.send(JSON.stringify({ type: 'error', error: { code: 'conflict', message: 'Already subscribed; reconnect to subscribe from another seq' } }));
            return;
          }
          subscribed = true;
          client.subscribe(parsed.after).catch((err: unknown) => {
            deps.log.warn({ err }, 'socket subscribe failed');
            socket.close(1011, 'subscribe failed');
          });
        });
        socket.on('close', () => client.disconnect());
        socket.on('error', () => client.disconnect());
      },
    });
  };

/**
 * Browsers send cookies on cross-site WebSocket handshakes and the handshake is not subject to
 * CORS (Cross-Site WebSocket Hijacking), so a cookie-authenticated socket must come from our own
 * origin: the Host the request was sent to, or PUBLIC_URL.
 */
function checkOrigin(request: FastifyRequest, publicUrl: string): void {
  const origin = request.headers.origin;
  if (origin === undefined) return; // not a browser: no ambient cookie risk
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new DomainError('forbidden', 'The socket’s Origin header is not a URL');
  }
  const allowed = new Set([request.headers.host, new URL(publicUrl).host]);
  if (!allowed.has(host)) throw new DomainError('forbidden', 'A signed-in socket must come from the Parley web app’s own origin');
}
