// Loaded into the benchmarked Parley process with --import: its event-loop delay (what every API
// request waits behind) and RSS. SIGUSR2 writes the figures since the last signal to ELD_FILE
// and starts a new window.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.ELD_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let seq = 0;
  let peakRss = 0;
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100).unref();
  process.on('SIGUSR2', () => {
    const rss = process.memoryUsage().rss;
    const out = { seq: ++seq, p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, rss, peakRss: Math.max(peakRss, rss) };
    fs.writeFileSync(file + '.tmp', JSON.stringify(out));
    fs.renameSync(file + '.tmp', file);
    h.reset();
    peakRss = rss;
  });
}
