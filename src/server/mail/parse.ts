// Parses raw messages in worker threads with a time limit. A parser bug or a hostile message
// (deep nesting, a huge header, a multi-MB format=flowed body) then costs one worker, which is
// terminated and replaced, and never blocks the event loop that answers SMTP and the API.
// Failure is an answer, not an exception: the caller stores the raw message with the error.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ParsedEmail } from '../core/inbound-email.ts';
import type { WorkerReply } from './parse-worker.ts';

export type ParseResult = { ok: true; parsed: ParsedEmail; problem: string | null } | { ok: false; error: string };

interface Task {
  id: number;
  raw: Uint8Array;
  resolve: (r: ParseResult) => void;
}

interface Slot {
  worker: Worker;
  /** Loaded and listening; the time limit starts when a ready worker gets the task. */
  ready: boolean;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

const BOOT = new URL('../worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./parse-worker.ts', import.meta.url).href;

export class ParsePool {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size = Math.max(1, Math.min(4, os.availableParallelism())),
    private readonly timeoutMs = 20_000,
    /** Heap limit per worker: a decompression bomb dies in its worker, not in the server. */
    private readonly maxHeapMb = 512,
  ) {}

  parse(raw: Uint8Array): Promise<ParseResult> {
    if (this.closed) return Promise.resolve({ ok: false, error: 'The parser is shut down' });
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, raw, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.resolve({ ok: false, error: 'The parser is shut down' });
    await Promise.all(this.slots.map((s) => this.retire(s, 'The parser is shut down')));
    this.slots = [];
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY }, resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    worker.unref();
    const slot: Slot = { worker, ready: false, task: null, timer: null };
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        slot.ready = true;
        this.pump();
        return;
      }
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      this.finish(slot, reply.ok ? { ok: true, parsed: reply.outcome.parsed, problem: reply.outcome.problem } : { ok: false, error: `The message could not be parsed: ${reply.error}` });
    });
    const onDeath = (why: string) => {
      if (!this.slots.includes(slot)) return;
      this.slots = this.slots.filter((s) => s !== slot);
      if (slot.timer) clearTimeout(slot.timer);
      const task = slot.task;
      slot.task = null;
      task?.resolve({ ok: false, error: `The message could not be parsed: ${why}` });
      // A worker that cannot even start would be respawned forever: fail what waits (the raw
      // messages are stored with the error) and try again on the next message.
      if (!slot.ready) for (const t of this.queue.splice(0)) t.resolve({ ok: false, error: `The parser could not start: ${why}` });
      this.pump();
    };
    worker.on('error', (err) => onDeath(err.message));
    worker.on('exit', (code) => onDeath(`the parser stopped (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot, result: ParseResult): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const task = slot.task;
    slot.task = null;
    task?.resolve(result);
    this.pump();
  }

  private async retire(slot: Slot, why: string): Promise<void> {
    this.slots = this.slots.filter((s) => s !== slot);
    if (slot.timer) clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = null;
    task?.resolve({ ok: false, error: why });
    await slot.worker.terminate().catch(() => {});
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.length) {
      const slot = this.slots.find((s) => s.ready && s.task === null);
      if (!slot) {
        // Start another worker when all are busy; the task waits until one is ready.
        if (this.slots.length < this.size && this.slots.every((s) => s.ready)) this.spawn();
        return;
      }
      const task = this.queue.shift()!;
      slot.task = task;
      const s = slot;
      s.worker.ref();
      s.timer = setTimeout(() => {
        void this.retire(s, `The message could not be parsed within ${Math.round(this.timeoutMs / 1000)} s`).then(() => this.pump());
      }, this.timeoutMs);
      s.worker.postMessage({ id: task.id, raw: task.raw });
    }
    for (const s of this.slots) if (!s.task) s.worker.unref();
  }
}

let shared: ParsePool | null = null;
/** The process-wide pool. */
export function parsePool(): ParsePool {
  shared ??= new ParsePool();
  return shared;
}

/** Replaces the process-wide pool (size, time limit); the old one finishes nothing new. */
export async function configureParsePool(opts: { size?: number; timeoutMs?: number }): Promise<ParsePool> {
  const old = shared;
  shared = new ParsePool(opts.size, opts.timeoutMs);
  await old?.close();
  return shared;
}
