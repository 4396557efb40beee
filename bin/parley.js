#!/usr/bin/env node
// Entry point for `npx parley` and `npm start`. Runs the server from one bundled file of our
// sources and their dependencies (dist/server/parley.mjs, built with esbuild), because loading
// ~100 TypeScript modules through tsx's loader and ~1,000 modules from node_modules on every
// start costs seconds of CPU.
// The bundle is rebuilt whenever a source file is newer than it; if building or loading it
// fails, or PARLEY_NO_BUNDLE=1, the sources are loaded through tsx as before.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'src/server/cli/cli.ts');
const bundle = path.join(root, 'dist/server/parley.mjs');
const sourceDirs = [path.join(root, 'src/server'), path.join(root, 'src/shared')];

function newestMtime(dir) {
  let newest = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (/\.(ts|tsx|mts|mjs|js|json)$/.test(item.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isFresh() {
  if (!fs.existsSync(bundle)) return false;
  const built = fs.statSync(bundle).mtimeMs;
  // And the installed packages: dependencies are inside the bundle (npm writes node_modules/.package-lock.json on every install).
  const manifests = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f));
  return sourceDirs.every((dir) => newestMtime(dir) <= built) && manifests.every((f) => fs.statSync(f).mtimeMs <= built);
}

const EXTERNAL = ['better-sqlite3', 'pg', 'pg-native', '@node-rs/argon2', 'ioredis', 'imapflow', 'esbuild', 'vite', 'tsx', 'tsx/*'];

/** Each module keeps its own import.meta (paths to web assets and worker files are relative to it). */
const sourceMeta = {
  name: 'source-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(ts|tsx|mts|mjs|js)$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const contents = text
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      const loader = args.path.endsWith('.tsx') ? 'tsx' : /\.m?ts$/.test(args.path) ? 'ts' : 'js';
      return { contents, loader };
    });
  },
};

async function buildBundle() {
  const esbuild = await import('esbuild');
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  // Build beside the target and rename: processes started together never load a half-written file.
  const tmp = `${bundle}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies are bundled too: resolving and loading ~1,000 separate modules from
    // node_modules was most of the start-up time. Left outside: native addons, the drivers and
    // clients loaded only when configured or first used, and build tools.
    external: EXTERNAL,
    // Bundled CommonJS code calls require() for Node built-ins and the external packages.
    banner: { js: "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);" },
    logLevel: 'silent',
    plugins: [sourceMeta],
  });
  fs.renameSync(tmp, bundle);
}

async function loadCli() {
  if (process.env.PARLEY_NO_BUNDLE !== '1') {
    try {
      if (!isFresh()) await buildBundle();
      return await import(pathToFileURL(bundle).href);
    } catch (err) {
      if (process.env.PARLEY_DEBUG_BUNDLE === '1') process.stderr.write(`parley: bundle unavailable, loading sources: ${err}\n`);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/server/cli/cli.ts');
}

const { runCli } = await loadCli();
const code = await runCli(process.argv.slice(2));
if (code >= 0) process.exit(code);
