// Contacts in headless Chromium: an agent opens Contacts from the main nav, finds a contact by
// part of the address, renames them and sets their owner (the timeline logs both), adds a
// contact by hand, and opens one of the contact's conversations from the record; the owner is
// also changeable from the contact panel beside a conversation. On a phone the list fills the
// screen and the picked contact's record replaces it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { addConversation, addUser } from '../access-fixtures.ts';

describe('agent app: contacts', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('finds, renames, owns and adds contacts, and opens their conversations', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps);
    const ann = await addUser(deps, acct.account, { role: 'agent', name: 'Ann' });
    const conversation = await addConversation(deps, acct.account, acct.inbox.id, 'Where is parcel 42?', { contactEmail: 'wanda@customer.example' });
    await addConversation(deps, acct.account, acct.inbox.id, 'Other question', { contactEmail: 'otto@elsewhere.example' });

    const page = await h.newPage();
    await logInThroughForm(page, ann.user.email, 'correct horse battery');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
    const list = page.getByRole('list', { name: 'Contact list' });
    await list.getByRole('link').first().waitFor();
    const search = page.getByRole('searchbox', { name: 'Search contacts' });
    await search.fill('WAND');
    await search.press('Enter');
    await page.waitForURL(/\/contacts\?q=WAND/);
    await expect.poll(async () => list.getByRole('link').allInnerTexts()).toEqual([expect.stringContaining('wanda@customer.example')]);

    await list.getByRole('link').first().click();
    const record = page.getByRole('article', { name: /Contact / });
    await record.getByLabel('Name').fill('Wanda Maximoff');
    await record.getByRole('button', { name: 'Save name' }).click();
    await record.getByRole('heading', { name: 'Wanda Maximoff' }).waitFor();
    await record.getByLabel('Contact owner').selectOption({ label: 'Ann' });
    const timeline = record.getByRole('region', { name: 'Timeline' });
    await timeline.getByText('Ann: owner set to Ann').waitFor();
    await timeline.getByText('Ann: name changed to "Wanda Maximoff"').waitFor();
    const saved = await deps.store.db.selectFrom('contacts').selectAll().where('id', '=', conversation.contact_id!).executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ name: 'Wanda Maximoff', owner_id: ann.user.id });
    await h.screenshot(page, 'contacts-record');

    // The record lists the contact's conversation; it opens in the inbox, where the contact panel
    // shows the same owner and can change it.
    await record.getByRole('link', { name: /Where is parcel 42\?/ }).click();
    await page.waitForURL(new RegExp(`/inbox/${acct.inbox.id}/open/${conversation.id}`));
    const panel = page.getByRole('complementary', { name: 'Contact' });
    const owner = panel.getByLabel('Contact owner');
    if (!(await owner.isVisible())) await page.getByRole('button', { name: /contact/i }).first().click();
    await expect.poll(async () => owner.inputValue()).toBe(ann.user.id);
    await owner.selectOption({ label: 'No owner' });
    await expect
      .poll(async () => (await deps.store.db.selectFrom('contacts').select('owner_id').where('id', '=', conversation.contact_id!).executeTakeFirstOrThrow()).owner_id)
      .toBeNull();

    // Add a contact by hand; a duplicate address is refused with the server's message.
    await page.goto('/contacts');
    await page.getByRole('button', { name: 'Add contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add contact' });
    await dialog.getByLabel('Email').fill('WANDA@customer.example');
    await dialog.getByRole('button', { name: 'Add contact' }).click();
    await dialog.getByRole('alert').getByText(/already exists/).waitFor();
    await dialog.getByLabel('Email').fill('new.person@customer.example');
    await dialog.getByLabel('Name').fill('New Person');
    await dialog.getByLabel('Contact owner').selectOption({ label: 'Ann' });
    await dialog.getByRole('button', { name: 'Add contact' }).click();
    await page.getByRole('article', { name: 'Contact New Person' }).waitFor();
    await page.getByRole('region', { name: 'Timeline' }).getByText('Contact created by Ann').waitFor();
  });

  it('on a 375×740 phone shows the list filling the screen, then the record in its place, with a way back', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps);
    await addConversation(deps, acct.account, acct.inbox.id, 'Lost parcel', { contactEmail: 'pia@customer.example' });
    await addConversation(deps, acct.account, acct.inbox.id, 'Wrong size', { contactEmail: 'quinn@customer.example' });

    const page = await h.newPage();
    await page.setViewportSize({ width: 375, height: 740 });
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/contacts');
    const list = page.getByRole('list', { name: 'Contact list' });
    const pia = list.getByRole('link', { name: /pia@customer\.example/ });
    await pia.waitFor();
    // The list takes the screen below the header and search; nothing covers its rows.
    const scrollHeight = await page.locator('.contacts-page .list-scroll').evaluate((el) => el.getBoundingClientRect().height);
    expect(scrollHeight).toBeGreaterThan(400);
    const covered = await pia.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return !el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    });
    expect(covered).toBe(false);
    expect(await page.getByText('Select a contact to see their record.').isVisible()).toBe(false);
    await h.screenshot(page, 'contacts-phone-list');

    await pia.click();
    const record = page.getByRole('article', { name: /^Contact / });
    await record.waitFor();
    expect(await list.isVisible()).toBe(false);
    await h.screenshot(page, 'contacts-phone-record');
    await page.getByRole('link', { name: 'Back to contacts' }).click();
    await list.getByRole('link', { name: /quinn@customer\.example/ }).waitFor();
    expect(await record.isVisible()).toBe(false);
    expect(new URL(page.url()).pathname).toBe('/contacts');
  });
});
