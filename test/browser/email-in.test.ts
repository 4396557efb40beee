// Email in, clicked through in headless Chromium: a message sent over real SMTP shows up in the
// inbox and opens with its text and attachment; turning the channel off and on with the Status
// switch on Settings > Inboxes changes what the SMTP receiver accepts (550 5.2.1, then 250); a
// forward opens as its original sender's, with the forwarded message shown; an inline image shows
// in the email and is not listed again under it; a plain-text reply's quoted history is folded.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../src/server/mail/smtp-in.ts';
import { crlf, sendRaw } from '../email-in-support.ts';

describe('agent app: email in', () => {
  let h: BrowserHarness;
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    h = await startBrowserHarness();
    smtp = await startSmtpReceiver(h.store.deps, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await smtp?.stop();
    await h?.close();
  });

  it('shows an email sent over SMTP in the inbox', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const info = await transport.sendMail({
      from: 'Greta Customer <greta@customer.example>',
      to: acct.email.inbound_address,
      subject: 'My parcel is lost',
      text: 'Hello, parcel 7781 never reached me.',
      html: '<p>Hello, parcel <b>7781</b> never reached me.</p>',
      attachments: [{ filename: 'receipt.txt', content: 'Receipt 7781' }],
    });
    expect(info.response).toMatch(/^250 /);
    // 250 means durably spooled; the conversation is made right after.
    await smtp.settled();

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByText('My parcel is lost').first().click();
    await page.getByText('receipt.txt').first().waitFor();
    const frame = page.frameLocator('iframe').first();
    await frame.getByText('never reached me').waitFor();
    await page.getByText('greta@customer.example').first().waitFor();
    await h.screenshot(page, 'email-in-inbox');
    expect(h.dialogs).toEqual([]);
  });

  it('shows a forwarded email as the original sender\'s, with the forwarded message open, not folded as quoted history', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const data = crlf(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/email/gmail-forward.eml')));
    expect((await sendRaw(smtp.port, { from: 'tom@acme.example', to: [acct.email.inbound_address], data })).final).toMatch(/^250 /);
    await smtp.settled();

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByText('Refund request').first().click();
    await page.getByText('Forwarded from Ken Ito <ken.ito@example.jp>').waitFor();
    const frame = page.frameLocator('iframe.email-frame');
    await frame.getByText('Please refund my order #2002').waitFor({ state: 'visible' });
    // The fold is still there for whoever wants the forward's own note alone.
    await page.getByRole('button', { name: 'Hide quoted text' }).click();
    await frame.getByText('Please refund my order #2002').waitFor({ state: 'hidden' });
    await frame.getByText('Can someone take this one?').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Show quoted text' }).click();
    await frame.getByText('Please refund my order #2002').waitFor({ state: 'visible' });
    await h.screenshot(page, 'email-in-forward');
  });

  it('shows an inline image in the email, not again as an attachment; an inline part the HTML does not show stays listed', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const to = acct.email.inbound_address;
    const related = crlf(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/email/related-inline-image.eml')));
    expect((await sendRaw(smtp.port, { from: 'designer@studio.example', to: [to], data: related })).final).toMatch(/^250 /);
    const unshown = crlf(
      [
        'From: Designer <designer@studio.example>',
        `To: ${to}`,
        'Subject: Logo, second try',
        `Message-ID: <unshown-${Date.now()}@studio.example>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/related; boundary="rel"; type="text/html"',
        '',
        '--rel',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>The logo is attached.</p>',
        '',
        '--rel',
        'Content-Type: image/png; name="logo-v2.png"',
        'Content-Transfer-Encoding: base64',
        'Content-ID: <logo456@studio.example>',
        'Content-Disposition: inline; filename="logo-v2.png"',
        '',
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP4z8DwHwAFAAIBpdHCrQAAAABJRU5ErkJggg==',
        '--rel--',
        '',
      ].join('\n'),
    );
    expect((await sendRaw(smtp.port, { from: 'designer@studio.example', to: [to], data: unshown })).final).toMatch(/^250 /);
    await smtp.settled();

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByText('Logo proposal').first().click();
    const logo = page.frameLocator('iframe.email-frame').getByRole('img', { name: 'logo' });
    await logo.waitFor();
    await expect.poll(async () => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
    await page.getByText('Download original').waitFor();
    expect(await page.getByRole('list', { name: 'Attachments' }).count()).toBe(0);
    await h.screenshot(page, 'email-in-inline-image');

    await page.getByText('Logo, second try').first().click();
    await page.getByRole('list', { name: 'Attachments' }).getByText('logo-v2.png').waitFor();
  });

  it('folds the quoted history of a plain-text reply behind "…"', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const to = acct.email.inbound_address;
    const data = crlf(
      `From: Greta Customer <greta@customer.example>\nTo: ${to}\nSubject: Re: Parcel 7781\nMessage-ID: <fold-${Date.now()}@customer.example>\n\nFound it at the neighbour's, thanks!\n\nOn Mon, Nov 23, 2026 at 10:00 AM Support <${to}> wrote:\n> We are looking for parcel 7781.\n> It left our depot on Friday.\n`,
    );
    expect((await sendRaw(smtp.port, { from: 'greta@customer.example', to: [to], data })).final).toMatch(/^250 /);
    await smtp.settled();

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByText('Re: Parcel 7781').first().click();
    const body = page.locator('.message-in .message-text');
    await body.getByText("Found it at the neighbour's, thanks!").waitFor();
    expect(await body.innerText()).not.toContain('It left our depot');
    await page.getByRole('button', { name: 'Show quoted text' }).click();
    await body.getByText('It left our depot on Friday.', { exact: false }).waitFor();
    await h.screenshot(page, 'email-in-plain-quote');
    await page.getByRole('button', { name: 'Hide quoted text' }).click();
    expect(await body.innerText()).not.toContain('It left our depot');
  });

  it('folds the quoted history of an Outlook on the web HTML reply behind "…"', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const to = acct.email.inbound_address;
    const fixture = fs.readFileSync(path.join(import.meta.dirname, '../fixtures/email/outlook-web-html-reply.eml'), 'utf8');
    const data = crlf(fixture.replace('To: Acme Support <support@acme.example>', `To: ${to}`));
    expect((await sendRaw(smtp.port, { from: 'john.smith@contoso.com', to: [to], data })).final).toMatch(/^250 /);
    await smtp.settled();

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByText('RE: Invoice INV-3003 question').first().click();
    const frame = page.frameLocator('iframe.email-frame');
    await frame.getByText('One more thing').waitFor();
    await frame.getByText('OLD QUOTED HISTORY').waitFor({ state: 'hidden' });
    expect(await frame.locator('#divRplyFwdMsg').evaluate((el) => getComputedStyle(el).display)).toBe('none');
    await page.getByRole('button', { name: 'Show quoted text' }).click();
    await frame.getByText('OLD QUOTED HISTORY').waitFor();
    await page.getByRole('button', { name: 'Hide quoted text' }).click();
    await frame.getByText('OLD QUOTED HISTORY').waitFor({ state: 'hidden' });
  });

  it('shows new mail in an open inbox without a reload, pushed over the agents\' socket', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByText(/No conversations yet/).first().waitFor();
    // Give the socket a moment to subscribe; the list's fallback poll is 60 s, longer than this test waits.
    await page.waitForTimeout(1000);
    const to = acct.email.inbound_address;
    const data = crlf(`From: Live Customer <live@customer.example>\nTo: ${to}\nSubject: Arrives live\nMessage-ID: <live-${Date.now()}@customer.example>\n\nPushed, not polled.\n`);
    expect((await sendRaw(smtp.port, { from: 'live@customer.example', to: [to], data })).final).toMatch(/^250 /);
    await page.getByText('Arrives live').first().waitFor({ timeout: 15_000 });
    await h.screenshot(page, 'email-in-live');
  });

  it('refuses mail while the channel is turned off in the UI, and accepts it once turned on', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const to = acct.email.inbound_address;
    const mail = (n: number) => crlf(`From: greta@customer.example\nTo: ${to}\nSubject: Status test ${n}\nMessage-ID: <status-${n}-${Date.now()}@customer.example>\n\nHello ${n}\n`);
    expect((await sendRaw(smtp.port, { from: 'greta@customer.example', to: [to], data: mail(1) })).final).toMatch(/^250 /);

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/settings/inboxes');
    const status = page.getByRole('switch', { name: 'Status of Fallback email' });
    expect(await status.isChecked()).toBe(true);
    await status.click();
    await page.getByText('Off', { exact: true }).waitFor();
    await h.screenshot(page, 'email-in-channel-off');
    const off = await sendRaw(smtp.port, { from: 'greta@customer.example', to: [to], data: mail(2) });
    expect(off.final).toMatch(/^550 5\.2\.1 .*turned off/);

    await status.click();
    await page.waitForFunction(() => (document.querySelector('[role="switch"]') as HTMLInputElement | null)?.checked === true);
    expect((await sendRaw(smtp.port, { from: 'greta@customer.example', to: [to], data: mail(3) })).final).toMatch(/^250 /);
    await smtp.settled();

    const subjects = await h.store.deps.store.db.selectFrom('conversations').select('subject').where('account_id', '=', acct.account.id).orderBy('number').execute();
    expect(subjects.map((s) => s.subject)).toEqual(['Status test 1', 'Status test 3']);
  });
});
