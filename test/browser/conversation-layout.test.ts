// The conversation screen's layout at 1280×800, where the contact panel takes 260 px beside the
// thread: the panel fits its column (owner select, long names) and never scrolls sideways, and a
// message's header keeps its sender and recipients on one line each, with the contact panel open
// and with a long delivery status (a reply queued because no SMTP relay is configured).
// On a 375×740 phone the contact panel covers the conversation and closes with its own button;
// a long thread opens at its newest message and follows new ones while the agent is at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { sendIn } from '../assignment-support.ts';
import { apiClient } from '../helpers/api.ts';
import { createWorker, type Worker } from '../../src/server/jobs/runner.ts';
import { jobHandlers } from '../../src/server/jobs/handlers.ts';

/** How many lines `text`, somewhere in the element's text (it may span elements), is laid out on. */
function linesOf(element: Locator, text: string): Promise<number> {
  return element.evaluate((el, wanted) => {
    const nodes: Text[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
    const at = nodes.map((n) => n.data).join('').indexOf(wanted);
    if (at < 0) throw new Error(`"${wanted}" is not in the element`);
    // The text node and offset of a character position; an end may sit at the end of a node.
    const point = (position: number, end: boolean): [Text, number] => {
      for (const n of nodes) {
        if (position < n.data.length || (end && position === n.data.length)) return [n, position];
        position -= n.data.length;
      }
      throw new Error('past the end');
    };
    const range = document.createRange();
    range.setStart(...point(at, false));
    range.setEnd(...point(at + wanted.length, true));
    return new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
  }, text);
}

describe('agent app: conversation layout at 1280×800', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  let worker: Worker;
  beforeAll(async () => {
    // No SMTP_RELAY_URL: replies wait in the outbox with the reason.
    h = await startBrowserHarness();
    worker = createWorker(h.store.deps, jobHandlers, { pollMs: 3_600_000 });
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
  });

  it('fits the contact panel in its column: the owner select, a long name, no sideways scrolling', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const db = deps.store.db;
    await db.updateTable('users').set({ first_name: 'Bartholomew', last_name: 'Featherstonehaugh-Cholmondeley' }).where('id', '=', acct.owner.id).execute();
    const conversationId = await sendIn(deps, acct.email.inbound_address, { from: 'acc@numbers.example', subject: 'Numbers do not add up' });
    await db.updateTable('contacts').set({ name: 'Maximilian Featherstonehaugh-Cholmondeley-Wolfeschlegelsteinhausen', owner_id: acct.owner.id }).where('email', '=', 'acc@numbers.example').execute();

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${conversationId}`);
    await page.getByRole('button', { name: 'Contact', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'Contact' });
    const owner = panel.getByLabel('Contact owner');
    await expect.poll(async () => owner.inputValue()).toBe(acct.owner.id);
    await h.screenshot(page, 'conversation-contact-panel');

    const layout = await panel.evaluate((aside) => {
      const right = aside.getBoundingClientRect().right;
      const name = aside.querySelector('.contact-card-name')!;
      return {
        scrollsSideways: aside.scrollWidth > aside.clientWidth,
        panelRight: right,
        selectRights: Array.from(aside.querySelectorAll('select'), (s) => s.getBoundingClientRect().right),
        nameRight: name.getBoundingClientRect().right,
        nameCut: name.scrollWidth > name.clientWidth,
      };
    });
    expect(layout.panelRight).toBe(1280);
    expect(layout.scrollsSideways).toBe(false);
    for (const selectRight of layout.selectRights) expect(selectRight).toBeLessThanOrEqual(layout.panelRight);
    expect(layout.nameCut).toBe(false);
    expect(layout.nameRight).toBeLessThanOrEqual(layout.panelRight);
    // Beside the open panel the thread is narrow; the sender's address still is not broken up.
    expect(await linesOf(page.locator('.message-in .message-from'), '<acc@numbers.example>')).toBe(1);
  });

  it("keeps an outbound message's sender and recipient on one line each under a long delivery status", async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    await deps.store.db.updateTable('users').set({ first_name: 'Ada', last_name: 'Lovelace' }).where('id', '=', acct.owner.id).execute();
    const conversationId = await sendIn(deps, acct.email.inbound_address, { from: 'newcust@customer.example', subject: 'First order' });

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${conversationId}`);
    await page.getByRole('textbox', { name: 'Reply' }).fill('Welcome aboard!');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = page.locator('.message-out');
    await reply.waitFor();
    // The send job finds no relay and leaves the reply queued with the reason.
    await worker.drain();
    await page.reload();
    await reply.getByText('Queued — No outbound relay is configured (SMTP_RELAY_URL)').waitFor();
    await h.screenshot(page, 'conversation-reply-queued');

    const from = reply.locator('.message-from');
    expect(await linesOf(from, 'Ada Lovelace')).toBe(1);
    expect(await linesOf(from, 'To: Customer <newcust@customer.example>')).toBe(1);
  });
});

