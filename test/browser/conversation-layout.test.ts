// The conversation screen's layout at 1280×800, where the contact panel takes 260 px beside the
// thread: the panel fits its column (owner select, long names) and never scrolls sideways, and a
// message's header keeps its sender and recipients on one line each, with the contact panel open
// and with a long delivery status (a reply queued because no SMTP relay is configured).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { sendIn } from '../assignment-support.ts';
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
