// Serves the built agent app (dist/web) at / with a fallback to index.html for client routes.
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import fs from 'node:fs';
import path from 'node:path';
import type { Deps } from '../deps.ts';
import { errorBody } from './errors.ts';

export const WEB_DIST = path.resolve(import.meta.dirname, '../../../dist/web');

export const webAppRoutes =
  (_deps: Deps): FastifyPluginAsync =>
  async (app) => {
    if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
      app.log.warn(`web app not built (${WEB_DIST}); run npm run build`);
      return;
    }
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: ['index.html'], maxAge: '1h', immutable: false });
    // A catch-all GET route rather than a second not-found handler: http/errors.ts already owns
    // the not-found handler for '/', and Fastify refuses two for the same prefix.
    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      const url = request.url.split('?')[0] ?? '/';
      const isAppRoute = !url.startsWith('/api/') && !path.extname(url);
      if (isAppRoute) return reply.header('cache-control', 'no-cache').sendFile('index.html');
      // A file added by a rebuild after start (wildcard: false registered only the files present
      // then): serve it if it exists under WEB_DIST. @fastify/send refuses paths leaving the root.
      const file = safeDecode(url).replace(/^\/+/, '');
      const full = path.resolve(WEB_DIST, file);
      const inside = full.startsWith(WEB_DIST + path.sep);
      if (!url.startsWith('/api/') && inside && fs.existsSync(full)) return reply.sendFile(path.relative(WEB_DIST, full));
      return reply.status(404).send(errorBody('not_found', `No route for ${request.method} ${url}`));
    });
  };

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}
