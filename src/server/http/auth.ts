// Authentication for /api/v1: a Bearer API token or the session cookie. Cookie-authenticated
// mutations must echo the session's CSRF token in X-CSRF-Token (a header a cross-site form
// cannot set), on top of SameSite=Lax. Routes opt out with `config: { public: true }`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Row } from '../db/schema.ts';
import type { UserActor } from '../core/context.ts';
import { DomainError } from '../core/errors.ts';
import { actorFromApiToken, actorFromSession, SESSION_DAYS } from '../core/authenticate.ts';
import type { Deps } from '../deps.ts';
import crypto from 'node:crypto';

export const SESSION_COOKIE = 'parley_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: UserActor | null;
    session: Row<'sessions'> | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerAuth(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/v1')) return;
    await identify(request, deps);
    if (request.routeOptions.config.public) return;
    if (!request.actor) throw new DomainError('unauthenticated', 'Sign in or send an API token in the Authorization header');
    if (request.session && !SAFE_METHODS.has(request.method)) checkCsrf(request, request.session);
  });
}

async function identify(request: FastifyRequest, deps: Deps): Promise<void> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new DomainError('unauthenticated', 'The Authorization header must be "Bearer <token>"');
    const actor = await actorFromApiToken(deps.store.db, match[1]);
    if (!actor) throw new DomainError('unauthenticated', 'The API token is invalid or has been revoked');
    request.actor = actor;
    return;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return;
  const found = await actorFromSession(deps.store.db, cookie, new Date());
  if (!found) return;
  request.actor = found.actor;
  request.session = found.session;
}

function checkCsrf(request: FastifyRequest, session: Row<'sessions'>): void {
  const sent = request.headers['x-csrf-token'];
  const value = Array.isArray(sent) ? sent[0] : sent;
  const a = Buffer.from(value ?? '');
  const b = Buffer.from(session.csrf_token);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
    throw new DomainError('csrf_failed', 'Missing or wrong X-CSRF-Token header for a signed-in request');
  }
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: SESSION_DAYS * 86400 });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

/** The signed-in user, for handlers on non-public routes (the hook has already refused anonymous calls). */
export function actorOf(request: FastifyRequest): UserActor {
  if (!request.actor) throw new DomainError('unauthenticated', 'Sign in or send an API token in the Authorization header');
  return request.actor;
}
