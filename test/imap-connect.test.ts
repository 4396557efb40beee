// Connecting a team mailbox: POST /inboxes/{id}/channels tests the IMAP (and SMTP) login against
// a real Dovecot and a real SMTP server before saving, answers what failed, and stores the
// credentials encrypted.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { describeEachStore, makeAccount, openTestStore } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { decryptSecret, encryptSecret, openJson, secretKey } from '../src/server/core/secrets.ts';
import { isPrivateAddress } from '../src/server/mail/mail-host.ts';
import { testImapLogin } from '../src/server/mail/connection-tests.ts';
import { DomainError } from '../src/server/core/errors.ts';
import { createUser } from '../src/server/core/create-user.ts';
import { issueApiToken } from '../src/server/core/api-tokens.ts';

let dovecot: Dovecot;
let smtp: SMTPServer;
let smtpPort = 0;
const SMTP_USER = 'team-smtp';
const SMTP_PASS = 'smtp-secret';

beforeAll(async () => {
  dovecot = await startDovecot();
  smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) return cb(null, { user: auth.username });
      return cb(new Error('Invalid username or password'));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await dovecot?.dispose();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

async function mailbox() {
  const user = `team-${crypto.randomBytes(4).toString('hex')}@example.com`;
  const password = crypto.randomBytes(8).toString('hex');
  await dovecot.addUser(user, password);
  return { user, password };
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describeEachStore(
  'connect a team mailbox',
  (store) => {
    it('tests the IMAP login, saves encrypted settings and returns the channel, the team address not yet routed over SMTP', async () => {
      const { deps } = store();
      const acct = await makeAccount(deps);
      const app = await testApp(deps);
      const api = apiClient(app, acct.token);
      const mb = await mailbox();
      const res = await api.post(`/inboxes/${acct.inbox.id}/channels`, {
        type: 'email',
        teamAddress: mb.user.toUpperCase(),
        imap: { host: dovecot.host, port: dovecot.port, tls: false, user: mb.user, password: mb.password },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ inboxId: acct.inbox.id, type: 'email', enabled: true, status: 'ok', email: { teamAddress: mb.user, isFallback: false } });
      expect(res.body.email.inboundAddress).toMatch(new RegExp(`^team-[0-9a-f]+@${acct.account.subdomain}\\.`));
      expect(res.body.email.forwardingAddress).toMatch(/^fwd-/);
      expect(JSON.stringify(res.body)).not.toContain(mb.password);

      const row = await deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', res.body.id).executeTakeFirstOrThrow();
      expect(row.imap_config).not.toContain(mb.password);
      expect(openJson(secretKey(deps.config), row.imap_config!)).toEqual({ host: '127.0.0.1', port: dovecot.port, tls: false, user: mb.user, password: mb.password });
      expect(row.smtp_config).toBeNull();
      expect(row.imap_uidvalidity).toMatch(/^\d+$/);
      expect(row.imap_last_uid).toBe(0);
      // The team address is not routed over SMTP until the account proves it owns it (test/team-address-verification.test.ts).
      expect(res.body.email.teamAddressVerified).toBe(false);
      const addresses = await deps.store.db.selectFrom('channel_addresses').select(['address', 'kind']).where('channel_id', '=', res.body.id).orderBy('kind').execute();
      expect(addresses.map((a) => a.kind)).toEqual(['forwarding', 'inbound']);

      const listed = await api.get(`/inboxes/${acct.inbox.id}/channels`);
      expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(res.body.id);
      const audit = await deps.store.db.selectFrom('audit_log').select('changes').where('subject_id', '=', res.body.id).executeTakeFirstOrThrow();
      expect(audit.changes).not.toContain(mb.password);

      // The same address cannot be connected twice.
      const again = await api.post(`/inboxes/${acct.inbox.id}/channels`, {
        type: 'email',
        teamAddress: mb.user,
        imap: { host: dovecot.host, port: dovecot.port, tls: false, user: mb.user, password: mb.password },
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('address_taken');

      // Nor the same mailbox under another address, in this inbox or another: each message would arrive twice.
      const sales = await api.post('/inboxes', { name: 'Sales' });
      const sameMailbox = await api.post(`/inboxes/${sales.body.id}/channels`, {
        type: 'email',
        teamAddress: `alias-${mb.user}`,
        imap: { host: dovecot.host.toUpperCase(), port: dovecot.port, tls: false, user: mb.user.toUpperCase(), password: mb.password },
      });
      expect(sameMailbox.status).toBe(409);
      expect(sameMailbox.body.error).toEqual({
        code: 'conflict',
        field: 'imap.user',
        message: `${mb.user.toUpperCase()} on ${dovecot.host.toUpperCase()} is already connected as ${res.body.name} in the ${acct.inbox.name} inbox: every message would arrive twice. Disconnect it there first.`,
      });
      await app.close();
    });

    it('refuses a wrong IMAP password with imap_auth_failed and saves nothing', async () => {
      const { deps } = store();
      const acct = await makeAccount(deps);
      const app = await testApp(deps);
      const api = apiClient(app, acct.token);
      const mb = await mailbox();
      const res = await api.post(`/inboxes/${acct.inbox.id}/channels`, {
        type: 'email',
        teamAddress: mb.user,
        imap: { host: dovecot.host, port: dovecot.port, tls: false, user: mb.user, password: 'wrong-password' },
      });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('imap_auth_failed');
      expect(res.body.error.message).toMatch(/refused the user name or password/);
      const channels = await deps.store.db.selectFrom('channels').select('id').where('account_id', '=', acct.account.id).execute();
      expect(channels).toHaveLength(1); // only the default inbox's fallback email
      const team = await deps.store.db.selectFrom('channel_addresses').select('address').where('address', '=', mb.user).executeTakeFirst();
      expect(team).toBeUndefined();
      await app.close();
    });

    it('names an unreachable IMAP server', async () => {
      const { deps } = store();
      const acct = await makeAccount(deps);
      const app = await testApp(deps);
      const api = apiClient(app, acct.token);
      const port = await closedPort();
      const res = await api.post(`/inboxes/${acct.inbox.id}/channels`, {
        type: 'email',
        teamAddress: 'nobody@example.com',
        imap: { host: '127.0.0.1', port, tls: false, user: 'x', password: 'y' },
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'imap_unreachable', message: `Could not connect to 127.0.0.1:${port}: ECONNREFUSED` });
      await app.close();
    });

    it('says what to change when TLS fails: TLS on a plain port, a self-signed certificate', async () => {
      const { deps } = store();
      const acct = await makeAccount(deps);
      const app = await testApp(deps);
      const api = apiClient(app, acct.token);
      const connect = (port: number) =>
        api.post(`/inboxes/${acct.inbox.id}/channels`, { type: 'email', teamAddress: 'tls@example.com', imap: { host: '127.0.0.1', port, tls: true, user: 'x', password: 'y' } });
      // TLS switched on against Dovecot's plain IMAP port.
      const plain = await connect(dovecot.port);
      expect(plain.status).toBe(422);
      expect(plain.body.error).toMatchObject({
        code: 'imap_unreachable',
        message: `TLS with 127.0.0.1:${dovecot.port} failed: the server did not answer in TLS. The port may be for plain connections: turn TLS off, or use the server's TLS port (usually 993).`,
      });
      // A TLS server with a self-signed certificate (a real handshake; nothing after it is needed).
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      const server = tls.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (socket) => socket.end('* OK IMAP4rev1 ready\r\n'));
      server.on('tlsClientError', () => {});
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as AddressInfo).port;
        const selfSigned = await connect(port);
        expect(selfSigned.status).toBe(422);
        expect(selfSigned.body.error.code).toBe('imap_unreachable');
        expect(selfSigned.body.error.message).toBe(
          `TLS with 127.0.0.1:${port} failed: the server's certificate is self-signed or from an authority this server does not trust, so its identity cannot be checked (DEPTH_ZERO_SELF_SIGNED_CERT). Ask your mail provider for the host name that has a certificate from a public authority.`,
        );
      } finally {
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
        await app.close();
      }
    });

    it('tests the SMTP login too when given: wrong password refused, right one saved encrypted', async () => {
      const { deps } = store();
      const acct = await makeAccount(deps);
      const app = await testApp(deps);
      const api = apiClient(app, acct.token);
      const mb = await mailbox();
      const body = (password: string) => ({
        type: 'email',
        teamAddress: mb.user,
        imap: { host: dovecot.host, port: dovecot.port, tls: false, user: mb.user, password: mb.password },
        smtp: { host: '127.0.0.1', port: smtpPort, tls: false, user: SMTP_USER, password },
      });
      const bad = await api.post(`/inboxes/${acct.inbox.id}/channels`, body('nope'));
      expect(bad.status).toBe(422);
      expect(bad.body.error.code).toBe('smtp_auth_failed');
      expect(await deps.store.db.selectFrom('channel_addresses').select('address').where('address', '=', mb.user).executeTakeFirst()).toBeUndefined();

      const good = await api.post(`/inboxes/${acct.inbox.id}/channels`, body(SMTP_PASS));
      expect(good.status).toBe(201);
      const row = await deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', good.body.id).executeTakeFirstOrThrow();
      expect(openJson(secretKey(deps.config), row.smtp_config!)).toMatchObject({ user: SMTP_USER, password: SMTP_PASS, port: smtpPort });
      await app.close();
    });

    it('only admins may connect, and bad input is a 400 naming the field', async () => {
      const { deps } = store();
      const acct = await makeAccount(deps);
      const app = await testApp(deps);
      const api = apiClient(app, acct.token);
      const missing = await api.post(`/inboxes/${acct.inbox.id}/channels`, { type: 'email', teamAddress: 'not-an-address', imap: { host: 'h', port: 1, tls: false, user: 'u', password: 'p' } });
      expect(missing.status).toBe(400);
      expect(missing.body.error.code).toBe('validation_failed');
      const extra = await api.post(`/inboxes/${acct.inbox.id}/channels`, { type: 'email', teamAddress: 'a@example.com', imap: { host: 'h', port: 1, tls: false, user: 'u', password: 'p', evil: 1 } });
      expect(extra.status).toBe(400);
      const ours = await api.post(`/inboxes/${acct.inbox.id}/channels`, {
        type: 'email',
        teamAddress: `x@${acct.account.subdomain}.${deps.config.mailDomain}`,
        imap: { host: dovecot.host, port: dovecot.port, tls: false, user: 'u', password: 'p' },
      });
      expect(ours.status).toBe(400);
      expect(ours.body.error.field).toBe('teamAddress');

      const sys = { kind: 'system' as const, accountId: acct.account.id, reason: 'test' };
      const agent = await deps.run(sys, (ctx) => createUser(ctx, { accountId: acct.account.id, email: `agent-${crypto.randomBytes(3).toString('hex')}@example.com`, role: 'agent', seat: 'paid', teamIds: [] }));
      const { token } = await deps.run(sys, (ctx) => issueApiToken(ctx, { user: agent, name: 'test' }));
      const mb = await mailbox();
      const res = await apiClient(app, token).post(`/inboxes/${acct.inbox.id}/channels`, {
        type: 'email',
        teamAddress: mb.user,
        imap: { host: dovecot.host, port: dovecot.port, tls: false, user: mb.user, password: mb.password },
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      await app.close();
    });
  },
  { ALLOW_PRIVATE_MAIL_HOSTS: 'true' },
);

describe('what a failed login test says', () => {
  it('a port that accepts but never greets is named as such, not as a TLS failure', async () => {
    const silent = net.createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const err = await testImapLogin({ host: '127.0.0.1', port, tls: false, user: 'x', password: 'y' }, { allowPrivate: true, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({
        code: 'imap_unreachable',
        message: `127.0.0.1:${port} accepted the connection but sent no IMAP greeting: is it an IMAP port? (if the server expects TLS from the start, turn TLS on)`,
      });
    } finally {
      silent.close();
    }
  });
});

describe('private mail hosts (SSRF rule)', () => {
  it('refuses loopback and private IMAP hosts unless ALLOW_PRIVATE_MAIL_HOSTS is set', async () => {
    const ts = await openTestStore('sqlite');
    try {
      const acct = await makeAccount(ts.deps);
      const app = await testApp(ts.deps);
      const api = apiClient(app, acct.token);
      for (const host of ['127.0.0.1', '10.1.2.3', '192.168.0.10', 'localhost', '[::1]']) {
        const res = await api.post(`/inboxes/${acct.inbox.id}/channels`, {
          type: 'email',
          teamAddress: 'team@example.com',
          imap: { host, port: dovecot.port, tls: false, user: 'u', password: 'p' },
        });
        expect(res.status, host).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'mail_host_not_allowed', field: 'imap.host' });
      }
      await app.close();
    } finally {
      await ts.dispose();
    }
  });

  it('classifies addresses', () => {
    for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '224.0.0.1']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) expect(isPrivateAddress(ip), ip).toBe(false);
  });
});

describe('secrets', () => {
  it('round-trips with AES-256-GCM, detects tampering, and keeps one generated key per DATA_DIR (mode 0600)', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-secret-'));
    try {
      const key = secretKey({ secretKey: undefined, dataDir: dir });
      const sealed = encryptSecret(key, 'hunter2');
      expect(sealed).not.toContain('hunter2');
      expect(decryptSecret(key, sealed)).toBe('hunter2');
      expect(encryptSecret(key, 'hunter2')).not.toBe(sealed); // fresh IV each time
      expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
      const parts = sealed.split(':');
      const ct = Buffer.from(parts[3]!, 'base64url');
      ct[0] = ct[0]! ^ 1;
      parts[3] = ct.toString('base64url');
      expect(() => decryptSecret(key, parts.join(':'))).toThrow(/cannot be decrypted/);
      const other = secretKey({ secretKey: 'x'.repeat(40), dataDir: dir });
      expect(() => decryptSecret(other, sealed)).toThrow(/cannot be decrypted/);
      expect(decryptSecret(other, encryptSecret(secretKey({ secretKey: 'x'.repeat(40), dataDir: '/nonexistent' }), 'ok'))).toBe('ok');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
