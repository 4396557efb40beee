// Which outbound mail gets a DKIM signature (RFC 6376) and with which key. One key, configured
// by DKIM_SELECTOR + DKIM_PRIVATE_KEY_PATH, signs mail whose From domain is DKIM_DOMAIN or a
// subdomain of it (every account's `<sub>.MAIL_DOMAIN` aligns with d=MAIL_DOMAIN under DMARC's
// relaxed alignment, RFC 7489 §3.1.1); custom From addresses at other domains are not signed.
import fs from 'node:fs';
import type { Config } from '../config.ts';
import { domainOf } from '../core/sender.ts';

export interface DkimOptions {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

const keys = new Map<string, string>();

function readKey(file: string): string {
  let key = keys.get(file);
  if (key === undefined) {
    key = fs.readFileSync(file, 'utf8');
    if (!key.includes('PRIVATE KEY')) throw new Error(`DKIM_PRIVATE_KEY_PATH ${file} does not hold a PEM private key`);
    keys.set(file, key);
  }
  return key;
}

/** nodemailer's per-message `dkim` option for this From address, or undefined when not ours to sign. */
export function dkimFor(config: Pick<Config, 'dkim'>, fromAddress: string): DkimOptions | undefined {
  const dkim = config.dkim;
  if (!dkim) return undefined;
  const d = domainOf(fromAddress);
  if (d !== dkim.domain && !d.endsWith(`.${dkim.domain}`)) return undefined;
  return { domainName: dkim.domain, keySelector: dkim.selector, privateKey: readKey(dkim.privateKeyPath) };
}
