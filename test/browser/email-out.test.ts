// Email out in headless Chromium, clicked as an admin would: configure the fallback email's From
// name, a verified custom From address and a team signature with a token on the Configuration tab,
// reply from the composer, and check that the mail a local SMTP sink catches carries exactly what
// the tab's preview showed. Also: the Internal comment tab, and a view-only composer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { startSmtpSink, parseCaught, type SmtpSink } from '../helpers/smtp-sink.ts';
import { receive } from '../helpers/email-out.ts';
import { createWorker, type Worker } from '../../src/server/jobs/runner.ts';
import { jobHandlers } from '../../src/server/jobs/handlers.ts';

describe('agent app: email out', () => {
  let h: BrowserHarness;
  let sink: SmtpSink;
  let worker: Worker;
  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startBrowserHarness({ SMTP_RELAY_URL: sink.url });
    worker = createWorker(h.store.deps, jobHandlers, { pollMs: 200 });
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await sink?.close();
  });

  it('configures From name, a verified From address and a signature, and the reply carries exactly the preview', { timeout: 90_000 }, async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'professional' });
    const db = h.store.deps.store.db;
    await db.updateTable('users').set({ first_name: 'Ada', last_name: 'Lovelace' }).where('id', '=', acct.owner.id).execute();
    const convId = await receive(h.store.deps, { to: acct.email.inbound_address, subject: 'Invoice question', body: 'Why was I charged twice?' });

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/settings/inboxes/${acct.inbox.id}/channels/${acct.channel.id}/configuration`);
    const form = page.getByRole('form', { name: 'Configuration' });
    await form.waitFor();
    expect(await page.getByLabel('Use the Parley email for sending messages').isChecked()).toBe(true);
    expect(await page.locator('#forwarding-address').innerText()).toBe(acct.email.forwarding_address);
    await page.getByRole('button', { name: 'Copy forwarding address' }).waitFor();

    await page.getByLabel('From name').selectOption('company');
    await page.getByLabel('Company name').fill('Acme Billing');

    // Customize from address -> Verify address -> open the link from the mail and confirm.
    await page.getByLabel('Customize from address').check();
    await page.getByLabel('Custom from address').fill('billing@acme-corp.test');
    await page.getByRole('button', { name: 'Verify address' }).click();
    // The status says the link is out, and the button waits out the minute before another.
    await page.getByText(/^Verification email sent .*, not opened yet\. Its link works until .*\. Until it is verified, replies use the default address\.$/).waitFor();
    expect(await page.getByRole('button', { name: 'Link sent' }).isDisabled()).toBe(true);
    const verification = await parseCaught((await sink.waitFor(1))[0]!);
    const link = /(\/verify-from-address\?token=[A-Za-z0-9_%-]+)/.exec(verification.text ?? '')![1]!;
    const verifyPage = await h.context.newPage();
    await verifyPage.goto(link);
    await verifyPage.getByRole('button', { name: 'Confirm' }).click();
    await verifyPage.getByText('billing@acme-corp.test is verified').waitFor();
    await verifyPage.close();

    await page.goto(`/settings/inboxes/${acct.inbox.id}/channels/${acct.channel.id}/configuration`);
    await form.waitFor();
    await page.getByText('Verified.', { exact: true }).waitFor();
    // Reloaded from the server: the custom address is saved and verified; the From name was not saved yet.
    await page.getByLabel('From name').selectOption('company');
    await page.getByLabel('Company name').fill('Acme Billing');

    // Team signature in the Simple editor, bold text and a token.
    await page.getByRole('button', { name: 'Add team signature' }).click();
    const editor = page.getByRole('textbox', { name: 'Team signature' });
    await editor.click();
    await page.keyboard.type('Kind regards, ');
    await page.getByRole('button', { name: 'Insert Token' }).click();
    await page.getByRole('menuitem', { name: 'Full name' }).click();
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type(' Billing team');

    await page.getByTestId('preview-from-name').filter({ hasText: 'Acme Billing' }).waitFor();
    await page.getByTestId('preview-signature').filter({ hasText: 'Kind regards, Ada Lovelace' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. The next email sent uses these settings.').waitFor();
    // Re-read the preview after saving (the server's rendering of the saved settings).
    await page.waitForTimeout(400);
    const previewName = await page.getByTestId('preview-from-name').innerText();
    const previewAddress = await page.getByTestId('preview-from-address').innerText();
    const previewSignature = await page.getByTestId('preview-signature').innerHTML();
    await h.screenshot(page, 'email-out-configuration');
    expect(previewName).toBe('Acme Billing');
    expect(previewAddress).toBe('billing@acme-corp.test');
    expect(previewSignature).toContain('Ada Lovelace');

    // Reply from the composer.
    await page.goto(`/inbox/${acct.inbox.id}/open/${convId}`);
    const reply = page.getByRole('textbox', { name: 'Reply' });
    await reply.fill('Sorry about that, the second charge is refunded.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const caught = await sink.waitFor(2);
    const mail = await parseCaught(caught[1]!);
    expect(mail.from).toEqual({ name: previewName, address: previewAddress });
    // The signature block of the delivered HTML, serialised by the same browser, equals the preview's.
    const delivered = await page.evaluate((html) => {
      const d = document.createElement('div');
      d.innerHTML = html;
      return d.querySelector('.parley-signature')?.innerHTML ?? null;
    }, mail.html ?? '');
    expect(delivered).toBe(previewSignature);
    expect(mail.text).toContain('Sorry about that, the second charge is refunded.');
    expect(mail.subject).toBe('Re: Invoice question');
    await page.reload();
    await page.locator('.delivery-sent').first().waitFor();
    await h.screenshot(page, 'email-out-reply-sent');
  });

  it('says in plain words what is wrong with a From address or an over-long reply, and sends nothing', { timeout: 60_000 }, async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'professional' });
    const convId = await receive(h.store.deps, { to: acct.email.inbound_address });
    const before = sink.attempts;
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/settings/inboxes/${acct.inbox.id}/channels/${acct.channel.id}/configuration`);
    await page.getByLabel('Customize from address').check();
    await page.getByLabel('Custom from address').fill('not-an-address');
    await page.getByRole('button', { name: 'Verify address' }).click();
    await page.getByRole('alert').filter({ hasText: /^Must be an email address$/ }).waitFor();
    expect(await page.getByText('body field').count()).toBe(0);

    await page.goto(`/inbox/${acct.inbox.id}/open/${convId}`);
    const reply = page.getByRole('textbox', { name: 'Reply' });
    await reply.fill('x'.repeat(100_001));
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').filter({ hasText: 'A reply can be at most 100,000 characters; this one has 100,001.' }).waitFor();
    expect(sink.attempts).toBe(before);
  });

  it('switches to Internal comment by keyboard, suggests @mentions, and never emails the note', { timeout: 60_000 }, async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'professional' });
    const convId = await receive(h.store.deps, { to: acct.email.inbound_address });
    const before = sink.attempts;
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${convId}`);
    await page.getByRole('tab', { name: 'Reply' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Internal comment' }).getAttribute('aria-selected')).toBe('true');
    const box = page.getByRole('textbox', { name: 'Internal comment' });
    await box.click();
    await page.keyboard.type('Checking with @own');
    await page.getByRole('listbox', { name: 'Mention a teammate' }).waitFor();
    await h.screenshot(page, 'email-out-mention-suggestions');
    await page.keyboard.press('Enter');
    await page.keyboard.type('please look');
    expect(await box.inputValue()).toBe(`Checking with @${acct.owner.first_name} ${acct.owner.last_name} please look`.replace(/\s+/g, ' '));
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.locator('.note').filter({ hasText: 'please look' }).waitFor();
    await h.screenshot(page, 'email-out-internal-comment');
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.attempts).toBe(before);
  });
});
