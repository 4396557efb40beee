// The send_verification_email job: mails the one-time "Verify address" link to a custom From
// address. Automatic mail, so it carries Auto-Submitted (RFC 3834) and no Reply-To token; once the
// relay accepts it, the raw token is erased from the job row (only its hash stays, in
// address_verifications).
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { RetryableJobError, type JobHandler } from '../jobs/runner.ts';
import { accountMailDomain } from '../core/mail-addresses.ts';
import { escapeHtml, effectiveCompany } from '../core/sender.ts';
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
    // Replaced by a newer request, or already used: nothing to send.
    if (!row || row.used_at) return;
    if (!deps.config.smtpRelayUrl) throw new RetryableJobError(NO_RELAY_REASON, 60_000);
    const channel = await db.selectFrom('channels').selectAll().where('id', '=', row.channel_id).executeTakeFirstOrThrow();
    const email = await db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    const account = await db.selectFrom('accounts').selectAll().where('id', '=', channel.account_id).executeTakeFirstOrThrow();
    const company = effectiveCompany({ companyName: email.company_name }, account.company_name) || account.name;
    const link = `${deps.config.publicUrl}/verify-from-address?token=${encodeURIComponent(token)}`;
    const domain = accountMailDomain(account.subdomain, account.plan, deps.domains);
    const text = [
      `Someone on the ${company} team asked to send email from ${row.address} through Parley.`,
      '',
      `To confirm that this address may be used, open this link within 24 hours:`,
      link,
      '',
      'If you did not expect this, ignore this email: nothing is sent from this address until the link is opened.',
    ].join('\n');
    const composed = await compose({
      from: { name: `${company} (Parley)`, address: email.inbound_address },
      to: [{ name: '', address: row.address }],
      cc: [],
      bcc: [],
      subject: `Verify ${row.address} as a From address for ${company}`,
      messageId: `verify.${row.id}@${domain}`,
      text,
      html: `<p>Someone on the ${escapeHtml(company)} team asked to send email from <b>${escapeHtml(row.address)}</b> through Parley.</p><p><a href="${escapeHtml(link)}">Verify this address</a> (the link works once, within 24 hours).</p><p>If you did not expect this, ignore this email.</p>`,
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
