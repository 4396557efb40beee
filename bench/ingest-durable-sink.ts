// The ingest benchmark's durable ceiling: the raw sink plus the least a durable accept needs. Each
// message is appended to one log file and answered 250 only after an fdatasync covers it, with
// group commit (every message that reached the writer thread during the previous fdatasync shares
// the next one): no parsing, no database, no recipient lookup. No receiver built on smtp-server
// that keeps RFC 5321's promise can be faster than this on the same machine, so it shows how much
// of the gap to the raw sink is the durable accept itself and how much is Parley's.
// Usage: tsx bench/ingest-durable-sink.ts PORT LOG_FILE (run as its own process by ingest-smtp.ts)
import { Worker } from 'node:worker_threads';
import { serveSink } from './sink-server.ts';

const port = Number(process.argv[2]);
const logFile = process.argv[3]!;
const writer = new Worker(new URL('./ingest-durable-sink-writer.mjs', import.meta.url), { workerData: logFile });
const answers = new Map<number, () => void>();
let seq = 0;
writer.on('message', (done: number) => {
  answers.get(done)?.();
  answers.delete(done);
});

serveSink(port, (stream, _session, callback) => {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    const id = ++seq;
    answers.set(id, () => callback());
    writer.postMessage({ seq: id, bytes: Buffer.concat(chunks) });
  });
});
