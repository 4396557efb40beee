// Settings > Inboxes: a connected team address says that mail sent straight to it is not
// delivered until verified; "Send verification email" mails a link (caught by a local SMTP sink
// acting as the relay), the address's owner confirms on the link's page, and the settings then
// say "verified" and the address routes over SMTP.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInThroughForm, openTeamEmailForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { apiClient } from '../helpers/api.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, parseCaught, type SmtpSink } from '../helpers/smtp-sink.ts';
import { lookupRecipient } from '../../src/server/mail/recipients.ts';
import { createWorker, type Worker } from '../../src/server/jobs/runner.ts';
import { jobHandlers } from '../../src/server/jobs/handlers.ts';

describe('agent app: verify a connected team address', () => {
  let h: BrowserHarness;
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let worker: Worker;
  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSmtpSink();
    h = await startBrowserHarness({ ALLOW_PRIVATE_MAIL_HOSTS: 'true', SMTP_RELAY_URL: sink.url });
    // The outbox worker sends the verification email.
    worker = createWorker(h.store.deps, jobHandlers, { pollMs: 200 });
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await sink?.close();
    await dovecot?.dispose();
  });

  it('connects, sends the verification email, confirms it from the link and shows "verified"', async () => {
    const acct = await makeAccount(h.store.deps);
    const address = `support@acme-${crypto.randomBytes(3).toString('hex')}.test`;
    const mb = { user: `box-${crypto.randomBytes(3).toString('hex')}@mail.test`, password: crypto.randomBytes(8).toString('hex') };
    await dovecot.addUser(mb.user, mb.password);

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    const dialog = await openTeamEmailForm(page, { address, host: dovecot.host, port: dovecot.port });
    await dialog.getByLabel('IMAP user name').fill(mb.user);
    await dialog.getByLabel('IMAP password').fill(mb.password);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    const delivery = dialog.getByRole('group', { name: `Direct delivery to ${address}` });
    await delivery.waitFor();
    expect(await delivery.innerText()).toMatch(/Direct delivery to this address: not verified · Send verification email/);
    expect(await delivery.innerText()).toContain('accepted only once you prove the address is yours');
    await h.screenshot(page, 'team-address-connected-unverified');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // From the channel's row in the list.
    const row = page.getByRole('group', { name: `Direct delivery to ${address}` });
    await row.getByRole('button', { name: 'Send verification email' }).click();
    await row.getByRole('status').waitFor();
    expect(await row.getByRole('status').innerText()).toMatch(/^Verification email sent .*, not opened yet\. Its link works until /);
    expect(await row.innerText()).toContain('Direct delivery to this address: link sent');
    // Another link for the same address only after a minute: the button says so instead of failing.
    expect(await row.getByRole('button', { name: 'Sent: wait a minute to send another' }).isDisabled()).toBe(true);
    const caught = (await sink.waitFor(1)).find((c) => c.rcptTo.includes(address))!;
    const mail = await parseCaught(caught);
    const link = /(\/verify-team-address\?token=[A-Za-z0-9_%-]+)/.exec(mail.text ?? '')![1]!;
    expect(await lookupRecipient(h.store.deps.store.db, address)).toBeNull();

    const verifyPage = await h.context.newPage();
    await verifyPage.goto(link);
    await verifyPage.getByRole('button', { name: 'Confirm' }).click();
    await verifyPage.getByText(`${address} is verified`).waitFor();
    await verifyPage.close();

    await page.reload();
    await page.getByText('Direct delivery to this address: verified').waitFor();
    await h.screenshot(page, 'team-address-verified');
    expect(await lookupRecipient(h.store.deps.store.db, address)).toMatchObject({ accountId: acct.account.id, kind: 'team', enabled: true });

    // Another account that connects the same mailbox address is told it is taken, with no button to press.
    const other = await makeAccount(h.store.deps);
    const mb2 = { user: `box-${crypto.randomBytes(3).toString('hex')}@mail.test`, password: crypto.randomBytes(8).toString('hex') };
    await dovecot.addUser(mb2.user, mb2.password);
    const connected = await apiClient(h.app, other.token).post(`/inboxes/${other.inbox.id}/channels`, {
      type: 'email',
      teamAddress: `earlier-${address}`,
      imap: { host: dovecot.host, port: dovecot.port, tls: false, ...mb2 },
    });
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
    // Connected under another address (connecting a verified address is refused), then moved onto
    // it, as a channel connected before the owner verified is left.
    await h.store.deps.store.db.updateTable('email_channel_settings').set({ team_address: address }).where('channel_id', '=', connected.body.id).execute();
    const otherPage = await h.newPage();
    await logInThroughForm(otherPage, other.owner.email, other.password);
    await otherPage.goto(`/settings/inboxes/${other.inbox.id}`);
    const taken = otherPage.getByRole('group', { name: `Direct delivery to ${address}` });
    await taken.waitFor();
    expect(await taken.innerText()).toContain('Direct delivery to this address: verified by another account');
    expect(await taken.getByRole('status').innerText()).toBe('Another Parley account proved this address first and receives the mail sent to it; it cannot be verified here.');
    expect(await taken.getByRole('button').count()).toBe(0);
    await h.screenshot(otherPage, 'team-address-taken');
  });
});
