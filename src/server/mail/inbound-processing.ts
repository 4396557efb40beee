// Where spooled mail becomes conversations. Every role of a process that spools mail (the SMTP
// receiver, the connected mailboxes' IMAP workers) shares one processor per store: two in one
// process would take the same rows and race for them. The first role to ask chooses where it
// runs (the server: a thread of its own; tests: this thread, to look inside with their own deps);
// it stops when the last role lets go.
import type { Deps } from '../deps.ts';
import type { Store } from '../db/connect.ts';
import { InboundProcessor, type ProcessorOptions } from './inbound-processor.ts';
import { startProcessorThread } from './inbound-processor-thread.ts';

export type ProcessingPlace = 'thread' | 'in-process';

export interface InboundProcessing {
  /** Resolves when every spooled message that is due has been processed. */
  idle(): Promise<void>;
  release(): Promise<void>;
}

interface Shared {
  processing: InboundProcessing;
  /** The processor itself when it runs in this thread. */
  processor: InboundProcessor | null;
  users: number;
}

const shared = new WeakMap<Store, Shared>();

function begin(deps: Deps, place: ProcessingPlace, opts: ProcessorOptions | undefined): Shared {
  if (place === 'thread') return { processing: startProcessorThread(deps), processor: null, users: 0 };
  const processor = new InboundProcessor(deps, opts);
  return { processing: { idle: () => processor.idle(), release: () => processor.stop() }, processor, users: 0 };
}

/** The store's processing, started on first use in `place` (options apply to that first start). */
export function acquireInboundProcessing(deps: Deps, place: ProcessingPlace, opts?: ProcessorOptions): InboundProcessing & { processor: InboundProcessor | null } {
  let entry = shared.get(deps.store);
  if (!entry) {
    entry = begin(deps, place, opts);
    shared.set(deps.store, entry);
  }
  entry.users++;
  const e = entry;
  let released = false;
  return {
    processor: e.processor,
    idle: () => e.processing.idle(),
    release: async () => {
      if (released) return;
      released = true;
      if (--e.users > 0) return;
      shared.delete(deps.store);
      await e.processing.release();
    },
  };
}

/** This thread's processor (the processor thread itself, and tests that drive it directly). */
export function acquireInboundProcessor(deps: Deps, opts?: ProcessorOptions): { processor: InboundProcessor; release(): Promise<void> } {
  const processing = acquireInboundProcessing(deps, 'in-process', opts);
  if (!processing.processor) throw new Error('The inbound processor of this store runs in its own thread');
  return { processor: processing.processor, release: processing.release };
}
