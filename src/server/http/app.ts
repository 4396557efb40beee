// Builds the Fastify app without listening, so tests can inject requests or listen on port 0.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Deps } from '../deps.ts';
import { errorBody, registerErrorHandling } from './errors.ts';
import { securityHeaders } from './security-headers.ts';
import { registerAuth } from './auth.ts';
import { healthRoutes } from './health.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { inboxRoutes } from './inboxes.routes.ts';
import { userRoutes } from './users.routes.ts';
import { teamRoutes } from './teams.routes.ts';
import { channelRoutes } from './channels.routes.ts';
import { channelConnectRoutes } from './channel-connect.routes.ts';
import { contactRoutes } from './contacts.routes.ts';
import { conversationRoutes } from './conversations.routes.ts';
import { messageRoutes } from './messages.routes.ts';
import { webAppRoutes } from './web-app.routes.ts';
import { messagePostRoutes } from './messages-post.routes.ts';
import { teamAddressRoutes } from './team-address.routes.ts';
import { verificationLinkRoutes } from './verification-link.routes.ts';
import { auditRoutes } from './audit.routes.ts';
import { inboxAccessRoutes } from './inbox-access.routes.ts';
import { tokenRoutes } from './tokens.routes.ts';
import { socketRoutes } from '../ws/socket.routes.ts';
import { automationRoutes } from './automation.routes.ts';
import { conversationActionRoutes } from './conversation-actions.routes.ts';
import { ticketRoutes } from './tickets.routes.ts';
import { pipelineRoutes } from './pipelines.routes.ts';
import { notificationRoutes } from './notifications.routes.ts';
import { searchRoutes } from './search.routes.ts';

export async function buildApp(deps: Deps, opts: { serveWebApp?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ role: 'web' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Two log lines per request cost more than a cached list read; see logRequests below.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: true,
    // Ids are UUIDs; anything else in a path is answered by the route's schema with a 400.
    routerOptions: { maxParamLength: 200 },
    // Errors Fastify raises before routing (e.g. FST_ERR_BAD_URL for a malformed %-escape in the
    // path) bypass the error handler; answer them in the API's error shape too.
    frameworkErrors: (err, _request, reply) => {
      const body = errorBody('bad_request', err.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed' : err.message);
      void (reply as FastifyReply).code(400).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  logRequests(app, deps.log.isLevelEnabled('debug'));
  await app.register(cookie);
  // At the root and before auth: its onRequest hook marks upgrade requests so that a refused
  // handshake (401 from the auth hook) still gets its raw socket destroyed after the response.
  await app.register(websocket, { options: { maxPayload: 4096 } });
  const headers = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Email bodies render in a srcdoc iframe, which inherits this policy: remote images must be
        // allowed here so "Show images" can load them; the frame's own CSP blocks them until then.
        imgSrc: ["'self'", 'data:', 'blob:', 'https:', 'http:'],
        // Helmet adds upgrade-insecure-requests by default; on a plain-http install (a LAN address,
        // no TLS) that rewrites the app's own /assets URLs to https and the page loads blank.
        upgradeInsecureRequests: deps.config.secureCookies ? [] : null,
        frameSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // The API is same-origin; the widget routes set their own framing rules.
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Parley API', version: '1', description: 'The shared conversations inbox. JSON under /api/v1; errors are {"error":{"code","message"}}.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (parley token create, or the owner token printed by account create).' },
          session: { type: 'apiKey', in: 'cookie', name: 'parley_session', description: 'The web app session; mutations need X-CSRF-Token.' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  registerAuth(app, deps);

  await app.register(healthRoutes(deps));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(
    async (api) => {
      await api.register(authRoutes(deps));
      await api.register(inboxRoutes(deps));
      await api.register(inboxAccessRoutes(deps));
      await api.register(auditRoutes(deps));
      await api.register(userRoutes(deps));
      await api.register(teamRoutes(deps));
      await api.register(channelRoutes(deps));
      await api.register(channelConnectRoutes(deps));
      await api.register(teamAddressRoutes(deps));
      await api.register(contactRoutes(deps));
      await api.register(conversationRoutes(deps));
      await api.register(messageRoutes(deps));
      await api.register(messagePostRoutes(deps));
      await api.register(tokenRoutes(deps));
      await api.register(socketRoutes(deps));
      await api.register(automationRoutes(deps));
      await api.register(conversationActionRoutes(deps));
      await api.register(ticketRoutes(deps));
      await api.register(pipelineRoutes(deps));
      await api.register(notificationRoutes(deps));
      await api.register(searchRoutes(deps));
    },
    { prefix: '/api/v1' },
  );
  await app.register(verificationLinkRoutes(deps));
  if (opts.serveWebApp ?? true) await app.register(webAppRoutes(deps));
  return app;
}

/** A request slower than this is logged at warn with its timing. */
const SLOW_REQUEST_MS = 1000;

/**
 * Request logging: server errors and slow requests always (warn), every request only at debug.
 * Unhandled errors are also logged with their stack by the error handler (errors.ts).
 */
function logRequests(app: FastifyInstance, everyRequest: boolean): void {
  app.addHook('onResponse', (request, reply, done) => {
    const slow = reply.elapsedTime >= SLOW_REQUEST_MS;
    if (reply.statusCode >= 500 || slow || everyRequest) {
      const entry = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime) };
      if (reply.statusCode >= 500 || slow) request.log.warn(entry, slow ? 'slow request' : 'request failed');
      else request.log.debug(entry, 'request completed');
    }
    done();
  });
}
