// The outbox under a crash: the real server runs with only the worker role in a child process, the
// SMTP sink holds its reply to DATA, and the child is killed with SIGKILL between sending and
// marking. After the job's lease runs out, a worker never sends the message a second time, and the
// message is never lost: it is delivered once, or visible as "delivery uncertain" with Retry.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, makeAccount, openTestStore, type TestStore } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { receive } from './helpers/email-out.ts';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';
import { createWorker } from '../src/server/jobs/runner.ts';
import { jobHandlers } from '../src/server/jobs/handlers.ts';
import type { FastifyInstance } from 'fastify';

const ROOT = path.resolve(import.meta.dirname, '..');

function startWorkerProcess(store: TestStore, relay: string): ChildProcess {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DATA_DIR: store.config.dataDir,
    SMTP_RELAY_URL: relay,
    ROLES: 'worker',
    LOG_LEVEL: 'error',
  };
  if (store.config.databaseUrl) env.DATABASE_URL = store.config.databaseUrl;
  return spawn(process.execPath, [path.join(ROOT, 'bin/parley.js'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

for (const kind of STORE_KINDS) {
  describe(`outbox crash between send and mark [${kind}]`, () => {
    let store: TestStore;
    let sink: SmtpSink;
    let app: FastifyInstance;
    beforeAll(async () => {
      sink = await startSmtpSink();
      store = await openTestStore(kind, { SMTP_RELAY_URL: sink.url });
      app = await testApp(store.deps);
    });
    afterAll(async () => {
      await app?.close();
      await sink?.close();
      await store?.dispose();
    });

    async function replyAndKillMidSend(relayKeeps: boolean) {
      const acct = await makeAccount(store.deps);
      const api = apiClient(app, acct.token);
      const convId = await receive(store.deps, { to: acct.email.inbound_address });
      const res = await api.post(`/conversations/${convId}/messages`, { body: relayKeeps ? 'Kept by the relay' : 'Dropped by the relay' });
      expect(res.status).toBe(201);
      const messageId: string = res.body.email.messageId;
      const held = new Promise<void>((resolve) => sink.hold(resolve));
      const child = startWorkerProcess(store, sink.url);
      const stderr: string[] = [];
      child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
      child.stdout?.on('data', (d: Buffer) => stderr.push(d.toString()));
      try {
        await Promise.race([held, exited(child).then(() => Promise.reject(new Error(`worker exited early (${child.exitCode ?? child.signalCode}): ${stderr.join('')}`))), new Promise((_, reject) => setTimeout(() => reject(new Error('no DATA within 20 s')), 20_000))]);
        const during = await store.deps.store.db.selectFrom('messages').select('delivery_status').where('id', '=', res.body.id).executeTakeFirstOrThrow();
        expect(during.delivery_status).toBe('sending');
        child.kill('SIGKILL');
        await exited(child);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      if (relayKeeps) sink.release();
      else sink.discardHeld();
      // The dead worker's claim runs out (10 min lease) — moved into the past instead of waiting.
      await store.deps.store.db.updateTable('jobs').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('status', '=', 'running').execute();
      const worker = createWorker(store.deps, jobHandlers, { pollMs: 3_600_000 });
      try {
        await worker.drain();
      } finally {
        await worker.stop();
      }
      const copies = () => sink.messages.filter((m) => m.raw.toString().includes(messageId)).length;
      const after = (await api.get(`/conversations/${convId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
      return { api, res, after, copies };
    }

    it('does not send again when the relay kept the message', async () => {
      const { after, copies } = await replyAndKillMidSend(true);
      expect(copies()).toBe(1);
      expect(after.deliveryStatus).toBe('failed');
      expect(after.deliveryError).toMatch(/^Delivery uncertain/);
    });

    it('keeps the message (visible, retryable) when the relay dropped it, and Retry delivers it once', async () => {
      const { api, res, after, copies } = await replyAndKillMidSend(false);
      expect(copies()).toBe(0);
      expect(after.deliveryStatus).toBe('failed');
      expect(after.deliveryError).toContain('use Retry');
      expect((await api.post(`/messages/${res.body.id}/retry`, {})).status).toBe(200);
      const worker = createWorker(store.deps, jobHandlers, { pollMs: 3_600_000 });
      try {
        await worker.drain();
      } finally {
        await worker.stop();
      }
      await sink.waitFor(1);
      expect(copies()).toBe(1);
      const sent = (await api.get(`/conversations/${res.body.conversationId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
      expect(sent.deliveryStatus).toBe('sent');
    });
  });
}
