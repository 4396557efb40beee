// The `parley` command line as a user runs it: `node bin/parley.js …` in a child process with a
// temp DATA_DIR (SQLite). Checks the printed JSON, that a printed token works against the API,
// and that bad flags and bad environment variables fail with one clear line and a non-zero exit.
import { expect, it, beforeAll, afterAll, describe } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parley } from './helpers/processes.ts';
import { loadConfig } from '../src/server/config.ts';
import { createDeps, type Deps } from '../src/server/deps.ts';
import { apiClient, testApp } from './helpers/api.ts';

describe('parley CLI', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-'));
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  let created: Record<string, any>;

  beforeAll(async () => {
    const res = await parley(
      ['account', 'create', '--name', 'Acme Inc', '--subdomain', 'acme', '--plan', 'professional', '--owner-email', 'Owner@Acme.test', '--owner-password', 'password123', '--company', 'Acme'],
      env,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    created = JSON.parse(res.stdout);
  }, 120_000);
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('account create prints the account, owner, token and default inbox with its fallback address', () => {
    expect(created.account).toMatchObject({ name: 'Acme Inc', subdomain: 'acme', plan: 'professional', companyName: 'Acme', mailDomain: 'acme.parley.localhost' });
    expect(created.owner).toMatchObject({ email: 'owner@acme.test', role: 'super_admin', seat: 'paid' });
    expect(created.token).toMatch(/^prl_[A-Za-z0-9_-]{40,}$/);
    expect(created.inbox).toMatchObject({ name: 'Inbox', isDefault: true, access: 'everyone' });
    expect(created.fallbackEmail).toBe('inbox@acme.parley.localhost');
    expect(created.channel.email).toMatchObject({ isFallback: true, inboundAddress: 'inbox@acme.parley.localhost' });
    expect(created.forwardingAddress).toMatch(/^fwd-[0-9a-f]+@acme\.parley\.localhost$/);
  });

  it('user create and token create print JSON, and both tokens work against the API', { timeout: 120_000 }, async () => {
    const user = await parley(['user', 'create', '--account', 'acme', '--email', 'agent@acme.test', '--password', 'password123', '--role', 'agent', '--seat', 'free'], env);
    expect(user.code).toBe(0);
    expect(JSON.parse(user.stdout).user).toMatchObject({ email: 'agent@acme.test', role: 'agent', seat: 'free' });
    const token = await parley(['token', 'create', '--email', 'agent@acme.test'], env);
    expect(token.code).toBe(0);
    const issued = JSON.parse(token.stdout);
    expect(issued.token).toMatch(/^prl_/);
    // The same DATA_DIR opened in-process: the CLI's rows are there and the tokens authenticate.
    const deps: Deps = await createDeps(loadConfig(env), { logger: pino({ level: 'silent' }) });
    const app = await testApp(deps);
    try {
      const asAgent = await apiClient(app, issued.token).get('/me');
      expect(asAgent.status).toBe(200);
      expect(asAgent.body.user.email).toBe('agent@acme.test');
      const asOwner = await apiClient(app, created.token).get('/inboxes');
      expect(asOwner.body.items[0].channels[0].email.inboundAddress).toBe('inbox@acme.parley.localhost');
      expect((await apiClient(app, 'prl_not_a_token').get('/me')).status).toBe(401);
    } finally {
      await app.close();
      await deps.close();
    }
  });

  it('fails bad flags with one clear line on stderr and a non-zero exit', { timeout: 120_000 }, async () => {
    const cases = await Promise.all([
      parley(['account', 'create', '--name', 'X', '--plan', 'free', '--owner-email', 'x@x.test', '--owner-password', 'password123'], env),
      parley(['account', 'create', '--name', 'X', '--subdomain', 'xx', '--plan', 'gold', '--owner-email', 'x@x.test', '--owner-password', 'password123'], env),
      parley(['user', 'create', '--account', 'acme', '--email', 'a@b.test', '--password', 'password123', '--role', 'agent', '--seat', 'paid', '--colour', 'red'], env),
      parley(['account', 'create', '--name', 'Dup', '--subdomain', 'acme', '--plan', 'free', '--owner-email', 'd@d.test', '--owner-password', 'password123'], env),
      parley(['token', 'create', '--email', 'nobody@acme.test'], env),
      parley(['frobnicate'], env),
    ]);
    const firstLines = cases.map((c) => c.stderr.split('\n')[0]);
    for (const c of cases) {
      expect(c.code).not.toBe(0);
      expect(c.stdout).toBe('');
    }
    expect(firstLines[0]).toBe('parley: --subdomain is required');
    expect(firstLines[1]).toBe('parley: --plan "gold" is not one of the allowed values');
    expect(firstLines[2]).toMatch(/^parley: Unknown option '--colour'/);
    expect(firstLines[3]).toBe('parley: subdomain_taken: The subdomain "acme" is already taken');
    expect(firstLines[4]).toBe('parley: No user with email "nobody@acme.test"');
    expect(firstLines[5]).toBe('parley: Unknown command "frobnicate"');
  });

  it('refuses to start on a bad environment variable with one line naming it', { timeout: 120_000 }, async () => {
    const [badPort, badDb, badDomain] = await Promise.all([
      parley(['start'], { ...env, PORT: 'abc' }),
      parley(['migrate'], { ...env, DATABASE_URL: 'mysql://localhost/x' }),
      parley(['start'], { ...env, MAIL_DOMAIN: 'not a domain' }),
    ]);
    expect(badPort.code).not.toBe(0);
    expect(badPort.stderr.trim()).toBe('parley: configuration error: PORT="abc" is invalid: must be a number');
    expect(badDb.code).not.toBe(0);
    expect(badDb.stderr.trim()).toMatch(/^parley: configuration error: DATABASE_URL="mysql:\/\/localhost\/x" is invalid: must be a URL starting with postgres:/);
    expect(badDomain.stderr.trim()).toMatch(/^parley: configuration error: MAIL_DOMAIN="not a domain" is invalid/);
    expect(badDomain.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('migrate prints what it did', { timeout: 120_000 }, async () => {
    const res = await parley(['migrate'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ migrated: true, database: 'sqlite' });
  });

  it('blobs sweep deletes stored files nothing refers to and prints what it did', { timeout: 120_000 }, async () => {
    const orphan = path.join(dataDir, 'blobs', 'sha256', 'ab', 'cd', `abcd${'0'.repeat(60)}`);
    fs.mkdirSync(path.dirname(orphan), { recursive: true });
    fs.writeFileSync(orphan, 'left by a crash between the blob and its row');
    const old = new Date(Date.now() - 2 * 60 * 60_000);
    fs.utimesSync(orphan, old, old);
    const res = await parley(['blobs', 'sweep'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ removed: 1, removedBytes: 44 });
    expect(fs.existsSync(orphan)).toBe(false);
  });
});
