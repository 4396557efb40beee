// Cross-process bus over Redis pub/sub, for several Parley processes behind a load balancer.
// Local listeners are called directly too, so a process never waits on Redis for its own events.
import { Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import type { Bus } from './bus.ts';

const CHANNEL = 'parley:account-events';

export async function createRedisBus(url: string): Promise<Bus> {
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const sub = new Redis(url, { lazyConnect: true });
  await pub.connect();
  await sub.connect();
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  await sub.subscribe(CHANNEL);
  sub.on('message', (_channel: string, accountId: string) => emitter.emit('account', accountId));
  // Redis errors are logged by reconnect attempts; fan-out resumes after reconnect and
  // sockets resync from their cursor, so nothing is lost meanwhile.
  pub.on('error', () => {});
  sub.on('error', () => {});
  return {
    publish: (accountId) => {
      void pub.publish(CHANNEL, accountId).catch(() => {});
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