/** Whether the element lies wholly inside the visible part of the thread's scroll box. */
const inThreadView = (el: Locator) =>
  el.evaluate((node) => {
    const box = node.closest('.thread-scroll')!.getBoundingClientRect();
    const r = node.getBoundingClientRect();
    return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  });

describe('agent app: conversation layout on a 375×740 phone, and where a thread opens', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('closes the contact panel, which covers the conversation, with its "Back to conversation" button', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const conversationId = await sendIn(deps, acct.email.inbound_address, { from: 'pat@customer.example', subject: 'Broken hinge' });

    const page = await h.newPage();
    await page.setViewportSize({ width: 375, height: 740 });
    await logInThroughForm(page, acct.owner.email, acct.password);
    const url = `/inbox/${acct.inbox.id}/open/${conversationId}`;
    await page.goto(url);
    const toggle = page.getByRole('button', { name: 'Contact', exact: true });
    await toggle.click();
    const panel = page.getByRole('complementary', { name: 'Contact' });
    await panel.getByText('pat@customer.example').waitFor();
    expect(await toggle.isVisible()).toBe(false);
    const back = panel.getByRole('button', { name: 'Back to conversation' });
    expect(await back.isVisible()).toBe(true);
    // Focus went into the panel (the toggle is hidden), to the way out.
    expect(await back.evaluate((el) => el === document.activeElement)).toBe(true);
    await h.screenshot(page, 'conversation-contact-panel-phone');

    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Broken hinge' }).waitFor();
    expect(await panel.isVisible()).toBe(false);
    expect(page.url()).toContain(url);
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');

    // Escape closes it as well (focus is in the panel once it opens).
    await toggle.click();
    await back.waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('.contact-panel') !== null);
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Broken hinge' }).waitFor();
    expect(await panel.isVisible()).toBe(false);
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('opens a long thread at its newest message, follows new ones while at the end, and leaves a reader who scrolled up alone', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const body = Array.from({ length: 80 }, (_, i) => `Line ${i + 1} of a long complaint.`).join('\n');
    const conversationId = await sendIn(deps, acct.email.inbound_address, { subject: 'Long story', body });
    const api = apiClient(h.app, acct.token);
    expect((await api.post(`/conversations/${conversationId}/messages`, { body: 'Sorry to hear that, we are on it.' })).status).toBe(201);

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${conversationId}`);
    const reply = page.locator('.message-out');
    await reply.getByText('Sorry to hear that').waitFor();
    // The reply and its delivery status are in view, not below the fold.
    await expect.poll(async () => inThreadView(reply.locator('.delivery'))).toBe(true);
    const scroll = page.locator('.thread-scroll');
    expect(await scroll.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await h.screenshot(page, 'conversation-opens-at-newest');

    // A note arriving while the agent is at the end comes into view.
    expect((await api.post(`/conversations/${conversationId}/messages`, { body: 'Checking the warehouse.', kind: 'note' })).status).toBe(201);
    const note = page.locator('.note').filter({ hasText: 'Checking the warehouse.' });
    await note.waitFor();
    await expect.poll(async () => inThreadView(note)).toBe(true);

    // Scrolled up to read: the next one does not move the view.
    await scroll.evaluate((el) => el.scrollTo(0, 0));
    expect((await api.post(`/conversations/${conversationId}/messages`, { body: 'Found it.', kind: 'note' })).status).toBe(201);
    await page.locator('.note').filter({ hasText: 'Found it.' }).waitFor();
    await page.waitForTimeout(300);
    expect(await scroll.evaluate((el) => el.scrollTop)).toBe(0);
  });
});
