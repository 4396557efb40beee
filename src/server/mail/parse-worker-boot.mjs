// Worker-thread entry: worker threads do not inherit the tsx loader, so register it here and
// then load the TypeScript worker (parse-worker.ts) named in workerData.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
