// Account subdomains become DNS labels in every mail address (…@acme.parley.localhost),
// so they follow RFC 1035 label rules and skip names we or mail systems use.
import { DomainError } from './errors.ts';

const RESERVED = new Set([
  'www', 'api', 'app', 'admin', 'administrator', 'mail', 'smtp', 'imap', 'pop', 'pop3', 'mx', 'ftp', 'ns', 'ns1', 'ns2',
  'dns', 'root', 'postmaster', 'hostmaster', 'webmaster', 'abuse', 'noreply', 'no-reply', 'support', 'help', 'status',
  'billing', 'security', 'static', 'assets', 'cdn', 'widget', 'ws', 'localhost', 'parley', 'free', 'test', 'internal',
  'system', 'login', 'signup', 'auth', 'oauth', 'docs', 'blog', 'dashboard', 'account', 'accounts', 'bounce', 'bounces',
]);

/** Normalises and checks a subdomain; throws a DomainError that says what is wrong. */
export function checkSubdomain(raw: string): string {
  const sub = raw.trim().toLowerCase();
  if (sub.length < 3 || sub.length > 40) {
    throw new DomainError('subdomain_invalid', 'Subdomain must be 3 to 40 characters long', 'subdomain');
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(sub)) {
    throw new DomainError(
      'subdomain_invalid',
      'Subdomain may contain only letters, digits and hyphens, and must start and end with a letter or digit',
      'subdomain',
    );
  }
  // "xn--" labels are punycode; "ab--cd" with hyphens in positions 3-4 is reserved by RFC 5891 §4.2.3.1.
  if (sub.slice(2, 4) === '--') {
    throw new DomainError('subdomain_invalid', 'Subdomain may not have hyphens in the third and fourth positions', 'subdomain');
  }
  if (RESERVED.has(sub)) {
    throw new DomainError('subdomain_reserved', `The subdomain "${sub}" is reserved; choose another`, 'subdomain');
  }
  return sub;
}
