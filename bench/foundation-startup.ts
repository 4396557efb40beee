// Start-up and idle memory (issue 2): spawn the real `node bin/parley.js start` on an empty data
// folder, time spawn -> first 200 from /healthz (median of 5), then read the process's RSS after
// it has idled. Goals: start-up under 1.5 s, idle RSS under 120 MB.
// Run: npx tsx bench/foundation-startup.ts [--runs=5]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { freePort } from '../test/helpers/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 5);
const IDLE_MS = 3000;

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function once(): Promise<{ startMs: number; rssMb: number; cpuMs: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-start-'));
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/parley.js'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), SMTP_PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error('parley start exited before /healthz answered');
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const startMs = performance.now() - t0;
  const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime, in clock ticks (100/s)
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rss = rssMb(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => (exited ? r(null) : child.once('exit', r)));
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { startMs, rssMb: rss, cpuMs: ticks * 10 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// One unmeasured start first: it builds dist/server/parley.mjs if the sources changed.
await once();
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await once());
const load = os.loadavg()[0]!.toFixed(1);
console.log(`start-up to green /healthz, ${RUNS} runs (load average ${load}):`);
for (const r of runs) console.log(`  ${r.startMs.toFixed(0)} ms  (CPU ${r.cpuMs} ms)  idle RSS ${r.rssMb.toFixed(1)} MB`);
const m = { startMs: median(runs.map((r) => r.startMs)), cpuMs: median(runs.map((r) => r.cpuMs)), rssMb: median(runs.map((r) => r.rssMb)) };
console.log(`median start-up ${m.startMs.toFixed(0)} ms (goal < 1500 ms: ${m.startMs < 1500 ? 'met' : 'missed'}); median CPU to green ${m.cpuMs} ms`);
console.log(`median idle RSS ${m.rssMb.toFixed(1)} MB after ${IDLE_MS / 1000} s (goal < 120 MB: ${m.rssMb < 120 ? 'met' : 'missed'})`);
