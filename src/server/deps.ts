// What every transport needs: config, the store, the bus, a logger, and `run` to execute a
// use case in a transaction. Built once by main.ts (and by tests), passed down explicitly.
import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { openStore, type Store } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { Bus } from './bus/bus.ts';
import { createLocalBus } from './bus/local.ts';
import { createRedisBus } from './bus/redis.ts';
import { runInTransaction, type Actor, type Ctx } from './core/context.ts';
import type { MailDomains } from './core/mail-addresses.ts';

export interface Deps {
  config: Config;
  store: Store;
  bus: Bus;
  log: Logger;
  domains: MailDomains;
  /** Fires 'jobs' after a commit that enqueued jobs, so the worker need not poll tightly. */
  signals: EventEmitter;
  run<A extends Actor, T>(actor: A, fn: (ctx: Ctx<A>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function createDeps(config: Config, opts: { migrate?: boolean; logger?: Logger; bus?: Bus } = {}): Promise<Deps> {
  const log = opts.logger ?? pino({ level: config.logLevel });
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  if (opts.migrate ?? true) await migrateToLatest(store.db);
  const bus = opts.bus ?? (config.redisUrl ? await createRedisBus(config.redisUrl) : createLocalBus());
  const signals = new EventEmitter();
  signals.setMaxListeners(0);
  const deps: Deps = {
    config,
    store,
    bus,
    log,
    domains: { mailDomain: config.mailDomain, freeMailDomain: config.freeMailDomain },
    signals,
    run: (actor, fn) =>
      runInTransaction(
        {
          db: store.db,
          dialect: store.dialect,
          onCommit: (produced) => {
            for (const accountId of produced.accounts) bus.publish(accountId);
            if (produced.jobs > 0) signals.emit('jobs');
          },
        },
        actor,
        fn,
      ),
    close: async () => {
      await bus.close();
      await store.close();
    },
  };
  return deps;
}
