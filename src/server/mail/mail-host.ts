// Which IMAP/SMTP hosts a user may make Parley connect to. DESIGN.md: default-deny anything that
// makes the server open a connection on a user's behalf to a private or loopback address (SSRF),
// unless ALLOW_PRIVATE_MAIL_HOSTS is set (self-hosters with an internal mail server; the tests'
// Dovecot on 127.0.0.1). We resolve once and connect to the address we checked, so a DNS answer
// that changes between the check and the connection (DNS rebinding) cannot slip past.
import dns from 'node:dns/promises';
import net from 'node:net';
import { DomainError } from '../core/errors.ts';

/** RFC 1918, RFC 6598 (CGNAT), loopback, link-local, unspecified, multicast, and their IPv6 kin. */
export function isPrivateAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (net.isIPv6(ip)) {
    const lower = ip.toLowerCase();
    const mapped = lower.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    if (mapped) return isPrivateAddress(mapped[1]!);
    return lower === '::' || lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || lower.startsWith('ff');
  }
  return true;
}

export interface ResolvedHost {
  /** What the user typed (for TLS SNI and certificate checks, and messages). */
  host: string;
  /** The address we checked and will connect to. */
  address: string;
}

/** Resolves `host`; refuses private targets unless allowed. `label` is "IMAP" or "SMTP". */
export async function resolveMailHost(host: string, opts: { allowPrivate: boolean; label: 'IMAP' | 'SMTP'; field: string }): Promise<ResolvedHost> {
  const code = opts.label === 'IMAP' ? 'imap_unreachable' : 'smtp_unreachable';
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true })).map((a) => a.address);
    } catch (err) {
      throw new DomainError(code, `Could not find the ${opts.label} server ${host}: ${(err as NodeJS.ErrnoException).code ?? 'lookup failed'}`, opts.field);
    }
  }
  if (!opts.allowPrivate && addresses.some(isPrivateAddress)) {
    throw new DomainError(
      'mail_host_not_allowed',
      `${host} is a private or loopback address; Parley connects only to public mail servers unless ALLOW_PRIVATE_MAIL_HOSTS is set`,
      opts.field,
    );
  }
  const address = addresses[0];
  if (!address) throw new DomainError(code, `Could not find the ${opts.label} server ${host}`, opts.field);
  return { host, address };
}
