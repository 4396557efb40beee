// Worker-thread entry: worker threads do not inherit the tsx loader, so register it here and
// then load the TypeScript module named in workerData.entry (the parse workers, the inbound
// processor's thread). workerData.nice lowers the thread's priority before anything loads (on
// Linux the nice value is per thread, and threads it starts inherit it).
import os from 'node:os';
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

if (workerData.nice) {
  try {
    os.setPriority(workerData.nice);
  } catch {
    // Not permitted here: run at normal priority.
  }
}
register();
await import(workerData.entry);
