import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.smtpPort).toBe(2525);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.mailDomain).toBe('parley.localhost');
    expect(c.freeMailDomain).toBe('free.parley.localhost');
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it.each([
    ['PORT', 'abc', /PORT="abc" is invalid: must be a number/],
    ['PORT', '70000', /PORT="70000" is invalid: must be between 1 and 65535/],
    ['SMTP_PORT', '0', /SMTP_PORT="0" is invalid/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL="mysql:\/\/x" is invalid: must be a URL starting with postgres:/],
    ['REDIS_URL', 'http://x', /REDIS_URL="http:\/\/x" is invalid/],
    ['MAIL_DOMAIN', 'not a domain', /MAIL_DOMAIN="not a domain" is invalid: must be a domain name/],
    ['SMTP_RELAY_URL', 'nope', /SMTP_RELAY_URL="nope" is invalid/],
    ['PUBLIC_URL', 'ftp://x', /PUBLIC_URL="ftp:\/\/x" is invalid/],
    ['SECRET_KEY', 'short', /SECRET_KEY="short" is invalid: must be at least 32 characters/],
  ])('refuses %s=%s with a line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).port).toBe(3000);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      SMTP_PORT: '2626',
      HOST: '0.0.0.0',
      DATA_DIR: '/tmp/x',
      DATABASE_URL: 'postgres://u@h/db',
      REDIS_URL: 'redis://127.0.0.1:6379',
      MAIL_DOMAIN: 'mail.example.com',
      FREE_MAIL_DOMAIN: 'free.example.com',
      SMTP_RELAY_URL: 'smtp://127.0.0.1:2526',
      PUBLIC_URL: 'https://parley.example.com/',
    });
    expect(c).toMatchObject({ port: 8080, smtpPort: 2626, host: '0.0.0.0', dataDir: '/tmp/x', redisUrl: 'redis://127.0.0.1:6379', smtpRelayUrl: 'smtp://127.0.0.1:2526', publicUrl: 'https://parley.example.com', secureCookies: true });
  });
});
