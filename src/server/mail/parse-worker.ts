// The parse worker thread: receives raw message bytes, answers with the parsed email (attachment
// bytes transferred, not copied) or the error. The pool in parse.ts enforces the time limit.
import { parentPort } from 'node:worker_threads';
import { parseEmail } from './parse-email.ts';
import { installWindows1252Fix } from './windows-1252.ts';
import { installFastBlob } from './fast-blob.ts';

installWindows1252Fix();
installFastBlob();

export type WorkerRequest = { id: number; raw: Uint8Array };
export type WorkerReply =
  | { ready: true; id?: undefined }
  | { id: number; ok: true; outcome: Awaited<ReturnType<typeof parseEmail>> }
  | { id: number; ok: false; error: string };

const port = parentPort;
if (!port) throw new Error('parse-worker.ts must run in a worker thread');

// Tell the pool we are loaded: its time limit counts parsing, not the thread's start-up.
port.postMessage({ ready: true });

port.on('message', async (req: WorkerRequest) => {
  try {
    const outcome = await parseEmail(req.raw);
    const transfer = outcome.parsed.attachments.map((a) => a.content.buffer).filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i);
    const reply: WorkerReply = { id: req.id, ok: true, outcome };
    port.postMessage(reply, transfer);
  } catch (err) {
    const reply: WorkerReply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
});
