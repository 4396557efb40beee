// Liveness (/healthz: the process answers) and readiness (/readyz: the database answers).
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { Deps } from '../deps.ts';
import { errorBody } from './errors.ts';

export const healthRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      try {
        await sql`select 1`.execute(deps.store.db);
        return { status: 'ok', database: deps.store.dialect };
      } catch {
        return reply.status(503).send(errorBody('unavailable', 'The database is not reachable'));
      }
    });
  };
