// Opening a notification (the bell in the top bar, NotificationsBell.tsx) shows its conversation
// under the view that lists it now, so the list beside it holds it, selected: the inbox's
// "Closed" view for a conversation closed since the notification, "Snoozed" in the inbox it was
// moved to for one moved and snoozed since, as its links from a contact's record do
// (conversationHref in inbox/views.ts). It always opened "All open", whose list lacked it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { apiClient } from '../helpers/api.ts';
import { sendIn } from '../assignment-support.ts';
import { notifyUser } from '../../src/server/core/notify.ts';

describe('agent app: opening a notification', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** An account whose owner has an "assigned" notification about "Cracked screen". */
  async function notifiedOwner() {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    await sendIn(deps, acct.email.inbound_address, { subject: 'Still open' });
    const conversationId = await sendIn(deps, acct.email.inbound_address, { from: 'kim@customer.example', subject: 'Cracked screen' });
    const conversation = await deps.store.db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
    await deps.run({ kind: 'system', accountId: conversation.account_id, reason: 'test' }, (ctx) => notifyUser(ctx, { userId: acct.owner.id, kind: 'assigned', conversation }));
    return { acct, conversationId, api: apiClient(h.app, acct.token) };
  }

  /** Signs in, opens the inbox's default view ("All open"), then the notification from the bell. */
  async function openNotification(page: Page, email: string, password: string, inboxId: string) {
    await logInThroughForm(page, email, password);
    await page.goto(`/inbox/${inboxId}`);
    await page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Still open/ }).waitFor();
    await page.getByRole('button', { name: /Notifications \(1 unread\)/ }).click();
    await page.getByRole('region', { name: 'Notifications list' }).getByRole('button', { name: /assigned #\d+ Cracked screen/ }).click();
    await page.getByRole('heading', { name: 'Cracked screen' }).waitFor();
  }

  const path = (page: Page) => new URL(page.url()).pathname;

  /** The list beside the conversation holds it, selected, under the view marked current. */
  async function expectListed(page: Page, view: string) {
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.locator('a[aria-current="true"]', { hasText: 'Cracked screen' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Views' }).locator('a[aria-current="page"] .view-label').textContent()).toBe(view);
    expect(await list.getByRole('link', { name: /Still open/ }).count()).toBe(0);
  }

  it('about a conversation closed since, opens it under the Closed view, selected in the list', async () => {
    const { acct, conversationId, api } = await notifiedOwner();
    expect((await api.post(`/conversations/${conversationId}/close`)).status).toBe(200);

    const page = await h.newPage();
    await openNotification(page, acct.owner.email, acct.password, acct.inbox.id);
    await page.waitForURL((url) => url.pathname.endsWith(`/inbox/${acct.inbox.id}/closed/${conversationId}`));
    await expectListed(page, 'Closed');
    await h.screenshot(page, 'notification-closed-conversation');
  });

  it('about a conversation moved to another inbox and snoozed since, opens it there under Snoozed', async () => {
    const { acct, conversationId, api } = await notifiedOwner();
    const sales = await api.post('/inboxes', { name: 'Sales' });
    expect(sales.status).toBe(201);
    expect((await api.post(`/conversations/${conversationId}/move`, { inboxId: sales.body.id })).status).toBe(200);
    expect((await api.post(`/conversations/${conversationId}/snooze`, { until: new Date(Date.now() + 86_400_000).toISOString() })).status).toBe(200);

    const page = await h.newPage();
    await openNotification(page, acct.owner.email, acct.password, acct.inbox.id);
    await page.waitForURL((url) => url.pathname.endsWith(`/inbox/${sales.body.id}/snoozed/${conversationId}`));
    await expectListed(page, 'Snoozed');
    expect(path(page)).toBe(`/inbox/${sales.body.id}/snoozed/${conversationId}`);
  });
});
