// Settings > Inbox > Inboxes in headless Chromium: rename an inbox, create one through the wizard
// on a Professional plan, the upgrade message on a free plan, a channel's Status switch, focus in
// the dialogs the Actions menu opens, and the fallback email's forwarding address shown whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { createUser } from '../../src/server/core/create-user.ts';
import { newId } from '../../src/server/core/ids.ts';

describe('agent app: Settings > Inboxes', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('renames the inbox through Actions > Rename inbox', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'free' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Inboxes' }).waitFor();
    // The fallback email with its addresses and a Copy button for the forwarding address.
    await page.getByText('Fallback email').waitFor();
    await page.getByRole('button', { name: /Copy forwarding address/ }).waitFor();
    await h.screenshot(page, 'settings-inboxes');

    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Rename inbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename inbox' });
    await dialog.getByLabel('Inbox name').fill('Customer Support');
    await h.screenshot(page, 'rename-inbox-dialog');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.getByLabel('Current view').locator('option', { hasText: 'Customer Support' }).waitFor({ state: 'attached' });
    const row = await h.store.deps.store.db.selectFrom('inboxes').select('name').where('id', '=', acct.inbox.id).executeTakeFirstOrThrow();
    expect(row.name).toBe('Customer Support');
  });

  it('shows the server message when the new name is refused, and keeps the dialog open', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'free' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/settings/inboxes');
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Rename inbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename inbox' });
    // 101 characters: past the API's limit (the field's maxLength is lifted to reach the server).
    await dialog.getByLabel('Inbox name').evaluate((el) => el.removeAttribute('maxlength'));
    await dialog.getByLabel('Inbox name').fill('x'.repeat(101));
    await dialog.getByRole('button', { name: 'Rename' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/100 characters/);
    const row = await h.store.deps.store.db.selectFrom('inboxes').select('name').where('id', '=', acct.inbox.id).executeTakeFirstOrThrow();
    expect(row.name).toBe(acct.inbox.name);
  });

  it('shows an agent the inbox settings read-only: no control that would only be refused', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'professional' });
    const agent = await h.store.deps.run({ kind: 'system', accountId: acct.account.id, reason: 'test' }, (ctx) =>
      createUser(ctx, { accountId: acct.account.id, email: `fred@${acct.account.subdomain}.test`, password: 'correct horse battery', firstName: 'Fred', lastName: 'Agent', role: 'agent', seat: 'paid', teamIds: [] }),
    );
    const page = await h.newPage();
    await logInThroughForm(page, agent.email, 'correct horse battery');
    await page.goto('/settings/inboxes');
    await page.getByRole('note').filter({ hasText: 'Only admins can change inbox settings; you can see them here.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Actions' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Connect a channel' }).count()).toBe(0);
    const status = page.getByRole('switch', { name: 'Status of Fallback email' });
    expect([await status.isChecked(), await status.isDisabled()]).toEqual([true, true]);
    await h.screenshot(page, 'settings-inboxes-agent');

    await page.getByRole('link', { name: 'View Fallback email' }).click();
    const form = page.getByRole('form', { name: 'Configuration' });
    await form.getByRole('note').filter({ hasText: 'Only admins can change these settings' }).waitFor();
    expect(await page.getByLabel('Use the Parley email for sending messages').isDisabled()).toBe(true);
    expect(await page.getByLabel('Company name').isDisabled()).toBe(true);
    expect(await page.getByRole('switch', { name: 'Choose original sender of email forwards' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    // Copying the forwarding address is for everyone.
    expect(await page.getByRole('button', { name: 'Copy forwarding address' }).isEnabled()).toBe(true);
    await h.screenshot(page, 'settings-configuration-agent');
  });

  it('creates an inbox for specific users through the wizard on the Professional plan', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'professional' });
    const agent = await h.store.deps.run({ kind: 'system', accountId: acct.account.id, reason: 'test' }, (ctx) =>
      createUser(ctx, { accountId: acct.account.id, email: `grace@${acct.account.subdomain}.test`, firstName: 'Grace', lastName: 'Hopper', role: 'agent', seat: 'paid', teamIds: [] }),
    );
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/settings/inboxes');
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Create new inbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create new inbox' });
    await dialog.getByLabel('Team inbox name').fill('Sales');
    await dialog.getByLabel('Who has inbox access').selectOption('specific');
    // Nobody chosen yet: the wizard warns that no one could reply in the inbox.
    const nobody = dialog.getByRole('note').filter({ hasText: 'With nobody selected, no one can reply in this inbox' });
    await nobody.waitFor();
    await dialog.getByLabel(/Grace Hopper/).check();
    await nobody.waitFor({ state: 'detached' });
    await h.screenshot(page, 'create-inbox-wizard');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByText('Select a channel to connect').waitFor();
    await h.screenshot(page, 'create-inbox-connect-channel');
    await dialog.getByRole('button', { name: 'Connect a channel later' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const db = h.store.deps.store.db;
    const inbox = await db.selectFrom('inboxes').selectAll().where('account_id', '=', acct.account.id).where('name', '=', 'Sales').executeTakeFirstOrThrow();
    expect(inbox.access).toBe('specific');
    const grants = await db.selectFrom('inbox_access_grants').select(['user_id', 'team_id']).where('inbox_id', '=', inbox.id).execute();
    expect(grants.map((g) => g.user_id)).toEqual([agent.id]);
    // The settings page now shows the new inbox with its own fallback email.
    await page.waitForURL(`**/settings/inboxes/${inbox.id}**`);
    expect(await page.getByLabel('Current view').locator('option:checked').innerText()).toBe('Sales');
    await page.getByText('Fallback email').waitFor();
  });

  it('shows the upgrade message instead of the wizard on a free plan', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'free' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/settings/inboxes');
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Create new inbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create new inbox' });
    await dialog.getByText('Creating more inboxes needs the Professional or Enterprise plan').waitFor();
    expect(await dialog.getByLabel('Team inbox name').count()).toBe(0);
    await h.screenshot(page, 'create-inbox-upgrade-free');
    await dialog.getByRole('button', { name: 'Got it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const count = await h.store.deps.store.db.selectFrom('inboxes').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('turns a channel off and on with its Status switch', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/settings/inboxes');
    const status = page.getByRole('switch', { name: 'Status of Fallback email' });
    expect(await status.isChecked()).toBe(true);
    await status.click();
    await page.getByText('Off', { exact: true }).waitFor();
    const db = h.store.deps.store.db;
    const inboxId = acct.inbox.id;
    const off = await db.selectFrom('channels').select('enabled').where('inbox_id', '=', inboxId).executeTakeFirstOrThrow();
    expect(off.enabled).toBe(0);
    expect(await status.isChecked()).toBe(false);
    await status.click();
    await page.waitForFunction(() => (document.querySelector('[role="switch"]') as HTMLInputElement | null)?.checked === true);
    const on = await db.selectFrom('channels').select('enabled').where('inbox_id', '=', inboxId).executeTakeFirstOrThrow();
    expect(on.enabled).toBe(1);
  });
  it('reaches every settings section from the sidebar, and the Actions menu works from the keyboard', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'professional' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const settingsNav = page.getByRole('navigation', { name: 'Settings' });
    for (const [link, url] of [
      ['Users', '/settings/users'],
      ['Teams', '/settings/teams'],
      ['Tickets pipelines', '/settings/pipelines'],
      ['Profile', '/settings/profile'],
      ['Inboxes', '/settings/inboxes'],
    ] as const) {
      await settingsNav.getByRole('link', { name: link, exact: true }).click();
      await page.waitForURL(`**${url}**`);
      await page.getByRole('heading', { level: 1, name: link }).waitFor();
    }

    const actions = page.getByRole('button', { name: 'Actions' });
    await actions.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Actions' });
    await menu.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Rename inbox');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Create new inbox');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-haspopup'))).toBe('menu');

    // A dialog opened from the menu starts in its first field and, closed with Escape, gives focus
    // back to the menu's button (the item that opened it is gone).
    for (const [downs, title, field] of [
      [1, 'Create new inbox', 'Team inbox name'],
      [0, 'Rename inbox', 'Inbox name'],
    ] as const) {
      await page.keyboard.press('Enter');
      await menu.waitFor();
      for (let i = 0; i < downs; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.waitFor();
      await expect.poll(async () => dialog.getByLabel(field).evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expect.poll(async () => actions.evaluate((el) => el === document.activeElement)).toBe(true);
    }
  });

  it("shows the fallback email's whole forwarding address on its Configuration tab, on a laptop and on a phone", async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/settings/inboxes');
    await page.getByRole('link', { name: 'Edit Fallback email' }).click();
    await page.getByRole('form', { name: 'Configuration' }).waitFor();
    const configuration = page.url();
    const address = page.locator('#forwarding-address');
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(configuration);
      await page.getByRole('button', { name: 'Copy forwarding address' }).waitFor();
      expect(await address.innerText()).toBe(acct.email.forwarding_address);
      const fits = await address.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= document.documentElement.clientWidth);
      expect(fits).toBe(true);
      await h.screenshot(page, `configuration-forwarding-address-${width}`);
    }
  });
  it("shows a channel's connection problem, when it was last checked and when mail last came", async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const db = h.store.deps.store.db;
    const channel = await db.selectFrom('channels').select('id').where('inbox_id', '=', acct.inbox.id).executeTakeFirstOrThrow();
    await db.updateTable('channels').set({ status: 'auth_failed', status_detail: 'the server said: Invalid credentials (Failure)' }).where('id', '=', channel.id).execute();
    await db
      .updateTable('email_channel_settings')
      .set({ last_fetched_at: new Date(Date.now() - 5 * 60_000).toISOString(), last_mail_at: new Date(Date.now() - 2 * 3600_000).toISOString() })
      .where('channel_id', '=', channel.id)
      .execute();
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/settings/inboxes');
    const row = page.getByRole('listitem').filter({ hasText: 'Fallback email' });
    await row.getByText('Authentication failed: the server said: Invalid credentials (Failure)').waitFor();
    expect(await row.innerText()).toMatch(/\nLast checked 5 min\. ago · last mail 2 hr\. ago/);
  });

  it('shows fetched mail that waits for a retry after our storing failed, and the error', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const db = h.store.deps.store.db;
    // The fallback channel stands in for a connected mailbox: the note follows the spool rows alone.
    const channel = await db.selectFrom('channels').select('id').where('inbox_id', '=', acct.inbox.id).executeTakeFirstOrThrow();
    const row = (n: number) => ({
      id: newId(),
      via: 'imap' as const,
      channel_id: channel.id,
      mail_from: null,
      recipients_json: '["team@customer.test"]',
      raw: Buffer.from(`Subject: waiting ${n}\r\n\r\nHello\r\n`),
      spool_file: null,
      size: 30,
      received_at: new Date().toISOString(),
      attempts: 3,
      // Far enough ahead that no processor in this run retries them.
      next_attempt_at: new Date(Date.now() + 3 * 3600_000).toISOString(),
      last_error: 'SQLITE_BUSY: database is locked',
    });
    const rows = [row(1), row(2)];
    await db.insertInto('inbound_queue').values(rows).execute();
    try {
      const page = await h.newPage();
      await logInThroughForm(page, acct.owner.email, acct.password);
      await page.goto('/settings/inboxes');
      const note = page.getByRole('listitem').filter({ hasText: 'Fallback email' }).getByRole('status');
      await note.waitFor();
      expect(await note.innerText()).toBe('2 received messages could not be stored in the inbox yet: SQLITE_BUSY: database is locked. They stay queued and nothing is lost (next attempt in 3 hr.).');
    } finally {
      await db.deleteFrom('inbound_queue').where('id', 'in', rows.map((r) => r.id)).execute();
    }
  });
});
