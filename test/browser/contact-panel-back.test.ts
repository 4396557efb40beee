// The browser's Back button and the contact panel (inbox/useBackCloses.ts). On a 375×740 phone
// the panel covers the conversation, so Back closes it and stays on the conversation; the next
// Back leaves the conversation as before; closing the panel with its own button or Escape leaves
// no extra step in the history, and neither does leaving the conversation while it is open (the
// entry left under the next screen is stepped over when Back returns to it, and Forward over it
// goes on to that screen). Forward after Back closed the panel opens it again.
// A notification about the conversation on screen closes the panel and adds no history step.
// On a 1280×800 screen, where the panel sits beside the thread, Back leaves the conversation as it
// always did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { sendIn } from '../assignment-support.ts';
import { notifyUser } from '../../src/server/core/notify.ts';

describe('agent app: Back and the contact panel', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const path = (page: Page) => new URL(page.url()).pathname;

  /** Signs in, opens the inbox, then "Cracked screen" from the list (a router navigation). */
  async function openFromList(page: Page, viewport: { width: number; height: number }, alsoInList?: string) {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    if (alsoInList) await sendIn(deps, acct.email.inbound_address, { subject: alsoInList });
    const conversationId = await sendIn(deps, acct.email.inbound_address, { from: 'kim@customer.example', subject: 'Cracked screen' });
    await page.setViewportSize(viewport);
    await logInThroughForm(page, acct.owner.email, acct.password);
    const listUrl = `/inbox/${acct.inbox.id}`;
    await page.goto(listUrl);
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByRole('link', { name: /Cracked screen/ }).click();
    const conversationUrl = `${listUrl}/open/${conversationId}`;
    await page.waitForURL((url) => url.pathname.endsWith(conversationUrl));
    const heading = page.getByRole('heading', { name: 'Cracked screen' });
    await heading.waitFor();
    const toggle = page.getByRole('button', { name: 'Contact', exact: true });
    const panel = page.getByRole('complementary', { name: 'Contact' });
    const panelShown = () => panel.getByText('kim@customer.example').waitFor();
    return {
      acct,
      conversationId,
      list,
      heading,
      conversationUrl,
      listUrl,
      toggle,
      panel,
      /** Waits until the panel shows the contact. */
      panelShown,
      /** Back, expecting the list. */
      backToList: async () => {
        await page.goBack();
        await list.getByRole('link', { name: /Cracked screen/ }).waitFor();
        expect(path(page)).toBe(listUrl);
      },
      /** Forward, expecting the conversation. */
      forwardToConversation: async () => {
        await page.goForward();
        await heading.waitFor();
        expect(path(page)).toBe(conversationUrl);
      },
      /** Opens the panel with its toggle and waits until it shows the contact. */
      openPanel: async () => {
        await toggle.click();
        await panelShown();
      },
    };
  }

  it('on a phone, Back closes the contact panel and stays on the conversation; the next Back leaves it', async () => {
    const page = await h.newPage();
    const { heading, conversationUrl, toggle, panel, openPanel, backToList } = await openFromList(page, { width: 375, height: 740 });

    await openPanel();
    expect(await heading.isVisible()).toBe(false);

    await page.goBack();
    await heading.waitFor();
    expect(await panel.isVisible()).toBe(false);
    expect(path(page)).toBe(conversationUrl);
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');

    await backToList();

    // Forward returns to the conversation, and the panel opens and closes with Back again.
    await page.goForward();
    await heading.waitFor();
    await openPanel();
    await page.goBack();
    await heading.waitFor();
    expect(path(page)).toBe(conversationUrl);
  });

  it('on a phone, closing the panel with its button or Escape leaves no extra Back step', async () => {
    const page = await h.newPage();
    const { heading, toggle, panel, backToList } = await openFromList(page, { width: 375, height: 740 });

    await toggle.click();
    await panel.getByRole('button', { name: 'Back to conversation' }).click();
    await heading.waitFor();

    await toggle.click();
    await page.waitForFunction(() => document.activeElement?.closest('.contact-panel') !== null);
    await page.keyboard.press('Escape');
    await heading.waitFor();
    expect(await panel.isVisible()).toBe(false);

    // Opened twice, closed twice without Back: one Back now leaves the conversation.
    await backToList();
  });

  it('on a phone, leaving the conversation while the panel is open leaves no extra Back step', async () => {
    const page = await h.newPage();
    const { heading, conversationUrl, panel, openPanel, backToList, forwardToConversation } = await openFromList(page, { width: 375, height: 740 });

    await openPanel();
    // The panel covers the conversation: the way out is the main navigation.
    await page.getByRole('button', { name: 'Navigation' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await heading.waitFor({ state: 'detached' });
    const leftTo = path(page);
    expect(leftTo).not.toBe(conversationUrl);

    await page.goBack();
    await heading.waitFor();
    expect(path(page)).toBe(conversationUrl);
    expect(await panel.isVisible()).toBe(false);

    // One Back more leaves the conversation: none is spent on the entry the panel left behind.
    await backToList();
    await forwardToConversation();
  });

  it('on a phone, Forward after Back over the entry the panel left behind goes on to the screen Back came from', async () => {
    const page = await h.newPage();
    const { list, heading, conversationUrl, listUrl, panel, openPanel } = await openFromList(page, { width: 375, height: 740 });

    await openPanel();
    await page.getByRole('button', { name: 'Navigation' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await heading.waitFor({ state: 'detached' });
    // /inbox redirects to the inbox's default view once the inboxes are loaded: the list shows then.
    await list.getByRole('link', { name: /Cracked screen/ }).waitFor();
    const leftTo = path(page);

    // Back steps over the panel's entry to the conversation…
    await page.goBack();
    await heading.waitFor();
    expect(path(page)).toBe(conversationUrl);
    // …and one Forward returns to the inbox, not to that entry (the same conversation again).
    await page.goForward();
    await heading.waitFor({ state: 'detached' });
    expect(path(page)).toBe(leftTo);
    expect(await list.getByRole('link', { name: /Cracked screen/ }).isVisible()).toBe(true);

    // Both ways, as often as the user likes: Back, Back to the list, then Forward twice to the inbox.
    await page.goBack();
    await heading.waitFor();
    expect(path(page)).toBe(conversationUrl);
    expect(await panel.isVisible()).toBe(false);
    await page.goBack();
    await page.waitForURL((url) => url.pathname === listUrl);
    await page.goForward();
    await heading.waitFor();
    await page.goForward();
    await heading.waitFor({ state: 'detached' });
    expect(path(page)).toBe(leftTo);
  });

  it('on a phone, Forward after Back closed the panel (or a reload did) opens it again', async () => {
    const page = await h.newPage();
    const { conversationId, list, heading, conversationUrl, panel, panelShown, openPanel, backToList } = await openFromList(page, { width: 375, height: 740 });

    await openPanel();
    await page.goBack();
    await heading.waitFor();
    expect(await panel.isVisible()).toBe(false);

    // Forward is the state Back left: the panel, open.
    await page.goForward();
    await panelShown();
    expect(await heading.isVisible()).toBe(false);
    expect(path(page)).toBe(conversationUrl);

    // It closes with Back as before, and one Back more leaves the conversation.
    await page.goBack();
    await heading.waitFor();
    expect(await panel.isVisible()).toBe(false);
    await backToList();

    // A reload closes the panel (its entry is stepped over); Forward opens it again there too.
    await page.goForward();
    await heading.waitFor();
    await openPanel();
    await page.reload();
    await heading.waitFor();
    expect(await panel.isVisible()).toBe(false);
    await page.goForward();
    await panelShown();
    await page.goBack();
    await heading.waitFor();
    await backToList();
  });

  /** An in-app notification to the account's owner about the conversation (as assigning it makes). */
  async function notifyOwner(ownerId: string, conversationId: string) {
    const deps = h.store.deps;
    const conversation = await deps.store.db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
    await deps.run({ kind: 'system', accountId: conversation.account_id, reason: 'test' }, (ctx) => notifyUser(ctx, { userId: ownerId, kind: 'assigned', conversation }));
  }

  async function openNotification(page: Page) {
    await page.getByRole('button', { name: /Notifications \(1 unread\)/ }).click();
    await page.getByRole('region', { name: 'Notifications list' }).getByRole('button', { name: /assigned #\d+ Cracked screen/ }).click();
  }

  it('on a phone, a notification for the conversation on screen closes its contact panel, and leaves no extra Back step', async () => {
    const page = await h.newPage();
    const { acct, conversationId, heading, conversationUrl, toggle, panel, openPanel, backToList, forwardToConversation } = await openFromList(page, { width: 375, height: 740 });
    await notifyOwner(acct.owner.id, conversationId);

    await openPanel();
    await openNotification(page);
    await heading.waitFor();
    expect(await panel.isVisible()).toBe(false);
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(path(page)).toBe(conversationUrl);

    // Neither the panel's entry nor a second copy of the conversation stands in the history.
    await backToList();
    await forwardToConversation();
  });

  it('at 1280×800, a notification for the conversation on screen closes its contact panel too', async () => {
    const page = await h.newPage();
    const { acct, conversationId, heading, conversationUrl, toggle, openPanel } = await openFromList(page, { width: 1280, height: 800 });
    await notifyOwner(acct.owner.id, conversationId);

    await openPanel();
    await openNotification(page);
    await page.waitForFunction(() => document.querySelector('.contact-toggle')?.getAttribute('aria-pressed') === 'false');
    expect(await heading.isVisible()).toBe(true);
    expect(path(page)).toBe(conversationUrl);
  });

  it('on a phone, the router still moves between conversations, and Back retraces them', async () => {
    const page = await h.newPage();
    const { list, heading, conversationUrl, listUrl, openPanel } = await openFromList(page, { width: 375, height: 740 }, 'Lost charger');

    await openPanel();
    await page.goBack();
    await heading.waitFor();
    // The conversation's own way back (a router link), then another conversation from the list.
    await page.getByRole('link', { name: 'Back to conversations' }).click();
    await page.waitForURL((url) => url.pathname !== conversationUrl);
    const backToUrl = path(page);
    await list.getByRole('link', { name: /Lost charger/ }).click();
    const other = page.getByRole('heading', { name: 'Lost charger' });
    await other.waitFor();
    const otherUrl = path(page);

    await page.goBack();
    await list.waitFor();
    expect(path(page)).toBe(backToUrl);
    await page.goBack();
    await heading.waitFor();
    expect(path(page)).toBe(conversationUrl);
    await page.goBack();
    await list.waitFor();
    expect(path(page)).toBe(listUrl);
    await page.goForward();
    await page.goForward();
    await page.goForward();
    await other.waitFor();
    expect(path(page)).toBe(otherUrl);
  });

  it('at 1280×800, where the panel sits beside the thread, Back leaves the conversation as before', async () => {
    const page = await h.newPage();
    const { list, heading, listUrl, openPanel } = await openFromList(page, { width: 1280, height: 800 });

    await openPanel();
    expect(await heading.isVisible()).toBe(true);

    await page.goBack();
    await page.waitForURL((url) => url.pathname === listUrl);
    await heading.waitFor({ state: 'detached' });
    expect(await list.getByRole('link', { name: /Cracked screen/ }).isVisible()).toBe(true);
  });
});
