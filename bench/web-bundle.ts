// The agent app's first screen: the JavaScript and CSS that index.html loads (modulepreloads
// included), raw and gzipped, from a fresh production build. Goal: JS at most 250 KB gzipped.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist/web');
const GOAL_JS_GZIP = 250 * 1024;

const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(build.stderr + build.stdout);
  process.exit(1);
}

const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
let jsRaw = 0;
let jsGzip = 0;
let cssGzip = 0;
for (const ref of new Set(refs)) {
  const bytes = fs.readFileSync(path.join(DIST, ref));
  const gz = zlib.gzipSync(bytes, { level: 9 }).length;
  if (ref.endsWith('.js')) {
    jsRaw += bytes.length;
    jsGzip += gz;
  } else cssGzip += gz;
  console.log(`${ref}\t${(bytes.length / 1024).toFixed(1)} KB\t${(gz / 1024).toFixed(1)} KB gzipped`);
}
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(`first-screen JS: ${kb(jsRaw)} raw, ${kb(jsGzip)} gzipped (goal ≤ 250 KB): ${jsGzip <= GOAL_JS_GZIP ? 'OK' : 'OVER'}; CSS ${kb(cssGzip)} gzipped`);
if (jsGzip > GOAL_JS_GZIP) process.exitCode = 1;
