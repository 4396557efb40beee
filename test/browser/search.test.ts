// Search in headless Chromium (issue 5): an agent types words into the inbox sidebar's search
// field, sees matching conversations from every inbox they can see (and none from an inbox they
// cannot), and opens one from the results; the field keeps the keyboard focus across searches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { addConversation, addUser } from '../access-fixtures.ts';
import { createInbox } from '../../src/server/core/create-inbox.ts';

describe('agent app: search', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('finds conversations across the inboxes the agent can see and opens one from the results', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const olga = await addUser(deps, acct.account, { role: 'agent', name: 'Olga' });
    const owner = { kind: 'user' as const, user: acct.owner, account: acct.account, via: 'cli' as const };
    const billing = await deps.run(owner, (ctx) => createInbox(ctx, { name: 'Billing', access: 'everyone', userIds: [], teamIds: [] }, deps.domains));
    const legal = await deps.run(owner, (ctx) => createInbox(ctx, { name: 'Legal', access: 'specific', userIds: [acct.owner.id], teamIds: [] }, deps.domains));
    const visible = await addConversation(deps, acct.account, billing.inbox.id, 'Duplicate charge on invoice 8812', { contactEmail: `ines@${acct.account.subdomain}.example` });
    await addConversation(deps, acct.account, acct.inbox.id, 'Question about shipping');
    await addConversation(deps, acct.account, legal.inbox.id, 'Invoice 8812 dispute letter');

    const page = await h.newPage();
    await logInThroughForm(page, olga.user.email, 'correct horse battery');
    await page.goto(`/inbox/${acct.inbox.id}/open`);
    const box = page.getByRole('searchbox', { name: 'Search conversations' });
    await box.fill('invoice 8812');
    await box.press('Enter');
    const results = page.getByRole('region', { name: 'Search results' }).getByRole('list', { name: 'Conversations' });
    await results.getByRole('link').first().waitFor();
    const rows = await results.getByRole('link').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Duplicate charge on invoice 8812');
    expect(page.url()).toContain('/search?q=invoice%208812');
    await h.screenshot(page, 'search-results');

    await results.getByRole('link').first().click();
    await page.getByRole('heading', { name: /Duplicate charge on invoice 8812/ }).first().waitFor();
    expect(page.url()).toContain(`/search/${visible.id}?q=`);
    // The field keeps the query while a result is open.
    expect(await box.inputValue()).toBe('invoice 8812');

    // A match in a message shows the words around it, the matching word marked.
    await addConversation(deps, acct.account, billing.inbox.id, 'Following up', {
      text: `${'Thanks for your patience while we looked into this. '.repeat(4)}The refund for the double payment went out on Friday. ${'Kind regards, the billing team. '.repeat(4)}`,
    });
    await box.fill('refund');
    await box.press('Enter');
    const snippet = results.getByRole('link').first().locator('.row-preview');
    await snippet.locator('mark').waitFor();
    expect(await snippet.locator('mark').allInnerTexts()).toEqual(['refund']);
    const shown = await snippet.innerText();
    expect(shown).toContain('The refund for the double payment went out on Friday.');
    expect(shown.startsWith('…') && shown.endsWith('…')).toBe(true);
    await h.screenshot(page, 'search-snippet');

    await box.fill('nothing like this');
    await box.press('Enter');
    await page.getByText('No conversations match “nothing like this”.').waitFor();

    // On a phone the field has a line of its own above the results.
    await page.setViewportSize({ width: 390, height: 800 });
    await box.fill('duplicate');
    await box.press('Enter');
    await results.getByRole('link').first().waitFor();
    const field = (await box.boundingBox())!;
    expect(field.width).toBeGreaterThan(300);
    await h.screenshot(page, 'search-results-phone');
  });

  it('keeps the keyboard focus in the search field across searches, and empties it on leaving search', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    await addConversation(deps, acct.account, acct.inbox.id, 'Gift wrapping request');
    await addConversation(deps, acct.account, acct.inbox.id, 'Gift card balance');

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open`);
    const box = page.getByRole('searchbox', { name: 'Search conversations' });
    const focused = () => box.evaluate((el) => el === document.activeElement);
    const results = page.getByRole('region', { name: 'Search results' }).getByRole('list', { name: 'Conversations' });
    await box.fill('gift');
    await box.press('Enter');
    await expect.poll(async () => results.getByRole('link').count()).toBe(2);
    expect(await focused()).toBe(true);
    // A second search from the results: the agent types on without clicking back in.
    await page.keyboard.type(' card');
    await page.keyboard.press('Enter');
    await expect.poll(async () => results.getByRole('link').count()).toBe(1);
    expect(page.url()).toContain('?q=gift%20card');
    expect(await focused()).toBe(true);
    expect(await box.inputValue()).toBe('gift card');

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'All open' }).click();
    await expect.poll(async () => box.inputValue()).toBe('');
  });
});
