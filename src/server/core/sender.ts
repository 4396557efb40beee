// Pure rules for what a contact sees as the sender of an inbox email: the From name ("Agent and
// company name" / "Company name"), the From address (default `[username]@[subdomain].<domain>` or a
// verified custom one), the team signature's tokens, and the safety of every header value we build
// (no CR/LF, no quoted local parts). No I/O: the outbox worker, the preview endpoint and the tests
// all call these, so the preview is by construction what the mail carries.

export interface SenderAgent {
  firstName: string;
  lastName: string;
  email: string;
}

export interface SenderSettings {
  fromNameMode: 'agent_and_company' | 'company';
  companyName: string;
  fromAddressMode: 'default' | 'custom';
  customFromAddress: string | null;
  customFromVerified: boolean;
  signatureEnabled: boolean;
  signatureHtml: string;
}

export interface SenderIdentity {
  fromName: string;
  fromAddress: string;
  /** The signature with tokens filled in, or '' when the signature is off. */
  signatureHtml: string;
  /** Why the shown address is not the one chosen (an unverified custom address), or null. */
  notice: string | null;
}

/** Control characters (CR, LF, NUL, …) never reach a header: they would start a new header line (RFC 5322 §2.2). */
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f]+/g;

export function hasControlChars(value: string): boolean {
  return CONTROL.test(value);
}

/** A display name or subject made safe for one header line: control runs become one space. */
export function headerText(value: string): string {
  return value.replace(CONTROL_ALL, ' ').replace(/\s{2,}/g, ' ').trim();
}

export function fullName(agent: Pick<SenderAgent, 'firstName' | 'lastName'>): string {
  return headerText(`${agent.firstName} ${agent.lastName}`);
}

/** The company name the From name uses: the channel's, else the account's. */
export function effectiveCompany(settings: Pick<SenderSettings, 'companyName'>, accountCompany: string): string {
  return headerText(settings.companyName) || headerText(accountCompany);
}

/** "Agent and company name" -> "Ada Lovelace at Acme"; "Company name" -> "Acme". */
export function fromName(settings: Pick<SenderSettings, 'fromNameMode' | 'companyName'>, agent: SenderAgent | null, accountCompany: string): string {
  const company = effectiveCompany(settings, accountCompany);
  if (settings.fromNameMode === 'company' || !agent) return company;
  const name = fullName(agent);
  if (!name) return company;
  return company ? `${name} at ${company}` : name;
}

/**
 * A dot-atom local part (RFC 5322 §3.4.1) with a conservative character set. Quoted local parts
 * (RFC 5321 §4.1.2 Quoted-string) are refused everywhere we send: `"a@evil.com"@ours` is one
 * mailbox at our domain to a parser that follows the RFC and `a@evil.com` to one that does not
 * (parser differentials between MTAs, address-book code and libraries), so none gets through.
 */
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** True for `local@domain` with a dot-atom local part and a DNS domain; false for anything else. */
export function isPlainAddress(address: string): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at !== address.indexOf('@')) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return local.length <= 64 && LOCAL.test(local) && DOMAIN.test(domain);
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

export function localPartOf(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}

/**
 * The default username for an agent: "first.last" from the name (accents folded, anything else
 * dropped), else the local part of their login email, else "team". Always a valid dot-atom.
 */
export function defaultUsername(agent: SenderAgent | null): string {
  const clean = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.+|\.+$/g, '')
      .replace(/\.{2,}/g, '.');
  if (!agent) return 'team';
  const byName = clean([agent.firstName, agent.lastName].filter(Boolean).join(' ')).slice(0, 64).replace(/\.+$/, '');
  if (byName) return byName;
  const byEmail = clean(localPartOf(agent.email) || agent.email).slice(0, 64).replace(/\.+$/, '');
  return byEmail || 'team';
}

/** The From address: a verified custom address, else `[username]@[account mail domain]`. */
export function fromAddress(settings: SenderSettings, agent: SenderAgent | null, accountDomain: string): { address: string; notice: string | null } {
  const fallback = `${defaultUsername(agent)}@${accountDomain}`;
  if (settings.fromAddressMode !== 'custom') return { address: fallback, notice: null };
  const custom = settings.customFromAddress;
  if (!custom || !isPlainAddress(custom)) return { address: fallback, notice: 'The custom From address is missing or invalid; the default address is used.' };
  if (!settings.customFromVerified) return { address: fallback, notice: `${custom} is not verified yet; the default address is used until the verification link is opened.` };
  return { address: custom.toLowerCase(), notice: null };
}

export const SIGNATURE_TOKENS = {
  fullName: '{{agent.fullName}}',
  firstName: '{{agent.firstName}}',
  lastName: '{{agent.lastName}}',
} as const;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Fills the name tokens with the sending agent's names, HTML-escaped (the names are user input). */
export function fillSignature(signatureHtml: string, agent: SenderAgent | null): string {
  const first = agent ? escapeHtml(headerText(agent.firstName)) : '';
  const last = agent ? escapeHtml(headerText(agent.lastName)) : '';
  const full = agent ? escapeHtml(fullName(agent)) : '';
  return signatureHtml
    .replaceAll(SIGNATURE_TOKENS.fullName, full)
    .replaceAll(SIGNATURE_TOKENS.firstName, first)
    .replaceAll(SIGNATURE_TOKENS.lastName, last);
}

/** Everything a contact sees of the sender, for one agent and one set of settings. */
export function senderIdentity(settings: SenderSettings, agent: SenderAgent | null, account: { companyName: string; mailDomain: string }): SenderIdentity {
  const address = fromAddress(settings, agent, account.mailDomain);
  const signature = settings.signatureEnabled && settings.signatureHtml.trim() ? fillSignature(settings.signatureHtml, agent) : '';
  return { fromName: fromName(settings, agent, account.companyName), fromAddress: address.address, signatureHtml: signature, notice: address.notice };
}

/** "Re: <subject>" without stacking: "Re: Re: x", "RE: x" and "Re[2]: x" all become "Re: x" (RFC 5322 §3.6.5). */
export function replySubject(subject: string): string {
  const base = headerText(subject).replace(/^((re|aw|sv|antw)(\[\d+\])?\s*:\s*)+/i, '');
  return base ? `Re: ${base}` : 'Re: (no subject)';
}

/** `inbox+c_<token>@acme.parley.localhost`: the strongest threading key for the customer's answer. */
export function replyToAddress(inboundAddress: string, replyToken: string): string {
  return `${localPartOf(inboundAddress)}+c_${replyToken}@${domainOf(inboundAddress)}`;
}
