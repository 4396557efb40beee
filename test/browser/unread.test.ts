// Unread state in headless Chromium: an email sent over real SMTP shows in the list as an unread
// row (bold, with a dot named "Unread") and in the view's count; opening it marks it read (the
// row and the count follow); "Mark as unread" takes the agent back to the list with the row bold
// again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { Locator } from 'playwright-core';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../src/server/mail/smtp-in.ts';

const weight = (el: Locator) => el.evaluate((node) => Number(getComputedStyle(node).fontWeight));

describe('agent app: unread conversations', { timeout: BROWSER_TEST_TIMEOUT }, () => {
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

  it('shows new mail bold and counted, reads it on opening, and marks it unread again', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open`);
    const views = page.getByRole('navigation', { name: 'Views' });
    await views.getByRole('link', { name: 'All open, 0 conversations', exact: true }).waitFor();

    // Mail arrives while the list is on screen: the socket brings the row and the count.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const info = await transport.sendMail({ from: 'Hana Customer <hana@customer.example>', to: acct.email.inbound_address, subject: 'Where is my refund?', text: 'I returned the shoes two weeks ago.' });
    expect(info.response).toMatch(/^250 /);
    await smtp.settled();

    const list = page.getByRole('list', { name: 'Conversations' });
    const row = list.getByRole('link', { name: /Where is my refund\?/ });
    await row.getByRole('img', { name: 'Unread' }).waitFor();
    expect(await weight(row.locator('.row-subject'))).toBeGreaterThanOrEqual(700);
    await views.getByRole('link', { name: 'All open, 1 conversation, 1 unread', exact: true }).waitFor();
    await h.screenshot(page, 'unread-row-and-count');

    // Opening it shows the thread and marks it read: no dot, regular weight, no unread count.
    await row.click();
    await page.getByRole('heading', { name: 'Where is my refund?' }).waitFor();
    await views.getByRole('link', { name: 'All open, 1 conversation', exact: true }).waitFor();
    await expect.poll(async () => row.getByRole('img', { name: 'Unread' }).count()).toBe(0);
    expect(await weight(row.locator('.row-subject'))).toBeLessThan(700);
    // Read on the server, not only on screen.
    const api = (path: string) => page.evaluate(async (p) => (await fetch(p)).json(), path);
    const conversationId = new URL(page.url()).pathname.split('/').pop()!;
    expect((await api(`/api/v1/conversations/${conversationId}`)).unread).toBe(false);

    // Mark as unread: back to the list, the row bold again and counted, until opened again.
    await page.getByRole('button', { name: 'Mark as unread' }).click();
    await page.waitForURL((url) => url.pathname === `/inbox/${acct.inbox.id}/open`);
    await row.getByRole('img', { name: 'Unread' }).waitFor();
    expect(await weight(row.locator('.row-subject'))).toBeGreaterThanOrEqual(700);
    await views.getByRole('link', { name: 'All open, 1 conversation, 1 unread', exact: true }).waitFor();
    expect((await api(`/api/v1/conversations/${conversationId}`)).unread).toBe(true);
    await h.screenshot(page, 'unread-marked-unread');
    expect(h.dialogs).toEqual([]);
  });
});
