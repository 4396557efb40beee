// Sign up, log in, log out, and "who am I". Sign-up creates the whole account (core/create-account).
import type { FastifyPluginAsync } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { createAccount } from '../core/create-account.ts';
import { logIn, logOut } from '../core/authenticate.ts';
import { Me, Account, User, Inbox, plan } from '../../shared/api.ts';
import { actorOf, clearSessionCookie, setSessionCookie } from './auth.ts';
import { presentAccount, presentUser } from './presenters.ts';
import { loadInboxView } from './inbox-view.ts';
import { teamIdsOf } from './user-view.ts';
import { LoginThrottle } from './login-throttle.ts';
import { DomainError } from '../core/errors.ts';

const email = z.email({ message: 'must be an email address' }).max(254);
const password = z.string().min(8, 'must be at least 8 characters').max(200);

const SignupBody = z.strictObject({
  accountName: z.string().trim().min(1).max(100),
  subdomain: z.string().trim().min(1).max(63),
  plan: plan.default('free'),
  companyName: z.string().trim().max(100).optional(),
  firstName: z.string().trim().max(100).optional(),
  lastName: z.string().trim().max(100).optional(),
  email,
  password,
});

export const authRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    await app.register(rateLimit, { global: false, hook: 'preHandler' });
    const loginThrottle = new LoginThrottle();

    app.post(
      '/signup',
      {
        config: { public: true, rateLimit: { max: 100, timeWindow: '1 hour' } },
        schema: {
          tags: ['auth'],
          summary: 'Create an account with its owner, default inbox and fallback email address; signs the owner in',
          body: SignupBody,
          response: { 201: z.object({ account: Account, user: User, inbox: Inbox, csrfToken: z.string() }) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const created = await deps.run({ kind: 'system', accountId: null, reason: 'signup' }, (ctx) =>
          createAccount(
            ctx,
            {
              name: body.accountName,
              subdomain: body.subdomain,
              plan: body.plan,
              companyName: body.companyName,
              owner: { email: body.email, password: body.password, firstName: body.firstName, lastName: body.lastName },
            },
            deps.domains,
          ),
        );
        const session = await deps.run({ kind: 'system', accountId: created.account.id, reason: 'signup' }, (ctx) =>
          logIn(ctx, { email: body.email, password: body.password }),
        );
        setSessionCookie(reply, session.token, deps.config.secureCookies);
        const inbox = await loadInboxView(deps.store.db, created.owner, created.inbox.id);
        return reply.status(201).send({
          account: presentAccount(created.account, deps.domains),
          user: presentUser(created.owner, []),
          inbox,
          csrfToken: session.csrfToken,
        });
      },
    );

    app.post(
      '/auth/login',
      {
        config: {
          public: true,
        },
        schema: {
          tags: ['auth'],
          summary: 'Log in with email and password; sets the session cookie and returns the CSRF token',
          body: z.strictObject({ email: z.string().max(254), password: z.string().max(200) }),
          response: { 200: Me },
        },
      },
      async (request, reply) => {
        // Per client and address: slows password guessing without locking out a whole office.
        const key = `${request.ip}|${request.body.email.trim().toLowerCase()}`;
        const waitMs = loginThrottle.begin(key);
        if (waitMs > 0) {
          const minutes = Math.ceil(waitMs / 60_000);
          reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
          throw new DomainError('rate_limited', `Too many failed logins for this address: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
        }
        const session = await deps.run({ kind: 'system', accountId: null, reason: 'login' }, (ctx) => logIn(ctx, request.body));
        loginThrottle.succeeded(key);
        setSessionCookie(reply, session.token, deps.config.secureCookies);
        const account = await deps.store.db.selectFrom('accounts').selectAll().where('id', '=', session.user.account_id).executeTakeFirstOrThrow();
        return {
          user: presentUser(session.user, await teamIdsOf(deps.store.db, session.user.id)),
          account: presentAccount(account, deps.domains),
          csrfToken: session.csrfToken,
        };
      },
    );

    app.post(
      '/auth/logout',
      { config: { public: true }, schema: { tags: ['auth'], summary: 'End the session', response: { 204: z.null() } } },
      async (request, reply) => {
        const session = request.session;
        if (session) await deps.run({ kind: 'system', accountId: null, reason: 'logout' }, (ctx) => logOut(ctx, session.id));
        clearSessionCookie(reply, deps.config.secureCookies);
        return reply.status(204).send(null);
      },
    );

    app.get('/me', { schema: { tags: ['auth'], summary: 'The signed-in user and account', response: { 200: Me } } }, async (request) => {
      const actor = actorOf(request);
      return {
        user: presentUser(actor.user, await teamIdsOf(deps.store.db, actor.user.id)),
        account: presentAccount(actor.account, deps.domains),
        csrfToken: request.session?.csrf_token ?? null,
      };
    });
  };
