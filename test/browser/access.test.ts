// Access in headless Chromium (issue 5): a super admin who is not in a restricted inbox's Access
// list sees the "View only" banner, has no way to reply, and the API refuses a reply with 403
// view_only; an admin restricting an inbox in the Access tab hides it from an agent without
// access; the Users, Teams and Profile screens change what they say they change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { addConversation, addUser } from '../access-fixtures.ts';
import { setInboxAccess } from '../../src/server/core/set-inbox-access.ts';
import { createInbox } from '../../src/server/core/create-inbox.ts';

const PASSWORD = 'correct horse battery';

/** A JSON call from inside the page, with the session cookie and the CSRF token, as the app makes it. */
async function apiFromPage(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: { error?: { code: string } } }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
      const res = await fetch(url, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    { method, url, body },
  );
}

describe('agent app: access', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows a view-only super admin the banner, no way to reply, and the API refuses with view_only', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const sam = await addUser(deps, acct.account, { role: 'super_admin', name: 'Sam' });
    const owner = { kind: 'user' as const, user: acct.owner, account: acct.account, via: 'cli' as const };
    await deps.run(owner, (ctx) => setInboxAccess(ctx, { inboxId: acct.inbox.id, access: 'specific', userIds: [acct.owner.id], teamIds: [] }));
    const conv = await addConversation(deps, acct.account, acct.inbox.id, 'Refund for order 1042', { contactEmail: `customer@${acct.account.subdomain}.example` });

    const page = await h.newPage();
    await logInThroughForm(page, sam.user.email, PASSWORD);
    await page.goto(`/inbox/${acct.inbox.id}/open/${conv.id}`);
    await page.getByRole('heading', { name: /Refund for order 1042/ }).first().waitFor();
    const banner = page.getByRole('note', { name: 'View only' });
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/view this inbox but not reply/);
    // No enabled reply box.
    const reply = page.getByRole('textbox', { name: 'Reply' });
    expect((await reply.count()) === 0 || (await reply.isDisabled())).toBe(true);
    await h.screenshot(page, 'access-view-only-super-admin');

    const refused = await apiFromPage(page, 'POST', `/api/v1/conversations/${conv.id}/messages`, { body: 'Trying anyway' });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('view_only');
    const written = await deps.store.db.selectFrom('messages').select('id').where('conversation_id', '=', conv.id).execute();
    expect(written).toHaveLength(1);

    // The member owner, on the same conversation, has no banner and a reply box.
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${conv.id}`);
    await page.getByRole('textbox', { name: 'Reply' }).waitFor();
    expect(await page.getByRole('note', { name: 'View only' }).count()).toBe(0);
  });

  it('restricting an inbox in the Access tab hides it from an agent without access', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const olga = await addUser(deps, acct.account, { role: 'agent', name: 'Olga' });
    const tom = await addUser(deps, acct.account, { role: 'agent', name: 'Tom' });
    const owner = { kind: 'user' as const, user: acct.owner, account: acct.account, via: 'cli' as const };
    const sales = await deps.run(owner, (ctx) => createInbox(ctx, { name: 'Sales', access: 'everyone', userIds: [], teamIds: [] }, deps.domains));
    await addConversation(deps, acct.account, sales.inbox.id, 'Pricing for 50 seats');

    // Before: Olga sees Sales.
    const page = await h.newPage();
    await logInThroughForm(page, olga.user.email, PASSWORD);
    await page.goto('/inbox');
    await page.getByLabel('Current view').locator('option', { hasText: 'Sales' }).waitFor({ state: 'attached' });

    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/settings/inboxes/${sales.inbox.id}/access`);
    const access = page.getByRole('region', { name: 'Access' });
    await access.getByLabel(/Select users and teams who can edit/).check();
    await access.getByLabel(/^Tom/).check();
    await h.screenshot(page, 'access-tab-specific');
    await access.getByRole('button', { name: 'Save' }).click();
    await access.getByRole('status').filter({ hasText: 'Access saved' }).waitFor();

    const row = await deps.store.db.selectFrom('inboxes').select('access').where('id', '=', sales.inbox.id).executeTakeFirstOrThrow();
    expect(row.access).toBe('specific');
    const grants = await deps.store.db.selectFrom('inbox_access_grants').select(['user_id', 'team_id']).where('inbox_id', '=', sales.inbox.id).execute();
    expect(grants).toEqual([{ user_id: tom.user.id, team_id: null }]);

    // After: Olga no longer has Sales anywhere; Tom still does.
    await logInThroughForm(page, olga.user.email, PASSWORD);
    await page.goto('/inbox');
    await page.getByLabel('Current view').locator('option').first().waitFor({ state: 'attached' });
    expect(await page.getByLabel('Current view').locator('option', { hasText: 'Sales' }).count()).toBe(0);
    const hidden = await apiFromPage(page, 'GET', `/api/v1/inboxes/${sales.inbox.id}`);
    expect(hidden.status).toBe(404);
    await logInThroughForm(page, tom.user.email, PASSWORD);
    await page.goto('/inbox');
    await page.getByLabel('Current view').locator('option', { hasText: 'Sales' }).waitFor({ state: 'attached' });
  });

  it('adds a user with a free seat, moves them into a team, and sets your own availability', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);

    await page.goto('/settings/teams');
    await page.getByRole('button', { name: 'Create team' }).click();
    const teamDialog = page.getByRole('dialog', { name: 'Create team' });
    await teamDialog.getByLabel('Team name').fill('Billing');
    await teamDialog.getByRole('button', { name: 'Create team' }).click();
    await teamDialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Teams' }).getByText('Billing').waitFor();

    await page.goto('/settings/users');
    await page.getByRole('button', { name: 'Add user' }).click();
    const add = page.getByRole('dialog', { name: 'Add user' });
    await add.getByLabel('Email').fill(`fay@${acct.account.subdomain}.test`);
    await add.getByLabel('First name').fill('Fay');
    await add.getByLabel('Last name').fill('Free');
    await add.getByLabel('Seat').selectOption('free');
    await add.getByLabel('Billing').check();
    await add.getByRole('button', { name: 'Add user' }).click();
    await add.waitFor({ state: 'hidden' });
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('row', { name: /Fay Free/ }).getByText('Free seat').waitFor();
    await h.screenshot(page, 'settings-users');
    const fay = await deps.store.db.selectFrom('users').selectAll().where('email', '=', `fay@${acct.account.subdomain}.test`).executeTakeFirstOrThrow();
    expect(fay).toMatchObject({ seat: 'free', role: 'agent', first_name: 'Fay', last_name: 'Free' });

    // Change her to a paid admin.
    await users.getByRole('button', { name: 'Edit Fay Free' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Fay Free' });
    await edit.getByLabel('Role').selectOption('admin');
    await edit.getByLabel('Seat').selectOption('paid');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await users.getByRole('row', { name: /Fay Free/ }).getByText('Paid seat').waitFor();
    const after = await deps.store.db.selectFrom('users').select(['role', 'seat']).where('id', '=', fay.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ role: 'admin', seat: 'paid' });
    const log = await deps.store.db.selectFrom('audit_log').select(['action', 'changes']).where('subject_id', '=', fay.id).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    expect(log[0]!.action).toBe('user.updated');
    expect(JSON.parse(log[0]!.changes)).toMatchObject({ role: { from: 'agent', to: 'admin' }, seat: { from: 'free', to: 'paid' } });

    // Profile: name and Away.
    await page.goto('/settings/profile');
    await page.getByLabel('First name').fill('Olivia');
    await page.getByLabel('Last name').fill('Owner');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Profile saved' }).waitFor();
    await page.getByRole('switch', { name: 'Available' }).click({ force: true });
    await page.getByRole('status').filter({ hasText: 'You are away' }).waitFor();
    await h.screenshot(page, 'settings-profile-away');
    const me = await deps.store.db.selectFrom('users').select(['first_name', 'last_name', 'availability']).where('id', '=', acct.owner.id).executeTakeFirstOrThrow();
    expect(me).toEqual({ first_name: 'Olivia', last_name: 'Owner', availability: 'away' });
  });
});
