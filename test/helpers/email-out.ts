// Shared set-up for the email-out tests: a store whose SMTP_RELAY_URL points at a local sink, a
// worker with a clock the test moves (so retries are checked without waiting), and an inbound
// email delivered through the real ingest pipeline so a reply has a thread to answer.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createWorker, type Worker } from '../../src/server/jobs/runner.ts';
import { jobHandlers } from '../../src/server/jobs/handlers.ts';
import { ingestRawEmail } from '../../src/server/mail/ingest.ts';
import type { Deps } from '../../src/server/deps.ts';
import { openTestStore, makeAccount, type StoreKind, type TestStore } from './stores.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { testApp } from './api.ts';

export interface OutboxRig {
  store: TestStore;
  sink: SmtpSink;
  app: FastifyInstance;
  worker: Worker;
  /** Moves the worker's clock forward (retries become due). */
  advance(ms: number): void;
  /** Runs every due job now. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

export async function openOutboxRig(kind: StoreKind, env: Record<string, string> = {}): Promise<OutboxRig> {
  const sink = await startSmtpSink();
  const store = await openTestStore(kind, { SMTP_RELAY_URL: sink.url, PUBLIC_URL: 'http://parley.test:3000', ...env });
  const app = await testApp(store.deps);
  let offset = 0;
  const worker = createWorker(store.deps, jobHandlers, { pollMs: 3_600_000, clock: () => new Date(Date.now() + offset) });
  return {
    store,
    sink,
    app,
    worker,
    advance: (ms) => {
      offset += ms;
    },
    drain: async () => {
      // A kick from a commit may be draining already; drain until a pass finds nothing.
      let total = 0;
      for (let i = 0; i < 10; i++) {
        const n = await worker.drain();
        total += n;
        if (n === 0) break;
      }
      return total;
    },
    close: async () => {
      await worker.stop();
      await app.close();
      await sink.close();
      await store.dispose();
    },
  };
}

export interface InboundOpts {
  from?: string;
  fromName?: string;
  to: string;
  cc?: string[];
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  body?: string;
}

/** A customer's email as raw RFC 5322 bytes. */
export function rawEmail(o: InboundOpts): Buffer {
  const lines = [
    `From: ${o.fromName ? `"${o.fromName}" ` : ''}<${o.from ?? 'grace@customer.test'}>`,
    `To: ${o.to}`,
    ...(o.cc?.length ? [`Cc: ${o.cc.join(', ')}`] : []),
    `Subject: ${o.subject ?? 'Question about my order'}`,
    `Message-ID: <${o.messageId ?? `${crypto.randomUUID()}@customer.test`}>`,
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []),
    ...(o.references?.length ? [`References: ${o.references.map((r) => `<${r}>`).join(' ')}`] : []),
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body ?? 'Hello, where is my order?',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** Delivers a customer's email through the real ingest pipeline; returns the conversation id. */
export async function receive(deps: Deps, o: InboundOpts): Promise<string> {
  const result = await ingestRawEmail(deps, { raw: rawEmail(o), recipients: [o.to], mailFrom: o.from ?? 'grace@customer.test', via: 'smtp' });
  if (result.outcome !== 'stored' && result.outcome !== 'duplicate') throw new Error(`ingest: ${result.outcome}`);
  return result.conversationId;
}

export { makeAccount };
