// What the spool's writer threads (spool-writer-sqlite.mjs, spool-writer-postgres.mjs) send back
// for a batch that failed: the error's message and code, which survive postMessage (an Error's
// own properties do not), so the receiver can tell 451 from 452 (spool-writer.ts rebuilds it).
export const failure = (err) => ({ message: err instanceof Error ? err.message : String(err), code: err && typeof err === 'object' && 'code' in err ? String(err.code) : undefined });
