// The sending rules applied when an admin saves the fallback email's Configuration tab (the
// refiner core/update-channel.ts calls): From name unique among the account's fallback emails
// (seed: "you cannot use the same from name for multiple fallback emails"), header-safe company
// names, custom From address rules, and the team signature sanitised on save.
import sanitizeHtml from 'sanitize-html';
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import type { EmailPatchRefiner } from './update-channel.ts';
import { DomainError, invalid } from './errors.ts';
import { domainOf, effectiveCompany, hasControlChars, headerText, isPlainAddress, replyToAddress, senderIdentity, type SenderAgent, type SenderSettings } from './sender.ts';
import type { MailDomains } from './mail-addresses.ts';

type EmailColumns = Partial<Omit<Row<'email_channel_settings'>, 'channel_id'>>;

/**
 * What a team signature may hold: basic formatting, font face (the seed mentions it), links and
 * images. No script, style, iframe, form or event handler survives, and links/images may only be
 * http(s) (mailto/tel for links), so no `javascript:` URL reaches a contact's mail client.
 */
const SIGNATURE_POLICY: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'div', 'span', 'br', 'b', 'strong', 'i', 'em', 'u', 's', 'small', 'sub', 'sup', 'font', 'a', 'img', 'ul', 'ol', 'li', 'blockquote', 'hr', 'table', 'tbody', 'tr', 'td'],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'title'],
    font: ['face', 'color', 'size'],
    td: ['align', 'valign', 'width'],
    table: ['width', 'cellpadding', 'cellspacing', 'border'],
    p: ['align'],
    div: ['align'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer', target: '_blank' }) },
};

export function sanitizeSignature(html: string): string {
  return sanitizeHtml(html, SIGNATURE_POLICY).trim();
}

/** Our own mail domains (and their subdomains) are never a custom From address: use "Use default". */
function isOwnDomain(address: string, domains: MailDomains): boolean {
  const d = domainOf(address);
  return [domains.mailDomain, domains.freeMailDomain].some((own) => d === own || d.endsWith(`.${own}`));
}

export function emailSettingsRefiner(domains: MailDomains): EmailPatchRefiner {
  return async (ctx: Ctx<UserActor>, current: Row<'email_channel_settings'>, changes: EmailColumns): Promise<EmailColumns> => {
    const out: EmailColumns = { ...changes };
    if (out.company_name !== undefined) {
      if (hasControlChars(out.company_name)) throw invalid('email.companyName', 'The company name cannot contain line breaks or control characters');
      out.company_name = out.company_name.trim();
    }
    if (out.signature_html !== undefined) out.signature_html = sanitizeSignature(out.signature_html);

    const nextAddress = out.custom_from_address !== undefined ? out.custom_from_address : current.custom_from_address;
    const nextMode = out.from_address_mode ?? current.from_address_mode;
    if (out.custom_from_address) {
      if (!isPlainAddress(out.custom_from_address)) {
        throw invalid('email.customFromAddress', 'Enter a plain address such as support@example.com (quoted or unusual local parts are not accepted)');
      }
      if (isOwnDomain(out.custom_from_address, domains)) {
        throw invalid('email.customFromAddress', 'Addresses at Parley’s own mail domain cannot be a custom From address; choose "Use default"');
      }
    }
    if (nextMode === 'custom' && !nextAddress) throw invalid('email.customFromAddress', 'Enter the address to send from, then click Verify address');

    // Only a From name that changes is checked: saving a form that repeats the current one (the
    // Configuration tab sends every field) must not fail over a clash it did not make.
    const accountCompany = ctx.actor.account.company_name;
    const nextKey = fromNameKey(out.from_name_mode ?? current.from_name_mode, out.company_name ?? current.company_name, accountCompany);
    if (current.is_fallback === 1 && nextKey !== fromNameKey(current.from_name_mode, current.company_name, accountCompany)) {
      if ((await fallbackFromNamesInUse(ctx, ctx.actor.account, current.channel_id)).has(nextKey)) {
        throw new DomainError('from_name_taken', 'Another fallback email already uses this From name; the From name must be unique to each fallback email', 'email.companyName');
      }
    }
    return out;
  };
}

/**
 * Two fallback emails of one account with the same From name setting would show contacts the same
 * sender; the seed forbids it. Compared on the effective company name (the channel's, else the
 * account's), case-insensitively, together with the mode.
 */
