// The only reader of process.env. Every setting is validated here so a bad value stops
// start-up with one line naming the variable, instead of failing later somewhere deep.
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535');
const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a domain name such as parley.example.com');
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

const schema = z.object({
  PORT: port.default(3000),
  SMTP_PORT: port.default(2525),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  MAIL_DOMAIN: domain.default('parley.localhost'),
  FREE_MAIL_DOMAIN: domain.default('free.parley.localhost'),
  SMTP_RELAY_URL: url(['smtp:', 'smtps:']).optional(),
  PUBLIC_URL: url(['http:', 'https:']).default('http://localhost:3000'),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  SMTP_MAX_MESSAGE_BYTES: z.coerce.number().int('must be an integer').positive('must be positive').default(25 * 1024 * 1024),
  // Postfix's smtpd_client_connection_count_limit default: one host cannot fill every SMTP slot.
  SMTP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int('must be an integer').positive('must be positive').default(50),
  SMTP_TLS_KEY: z.string().optional(),
  SMTP_TLS_CERT: z.string().optional(),
  // SSRF guard (DESIGN.md): connected mailboxes may not point at private or loopback hosts unless
  // this is set (an internal mail server, or the tests' Dovecot on 127.0.0.1).
  ALLOW_PRIVATE_MAIL_HOSTS: z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).default('false'),
  // DKIM for outbound mail (mail/dkim.ts): the selector and a PEM private key file; mail whose From
  // domain is DKIM_DOMAIN or one of its subdomains is signed with d=DKIM_DOMAIN (default MAIL_DOMAIN).
  DKIM_SELECTOR: z.string().regex(/^[a-z0-9]([a-z0-9._-]{0,62})$/i, 'must be a DNS label such as parley2026').optional(),
  DKIM_PRIVATE_KEY_PATH: z.string().optional(),
  DKIM_DOMAIN: domain.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROLES: z
    .string()
    // One process plays every role by default (DESIGN.md); imap polls connected team mailboxes.
    .default('web,smtp,imap,worker')
    .refine((v) => v.split(',').every((r) => ['web', 'smtp', 'imap', 'worker'].includes(r.trim())), 'must be a comma-separated list of web, smtp, imap, worker'),
});

export type Config = {
  port: number;
  smtpPort: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  mailDomain: string;
  freeMailDomain: string;
  smtpRelayUrl: string | undefined;
  /** Outbound DKIM signing; undefined when DKIM_SELECTOR/DKIM_PRIVATE_KEY_PATH are unset. */
  dkim: { selector: string; privateKeyPath: string; domain: string } | undefined;
  publicUrl: string;
  secretKey: string | undefined;
  allowPrivateMailHosts: boolean;
  smtpMaxMessageBytes: number;
  smtpMaxConnectionsPerIp: number;
  smtpTls: { key: string; cert: string } | undefined;
  logLevel: string;
  roles: Set<'web' | 'smtp' | 'imap' | 'worker'>;
  secureCookies: boolean;
};

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Treat empty strings as unset so `FOO= npm start` behaves like no FOO at all.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      const value = cleaned[name];
      return `${name}=${JSON.stringify(value ?? '')} is invalid: ${i.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const c = parsed.data;
  if (Boolean(c.SMTP_TLS_KEY) !== Boolean(c.SMTP_TLS_CERT)) {
    throw new ConfigError('SMTP_TLS_KEY and SMTP_TLS_CERT must be set together (paths to a PEM key and certificate)');
  }
  if (Boolean(c.DKIM_SELECTOR) !== Boolean(c.DKIM_PRIVATE_KEY_PATH)) {
    throw new ConfigError('DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH must be set together (a selector and the path to a PEM private key)');
  }
  return {
    port: c.PORT,
    smtpPort: c.SMTP_PORT,
    host: c.HOST,
    dataDir: path.resolve(c.DATA_DIR),
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    mailDomain: c.MAIL_DOMAIN.toLowerCase(),
    freeMailDomain: c.FREE_MAIL_DOMAIN.toLowerCase(),
    smtpRelayUrl: c.SMTP_RELAY_URL,
    dkim:
      c.DKIM_SELECTOR && c.DKIM_PRIVATE_KEY_PATH
        ? { selector: c.DKIM_SELECTOR, privateKeyPath: path.resolve(c.DKIM_PRIVATE_KEY_PATH), domain: (c.DKIM_DOMAIN ?? c.MAIL_DOMAIN).toLowerCase() }
        : undefined,
    publicUrl: c.PUBLIC_URL.replace(/\/$/, ''),
    secretKey: c.SECRET_KEY,
    allowPrivateMailHosts: c.ALLOW_PRIVATE_MAIL_HOSTS === 'true' || c.ALLOW_PRIVATE_MAIL_HOSTS === '1',
    smtpMaxMessageBytes: c.SMTP_MAX_MESSAGE_BYTES,
    smtpMaxConnectionsPerIp: c.SMTP_MAX_CONNECTIONS_PER_IP,
    smtpTls: c.SMTP_TLS_KEY && c.SMTP_TLS_CERT ? { key: c.SMTP_TLS_KEY, cert: c.SMTP_TLS_CERT } : undefined,
    logLevel: c.LOG_LEVEL,
    roles: new Set(c.ROLES.split(',').map((r) => r.trim()) as Array<'web' | 'smtp' | 'imap' | 'worker'>),
    secureCookies: c.PUBLIC_URL.startsWith('https:'),
  };
}
