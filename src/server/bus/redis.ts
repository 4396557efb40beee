// Cross-process bus over Redis pub/sub, for several Parley processes behind a load balancer.
// Local listeners are called directly, so a process never waits on Redis for its own events;
// each notice carries the sender's instance id so a process skips its own echo from Redis.
import { EventEmitter } from 'node:events';
import crypto from 'node:crypto';
import type { Bus } from './bus.ts';

const CHANNEL = 'parley:account-events';

export async function createRedisBus(url: string): Promise<Bus> {
  // Loaded on demand: single-process installs (no REDIS_URL) never load the client.
  const { Redis } = await import('ioredis');
  const instance = crypto.randomBytes(8).toString('hex');
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const sub = new Redis(url, { lazyConnect: true });
  await pub.connect();
  await sub.connect();
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  await sub.subscribe(CHANNEL);
  sub.on('message', (_channel: string, message: string) => {
    const [from, accountId] = message.split(' ', 2);
    if (from === instance || !accountId) return;
    emitter.emit('account', accountId);
  });
  // Redis errors are retried by ioredis' reconnects; fan-out resumes after reconnect and
  // sockets resync from their cursor, so nothing is lost meanwhile.
  pub.on('error', () => {});
  sub.on('error', () => {});
  return {
    publish: (accountId) => {
      emitter.emit('account', accountId);
      void pub.publish(CHANNEL, `${instance} ${accountId}`).catch(() => {});
    },
    subscribe: (listener) => {
      emitter.on('account', listener);
      return () => emitter.off('account', listener);
    },
    close: async () => {
      emitter.removeAllListeners();
      sub.disconnect();
      pub.disconnect();
    },
  };
}
