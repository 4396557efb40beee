// `npm start` on a fresh checkout: build the web app once if dist/web is missing.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { WEB_DIST } from '../http/web-app.routes.ts';

export async function ensureWebBuild(): Promise<void> {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  process.stderr.write('parley: building the web app (first start)…\n');
  const root = path.resolve(WEB_DIST, '../..');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building the web app failed; run `npm run build` to see why');
}
