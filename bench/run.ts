// `npm run bench`: every benchmark script in sequence (never part of `npm test`). Each prints its
// own figures; copy them with the machine description into bench/RESULTS.md.
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(import.meta.dirname, '..');
const scripts: string[][] = [
  ['bench/foundation-startup.ts'],
  ['bench/web-bundle.ts'],
  ['bench/foundation-list.ts'],
  ['bench/access-list.ts'],
  ['bench/outbound-throughput.ts', '300'],
  ['bench/assignment-decision.ts'],
  ['bench/ingest-smtp.ts'],
  ['bench/ingest-imap.ts'],
];

let failed = 0;
for (const [script, ...args] of scripts) {
  console.log(`\n=== ${script} ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script!, ...args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`=== ${script} failed (exit ${result.status})`);
  }
}
process.exit(failed ? 1 : 0);
