// Browser-test harness: Parley in-process (buildApp + listen on 127.0.0.1:0, a temp DATA_DIR on
// SQLite), Debian's Chromium through playwright-core with a fresh --user-data-dir, and
// screenshots saved to test-output/screenshots/<name>.png for people to look at.
// The app is served from dist/web; when any web source is newer than the build, the harness
// rebuilds it first (once, under a lock, so parallel test files do not build twice).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { buildApp } from '../../src/server/http/app.ts';
import { WEB_DIST } from '../../src/server/http/web-app.routes.ts';
import { openTestStore, type TestStore } from './stores.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Per-test limit for browser tests (vitest's default 30 s is tight for a whole flow on a busy machine). */
export const BROWSER_TEST_TIMEOUT = 120_000;
const ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-output', 'screenshots');

/** Newest modification time under the given paths (files or directories). */
function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    const stat = fs.statSync(p);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** Builds dist/web when it is missing or older than the web sources. */
export function ensureFreshWebBuild(): void {
  const index = path.join(WEB_DIST, 'index.html');
  const sources = [path.join(ROOT, 'src/web/agent'), path.join(ROOT, 'src/shared'), path.join(ROOT, 'vite.config.ts')];
  const isFresh = () => fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestMtime(sources);
  if (isFresh()) return;
  const lock = path.join(os.tmpdir(), `parley-web-build-${Buffer.from(ROOT).toString('hex').slice(-24)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than two minutes is a leftover.
      if (fs.existsSync(lock) && Date.now() - fs.statSync(lock).mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another web build');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    if (isFresh()) return;
    // Build beside dist/web and swap it in, keeping the previous hashed assets, so a test that is
    // serving the old build right now (another file, another helper) never sees a missing file.
    const next = path.join(path.dirname(WEB_DIST), `.web-build-${process.pid}`);
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', '--outDir', next, '--emptyOutDir'], { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stderr}${result.stdout}`);
    const oldAssets = path.join(WEB_DIST, 'assets');
    if (fs.existsSync(oldAssets)) {
      for (const file of fs.readdirSync(oldAssets)) {
        const target = path.join(next, 'assets', file);
        if (!fs.existsSync(target)) fs.copyFileSync(path.join(oldAssets, file), target);
      }
    }
    const previous = `${WEB_DIST}.old-${process.pid}`;
    if (fs.existsSync(WEB_DIST)) fs.renameSync(WEB_DIST, previous);
    fs.renameSync(next, WEB_DIST);
    fs.rmSync(previous, { recursive: true, force: true });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface BrowserHarness {
  store: TestStore;
  app: FastifyInstance;
  baseUrl: string;
  context: BrowserContext;
  /** A new tab with a clean cookie jar; every dialog (alert, confirm…) it raises is recorded. */
  newPage(): Promise<Page>;
  /** JavaScript dialogs raised by any page so far (alert(1) would land here). */
  dialogs: string[];
  screenshot(page: Page, name: string, opts?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function startBrowserHarness(env: Record<string, string> = {}): Promise<BrowserHarness> {
  ensureFreshWebBuild();
  const store = await openTestStore('sqlite', env);
  const app = await buildApp(store.deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
    baseURL: baseUrl,
  });
  const dialogs: string[] = [];
  context.on('page', (page) => {
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => {});
    });
  });
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    store,
    app,
    baseUrl,
    context,
    dialogs,
    newPage: async () => {
      await context.clearCookies();
      for (const open of context.pages()) await open.close();
      const page = await context.newPage();
      // Generous: these wait for the app, they measure nothing; the suite shares two cores.
      page.setDefaultTimeout(20_000);
      return page;
    },
    screenshot: async (page, name, opts = {}) => {
      const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`);
      await page.screenshot({ path: file, fullPage: opts.fullPage ?? false });
      return file;
    },
    close: async () => {
      await context.close().catch(() => {});
      await app.close();
      await store.dispose();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form (dropping the browser's previous session first). */
export async function logInThroughForm(page: Page, email: string, password: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Account menu' }).waitFor();
}

/**
 * Settings > Inboxes > Connect a channel > Team email (IMAP), filled up to the login: the team
 * address and a plain-IMAP server (a test Dovecot). Returns the dialog; the caller fills the user
 * name and password and connects.
 */
export async function openTeamEmailForm(page: Page, opts: { address: string; host: string; port: number }): Promise<Locator> {
  await page.goto('/settings/inboxes');
  await page.getByRole('button', { name: 'Connect a channel' }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect a channel' });
  await dialog.getByRole('button', { name: /Team email \(IMAP\)/ }).click();
  await dialog.getByLabel('Team email address').fill(opts.address);
  await dialog.getByLabel('IMAP server').fill(opts.host);
  await dialog.getByLabel('IMAP: use TLS (SSL) from the start').uncheck();
  await dialog.getByLabel('IMAP port').fill(String(opts.port));
  return dialog;
}
