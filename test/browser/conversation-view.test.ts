// The conversation view with mail QA found hard to read, clicked through in headless Chromium:
// right-to-left bodies (plain text, the HTML email frame, agent notes), subjects and previews lay
// out each paragraph in its own direction; a message to 601 To and 600 Cc addresses shows a few of
// each with "and N more" (by keyboard too), and the reply composer says who the kept thread CC is;
// mail without any sender says "Unknown sender" everywhere, never a generic word as a name.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { ingestRawEmail } from '../../src/server/mail/ingest.ts';

/** Delivers a raw email through the real inbound pipeline; IMAP mail has no envelope sender. */
async function deliver(h: BrowserHarness, to: string, headersAndBody: string[], via: 'smtp' | 'imap' = 'smtp'): Promise<string> {
  const raw = [`Message-ID: <${crypto.randomUUID()}@customer.example>`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', ...headersAndBody].join('\r\n');
  const res = await ingestRawEmail(h.store.deps, { raw: Buffer.from(raw), recipients: [to], mailFrom: via === 'smtp' ? 'sender@customer.example' : null, via });
  if (res.outcome !== 'stored') throw new Error(`not stored: ${res.outcome}`);
  return res.conversationId;
}

/**
 * Which way `text` (found in the element's text) runs on screen: 'rtl' when its first character
 * is drawn right of its last (a final "." at the left end, as an Arabic or Hebrew reader expects).
 */
function directionOf(element: Locator, text: string): Promise<'rtl' | 'ltr'> {
  return element.evaluate((el, wanted) => {
    const walker = el.ownerDocument.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node as Text).data.indexOf(wanted);
      if (at < 0) continue;
      const rectOf = (i: number) => {
        const range = el.ownerDocument.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect();
      };
      return rectOf(at).left > rectOf(at + wanted.length - 1).left ? 'rtl' : 'ltr';
    }
    throw new Error(`"${wanted}" is not in one text node of the element`);
  }, text);
}

