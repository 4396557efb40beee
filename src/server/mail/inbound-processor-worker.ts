// The inbound processor's thread (see inbound-processor-thread.ts): its own store connection and
// its own InboundProcessor, so parsing results, SQL and commits of inbound mail never run on the
// event loop that answers SMTP and the API. What its commits produce goes back to the parent:
// "account X has new events" for the parent's bus, and "jobs were enqueued" for its workers.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { Config } from '../config.ts';
import { createDeps } from '../deps.ts';
import { acquireInboundProcessor } from './inbound-processing.ts';
import { parsePool } from './parse.ts';

export type ToProcessor = { type: 'arrived' } | { type: 'idle'; id: number } | { type: 'stop' };
export type FromProcessor = { type: 'published'; accountId: string } | { type: 'jobs' } | { type: 'idle'; id: number } | { type: 'stopped' };

const port = parentPort;
if (!port) throw new Error('inbound-processor-worker.ts must run in a worker thread');

const send = (msg: FromProcessor) => port.postMessage(msg);

const { config, checkpointsOffThread } = workerData as { config: Config; checkpointsOffThread: boolean };
const deps = await createDeps(config, {
  // The parent migrated the store before starting this thread.
  migrate: false,
  logger: pino({ level: config.logLevel }).child({ role: 'smtp', thread: 'inbound-processor' }),
  bus: {
    publish: (accountId) => send({ type: 'published', accountId }),
    subscribe: () => () => {},
    close: async () => {},
  },
});
// The parent's checkpoint thread looks after the file (inbound-processor-thread.ts says why).
if (checkpointsOffThread) deps.store.sqlite?.pragma('wal_autocheckpoint = 0');
deps.signals.on('jobs', () => send({ type: 'jobs' }));
const processing = acquireInboundProcessor(deps);

port.on('message', (msg: ToProcessor) => {
  if (msg.type === 'arrived') processing.processor.arrived();
  else if (msg.type === 'idle') void processing.processor.idle().then(() => send({ type: 'idle', id: msg.id }));
  else if (msg.type === 'stop') void stop();
});

async function stop(): Promise<void> {
  await processing.release();
  await parsePool().close();
  await deps.close();
  send({ type: 'stopped' });
  port!.close();
}
