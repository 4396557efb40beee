// Pure rules for the addresses Parley provisions: the account's mail domain by plan, and the
// local parts of each inbox's fallback (inbound) and forwarding addresses.
import crypto from 'node:crypto';
import type { Plan } from '../db/schema.ts';

export interface MailDomains {
  mailDomain: string;
  freeMailDomain: string;
}

/** `acme` on a paid plan -> acme.parley.localhost; on the free plan -> acme.free.parley.localhost. */
export function accountMailDomain(subdomain: string, plan: Plan, domains: MailDomains): string {
  return `${subdomain}.${plan === 'free' ? domains.freeMailDomain : domains.mailDomain}`;
}

/** A readable local part from an inbox name: "Sales EMEA" -> "sales-emea". */
export function slugLocalPart(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '');
  return slug || 'inbox';
}

/** Forwarding addresses are unguessable so a stranger cannot inject mail as a "forward". */
export function forwardingLocalPart(): string {
  return `fwd-${crypto.randomBytes(6).toString('hex')}`;
}

export function isPaidPlan(plan: Plan): boolean {
  return plan !== 'free';
}

/** Multiple inboxes are a Professional and Enterprise feature (seed: "Create a new inbox"). */
export function planAllowsMultipleInboxes(plan: Plan): boolean {
  return plan === 'professional' || plan === 'enterprise';
}
