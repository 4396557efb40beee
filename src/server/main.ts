// Composition root: config -> deps -> the roles this process plays (web, smtp, imap, worker).
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createDeps, type Deps } from './deps.ts';
import { buildApp } from './http/app.ts';
import { createWorker } from './jobs/runner.ts';
import { jobHandlers } from './jobs/handlers.ts';
import { startImapRole } from './mail/imap-poll.ts';
import { startSmtpReceiver } from './mail/smtp-in.ts';
import { startBlobSweeper } from './blobs/blob-sweeper.ts';

export interface Running {
  deps: Deps;
  web?: FastifyInstance;
  stop(): Promise<void>;
}

export type RoleStarter = (deps: Deps) => Promise<{ stop(): Promise<void> }>;

/** The background roles besides web; each feature module exports its starter. */
const roleStarters: Partial<Record<'smtp' | 'imap' | 'worker', RoleStarter>> = {
  imap: startImapRole,
  worker: async (deps) => {
    // Two loops claim from the same queue (claims are conditional UPDATEs, so a job runs once):
    // while one waits on an SMTP server the other sends (bench/outbound-throughput.ts).
    const workers = [createWorker(deps, jobHandlers), createWorker(deps, jobHandlers)];
    const sweeper = startBlobSweeper(deps);
    // The worker's poll timer is unref'd; a worker-only process on SQLite has no other handle
    // (PostgreSQL's pool has one), so without this it would exit at once.
    const keepAlive = setInterval(() => {}, 3600_000);
    return {
      stop: async () => {
        clearInterval(keepAlive);
        await Promise.all([...workers.map((w) => w.stop()), sweeper.stop()]);
      },
    };
  },
  smtp: async (deps) => startSmtpReceiver(deps, { processing: 'thread' }),
};

export async function startParley(config: Config): Promise<Running> {
  const deps = await createDeps(config);
  const stops: Array<() => Promise<void>> = [];
  let web: FastifyInstance | undefined;
  if (config.roles.has('web')) {
    web = await buildApp(deps);
    await web.listen({ port: config.port, host: config.host });
    stops.push(() => web!.close());
  }
  for (const role of ['smtp', 'imap', 'worker'] as const) {
    const starter = roleStarters[role];
    if (config.roles.has(role) && starter) {
      const running = await starter(deps);
      stops.push(() => running.stop());
    }
  }
  deps.log.info({ port: config.port, smtpPort: config.smtpPort, database: deps.store.dialect, roles: [...config.roles] }, 'Parley started');
  return {
    deps,
    web,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
      await deps.close();
    },
  };
}