function fromNameKey(mode: string, company: string, accountCompany: string): string {
  return `${mode}\u0000${effectiveCompany({ companyName: company }, accountCompany).toLowerCase()}`;
}

/** The From names the account's fallback emails use (fromNameKey), but for `exceptChannelId`'s. */
async function fallbackFromNamesInUse(ctx: Ctx, account: Pick<Row<'accounts'>, 'id' | 'company_name'>, exceptChannelId?: string): Promise<Set<string>> {
  let q = ctx.db
    .selectFrom('email_channel_settings as e')
    .innerJoin('channels as c', 'c.id', 'e.channel_id')
    .select(['e.from_name_mode', 'e.company_name'])
    .where('c.account_id', '=', account.id)
    .where('e.is_fallback', '=', 1);
  if (exceptChannelId) q = q.where('e.channel_id', '!=', exceptChannelId);
  return new Set((await q.execute()).map((o) => fromNameKey(o.from_name_mode, o.company_name, account.company_name)));
}

/**
 * The company name a new inbox's fallback email starts with, so that its From name is unique from
 * the start: the account's company name while no other fallback email uses it, else the company
 * and the inbox's name ("Acme Sales"), numbered if even that is taken.
 */
export async function unusedFallbackCompanyName(ctx: Ctx, account: Row<'accounts'>, inboxName: string): Promise<string> {
  const inUse = await fallbackFromNamesInUse(ctx, account);
  const mode = 'agent_and_company';
  if (!inUse.has(fromNameKey(mode, account.company_name, account.company_name))) return account.company_name;
  const base = `${headerText(account.company_name)} ${headerText(inboxName)}`.trim().slice(0, 90);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base} ${n}`;
    if (!inUse.has(fromNameKey(mode, candidate, account.company_name))) return candidate;
  }
}

export interface UnsavedSenderSettings {
  fromNameMode?: 'agent_and_company' | 'company';
  companyName?: string;
  fromAddressMode?: 'default' | 'custom';
  customFromAddress?: string | null;
  signatureEnabled?: boolean;
  signatureHtml?: string;
}

/**
 * The preview: exactly what the outbox worker will put in the mail for this agent (same pure
 * functions, same sanitiser), from the saved settings overlaid with unsaved ones from the form.
 */
export function previewSender(
  email: Row<'email_channel_settings'>,
  unsaved: UnsavedSenderSettings,
  agent: SenderAgent,
  account: { companyName: string; mailDomain: string },
): { fromName: string; fromAddress: string; fromHeader: string; replyTo: string | null; signatureHtml: string; notice: string | null } {
  const customFromAddress = unsaved.customFromAddress !== undefined ? (unsaved.customFromAddress?.trim().toLowerCase() ?? null) : email.custom_from_address;
  const settings: SenderSettings = {
    fromNameMode: unsaved.fromNameMode ?? (email.from_name_mode === 'company' ? 'company' : 'agent_and_company'),
    companyName: headerText(unsaved.companyName ?? email.company_name),
    fromAddressMode: unsaved.fromAddressMode ?? (email.from_address_mode === 'custom' ? 'custom' : 'default'),
    customFromAddress,
    // A changed address is unverified until its link is opened.
    customFromVerified: email.custom_from_verified_at !== null && customFromAddress === email.custom_from_address,
    signatureEnabled: unsaved.signatureEnabled ?? email.signature_enabled === 1,
    signatureHtml: unsaved.signatureHtml !== undefined ? sanitizeSignature(unsaved.signatureHtml) : email.signature_html,
  };
  const id = senderIdentity(settings, agent, account);
  const teamAddress = email.is_fallback === 0 && email.team_address ? email.team_address : null;
  const fromAddress = teamAddress ?? id.fromAddress;
  const quoted = `"${id.fromName.replace(/["\\]/g, '\\$&')}"`;
  return {
    fromName: id.fromName,
    fromAddress,
    fromHeader: id.fromName ? `${quoted} <${fromAddress}>` : fromAddress,
    replyTo: teamAddress ? null : replyToAddress(email.inbound_address, '{token}'),
    signatureHtml: id.signatureHtml,
    notice: teamAddress ? null : id.notice,
  };
}
