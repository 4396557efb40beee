// The send_verification_email job: mails a one-time link to the address it verifies, a custom
// From address or a connected team address (core/verification-links.ts). Automatic mail, so it carries Auto-Submitted (RFC 3834) and no Reply-To token; once the
// relay accepts it, the raw token is erased from the job row (only its hash stays, in
// address_verifications).
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { RetryableJobError, type JobHandler } from '../jobs/runner.ts';
import { accountMailDomain } from '../core/mail-addresses.ts';
import { escapeHtml } from '../core/sender.ts';
import { askingAccountName, isSuperseded } from '../core/verification-links.ts';
import { compose } from './compose.ts';
import { dkimFor } from './dkim.ts';
import { classifySmtpError, NO_RELAY_REASON, relayTransport, sendComposed } from './relay.ts';
import { PermanentJobError } from '../jobs/runner.ts';

const Payload = z.object({ verificationId: z.string(), token: z.string().optional() });

export const verificationEmailHandler: JobHandler = {
  run: async (deps: Deps, job, payload) => {
    const { verificationId, token } = Payload.parse(payload);
    if (!token) return;
    const db = deps.store.db;
    const row = await db.selectFrom('address_verifications').selectAll().where('id', '=', verificationId).executeTakeFirst();
    // Already used, or superseded by a newer request (whose own mail carries the link that works): nothing to send.
    if (!row || row.used_at) return;
    if (await isSuperseded(db, row)) return;
    if (!deps.config.smtpRelayUrl) throw new RetryableJobError(NO_RELAY_REASON, 60_000);
    const channel = await db.selectFrom('channels').selectAll().where('id', '=', row.channel_id).executeTakeFirstOrThrow();
    const email = await db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    const account = await db.selectFrom('accounts').selectAll().where('id', '=', channel.account_id).executeTakeFirstOrThrow();
    const company = askingAccountName(account);
    const domain = accountMailDomain(account.subdomain, account.plan, deps.domains);
    const mail = row.purpose === 'team_address' ? teamAddressMail(deps.config.publicUrl, token, row.address, company) : fromAddressMail(deps.config.publicUrl, token, row.address, company);
    const composed = await compose({
      from: { name: `${company} (Parley)`, address: email.inbound_address },
      to: [{ name: '', address: row.address }],
      cc: [],
      bcc: [],
      subject: mail.subject,
      messageId: `verify.${row.id}@${domain}`,
      text: mail.text,
      html: mail.html,
      date: new Date(),
      autoSubmitted: 'auto-replied',
      envelopeFrom: email.inbound_address,
    });
    try {
      await sendComposed(relayTransport(deps.config.smtpRelayUrl), composed, dkimFor(deps.config, email.inbound_address));
    } catch (err) {
      const failure = classifySmtpError(err);
      if (failure.kind === 'permanent') throw new PermanentJobError(`The mail server refused the verification email: ${failure.reason}`);
      throw new RetryableJobError(failure.reason);
    }
    await db.updateTable('jobs').set({ payload: JSON.stringify({ verificationId }) }).where('id', '=', job.id).execute();
  },
};

interface VerificationMail {
  subject: string;
  text: string;
  html: string;
}

function fromAddressMail(publicUrl: string, token: string, address: string, company: string): VerificationMail {
  const link = `${publicUrl}/verify-from-address?token=${encodeURIComponent(token)}`;
  return {
    subject: `Verify ${address} as a From address for ${company}`,
    text: [
      `Someone on the ${company} team asked to send email from ${address} through Parley.`,
      '',
      `To confirm that this address may be used, open this link within 24 hours and press Confirm:`,
      link,
      '',
      'If you did not expect this, ignore this email: nothing is sent from this address unless the link is confirmed.',
    ].join('\n'),
    html: `<p>Someone on the ${escapeHtml(company)} team asked to send email from <b>${escapeHtml(address)}</b> through Parley.</p><p><a href="${escapeHtml(link)}">Open this link and confirm</a> to verify this address (it works once, within 24 hours).</p><p>If you did not expect this, ignore this email: nothing is sent from this address unless the link is confirmed.</p>`,
  };
}

function teamAddressMail(publicUrl: string, token: string, address: string, company: string): VerificationMail {
  const link = `${publicUrl}/verify-team-address?token=${encodeURIComponent(token)}`;
  return {
    subject: `Confirm that ${company} may receive mail for ${address} in Parley`,
    text: [
      `The Parley account "${company}" connected ${address} and asks that email sent to this address be delivered to its shared inbox.`,
      '',
      `If ${address} belongs to ${company}, open this link within 24 hours and confirm:`,
      link,
      '',
      'If it does not, ignore this email: no mail for this address is delivered to that account unless the link is confirmed.',
    ].join('\n'),
    html: `<p>The Parley account <b>${escapeHtml(company)}</b> connected <b>${escapeHtml(address)}</b> and asks that email sent to this address be delivered to its shared inbox.</p><p>If the address belongs to ${escapeHtml(company)}, <a href="${escapeHtml(link)}">open this link and confirm</a> (it works once, within 24 hours).</p><p>If it does not, ignore this email: no mail for this address is delivered to that account unless the link is confirmed.</p>`,
  };
}
