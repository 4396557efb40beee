// In-process bus for a single Parley process.
import { EventEmitter } from 'node:events';
import type { Bus } from './bus.ts';

export function createLocalBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (accountId) => {
      emitter.emit('account', accountId);
    },
    subscribe: (listener) => {
      emitter.on('account', listener);
      return () => emitter.off('account', listener);
    },
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}