describe('agent app: reading hard mail in the conversation view', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lays out Arabic and Hebrew text right to left, each paragraph in its own direction', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const to = acct.email.inbound_address;
    const arabic = 'مرحبا، طلبي رقم 7781 لم يصل بعد.';
    const plainId = await deliver(h, to, ['From: Amal <amal@customer.example>', `To: ${to}`, 'Subject: طلبي لم يصل.', 'Content-Type: text/plain; charset=utf-8', '', arabic, '', 'Order placed on Monday.', '']);
    const hebrew = 'שלום, ההזמנה שלי לא הגיעה.';
    const htmlId = await deliver(h, to, ['From: Dana <dana@customer.example>', `To: ${to}`, 'Subject: Order 5521', 'Content-Type: text/html; charset=utf-8', '', `<div>Order 5521.</div><p>${hebrew}</p><div>Hi,<br>${hebrew}</div>`, '']);

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${plainId}`);
    const row = page.getByRole('link', { name: /طلبي لم يصل/ });
    expect(await directionOf(row.locator('.row-subject'), 'طلبي لم يصل.')).toBe('rtl');
    expect(await directionOf(row.locator('.row-preview'), arabic)).toBe('rtl');
    expect(await directionOf(page.locator('.conversation-title h1'), 'طلبي لم يصل.')).toBe('rtl');
    const body = page.locator('.message-in .message-text');
    await body.getByText('Order placed on Monday.').waitFor();
    expect(await directionOf(body, arabic)).toBe('rtl');
    expect(await directionOf(body, 'Order placed on Monday.')).toBe('ltr');

    // An agent's note in Arabic reads the same way.
    await page.getByRole('tab', { name: 'Internal comment' }).click();
    const note = 'تم التحقق من الطلب.';
    await page.getByRole('textbox', { name: 'Internal comment' }).fill(note);
    await page.getByRole('button', { name: 'Add comment' }).click();
    const noteText = page.locator('.note .message-text');
    await noteText.getByText(note).waitFor();
    expect(await directionOf(noteText, note)).toBe('rtl');
    await h.screenshot(page, 'conversation-view-rtl-plain');

    // In the sandboxed email frame: the Hebrew paragraph and the Hebrew line after a <br> are
    // right to left, the English ones stay left to right.
    await page.goto(`/inbox/${acct.inbox.id}/open/${htmlId}`);
    const frame = page.frameLocator('iframe.email-frame');
    await frame.locator('p').waitFor();
    expect(await directionOf(frame.locator('p'), hebrew)).toBe('rtl');
    expect(await directionOf(frame.locator('div').first(), 'Order 5521.')).toBe('ltr');
    expect(await directionOf(frame.locator('div').last(), hebrew)).toBe('rtl');
    expect(await directionOf(frame.locator('div').last(), 'Hi,')).toBe('ltr');
    await h.screenshot(page, 'conversation-view-rtl-html');
    expect(h.dialogs).toEqual([]);
  });

  it('shows 5 of 601 To and 600 Cc addresses with "and N more", and the composer says who the kept thread CC is', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const to = acct.email.inbound_address;
    const people = (n: number, who: string) => Array.from({ length: n }, (_, i) => `${who} ${i + 1} <${who.toLowerCase()}${i + 1}@big.example>`);
    // Folded after each address, as a mail client writes a long header.
    const header = (name: string, list: string[]) => `${name}: ${list.join(',\r\n ')}`;
    const id = await deliver(h, to, ['From: Big CC <big@cc.example>', header('To', [to, ...people(600, 'To')]), header('Cc', people(600, 'Cc')), 'Subject: Everyone at once', 'Content-Type: text/plain; charset=utf-8', '', 'The body below all those people.', '']);

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${id}`);
    const header601 = page.locator('.message-in .message-from');
    const toLine = header601.getByRole('group', { name: 'To' });
    const ccLine = header601.getByRole('group', { name: 'Cc' });
    await toLine.getByText('To 4 <to4@big.example>').waitFor();
    expect(await toLine.innerText()).not.toContain('to5@big.example');
    expect(await ccLine.innerText()).toContain('cc5@big.example');
    expect(await ccLine.innerText()).not.toContain('cc6@big.example');
    // The body is on screen, not pushed below hundreds of addresses.
    const body = page.locator('.message-in .message-text');
    await body.getByText('The body below all those people.').waitFor();
    expect(await body.evaluate((el) => el.getBoundingClientRect().bottom)).toBeLessThan(800);
    await h.screenshot(page, 'conversation-view-many-recipients');

    // By keyboard: Enter opens the whole list, and again folds it.
    const moreTo = toLine.getByRole('button', { name: 'and 596 more' });
    expect(await moreTo.getAttribute('aria-expanded')).toBe('false');
    await moreTo.focus();
    await page.keyboard.press('Enter');
    const lessTo = toLine.getByRole('button', { name: 'Show fewer' });
    expect(await lessTo.getAttribute('aria-expanded')).toBe('true');
    expect(await toLine.innerText()).toContain('To 600 <to600@big.example>');
    await expect.poll(() => lessTo.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await moreTo.waitFor();
    expect(await toLine.innerText()).not.toContain('to600@big.example');
    await ccLine.getByRole('button', { name: 'and 595 more' }).click();
    expect(await ccLine.innerText()).toContain('Cc 600 <cc600@big.example>');

    // The composer: the reply keeps the thread's CC, and says so with who they are.
    const composer = page.getByRole('region', { name: 'Reply' });
    const keptCc = composer.getByRole('group', { name: 'Cc' });
    await keptCc.getByText('600 people from the thread:').waitFor();
    expect(await keptCc.innerText()).toContain('Cc 1 <cc1@big.example>');
    expect(await keptCc.innerText()).not.toContain('cc600@big.example');
    await h.screenshot(page, 'conversation-view-composer-cc');
    await keptCc.getByRole('button', { name: /^and \d+ more$/ }).click();
    expect(await keptCc.innerText()).toContain('Cc 600 <cc600@big.example>');
    await h.screenshot(page, 'conversation-view-composer-cc-open');

    // What it said is what the reply goes to.
    await composer.getByRole('textbox', { name: 'Reply' }).fill('Answering everyone.');
    await composer.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.message-out').waitFor();
    const sent = await h.store.deps.store.db.selectFrom('messages').select('cc_json').where('conversation_id', '=', id).where('direction', '=', 'out').executeTakeFirstOrThrow();
    expect((JSON.parse(sent.cc_json!) as unknown[]).length).toBe(600);

    // Typing a CC of one's own replaces the thread's: the summary goes.
    await composer.getByRole('button', { name: 'CC/BCC' }).click();
    await composer.getByLabel('CC', { exact: true }).fill('only@cc.example');
    expect(await keptCc.count()).toBe(0);
  });

  it('says "Unknown sender" in the list, the title and the message for mail with no From fetched over IMAP', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const to = acct.email.inbound_address;
    const id = await deliver(h, to, [`To: ${to}`, 'Subject: Who sent this?', 'Content-Type: text/plain; charset=utf-8', '', 'No From header at all.', ''], 'imap');

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${id}`);
    const row = page.getByRole('link', { name: /Who sent this\?/ });
    const message = page.locator('.message-in');
    await message.getByText('No From header at all.').waitFor();
    await h.screenshot(page, 'conversation-view-no-from');
    expect(await row.locator('.contact-name').innerText()).toBe('Unknown sender');
    expect(await page.locator('.conversation-title .muted').innerText()).toMatch(/^Unknown sender · #\d+$/);
    expect(await message.locator('.message-from strong').innerText()).toBe('Unknown sender');
    // Worded and drawn as a fact, not a person: a question mark for initials, set apart from names.
    for (const where of [row, message]) {
      expect(await where.locator('.avatar').innerText()).toBe('?');
      expect(await where.locator('.unknown-sender').count()).toBe(1);
    }
    // No bare generic word stands in for a name anywhere in the conversation.
    const texts = await page.locator('.message-from strong, .contact-name, .conversation-title .muted').allInnerTexts();
    for (const text of texts) expect(text).not.toMatch(/^(Contact|Unknown contact)\b/);
  });
});
