// Sign up, log out and log in through the agent app in headless Chromium, as a user would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';

describe('agent app: sign up, log out, log in', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('signs up, lands in the new default inbox with its addresses, and the account exists', async () => {
    const page = await h.newPage();
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Account name').fill('Acme Support');
    expect(await page.getByLabel('Subdomain').inputValue()).toBe('acme-support');
    await page.getByLabel('Subdomain').fill('acme-web');
    await page.getByLabel('Plan').selectOption('professional');
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@acme-web.test');
    await page.getByLabel('Password').fill('analytical engine');
    await h.screenshot(page, 'signup-form');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await page.getByLabel('Current view').locator('option:checked').innerText()).toMatch(/Inbox/);
    await page.getByText('No conversations yet.').waitFor();
    const empty = await page.getByRole('status').filter({ hasText: 'No conversations yet.' }).innerText();
    expect(empty).toContain('@acme-web.parley.localhost');
    await h.screenshot(page, 'signup-inbox-empty');

    const db = h.store.deps.store.db;
    const account = await db.selectFrom('accounts').selectAll().where('subdomain', '=', 'acme-web').executeTakeFirstOrThrow();
    expect(account.plan).toBe('professional');
    const owner = await db.selectFrom('users').selectAll().where('account_id', '=', account.id).executeTakeFirstOrThrow();
    expect([owner.email, owner.first_name, owner.last_name, owner.role]).toEqual(['ada@acme-web.test', 'Ada', 'Lovelace', 'super_admin']);
  });

  it('shows the API error message when the subdomain is taken', async () => {
    const taken = await makeAccount(h.store.deps, { plan: 'free' });
    const page = await h.newPage();
    await page.goto('/signup');
    await page.getByLabel('Account name').fill('Copycat');
    await page.getByLabel('Subdomain').fill(taken.account.subdomain);
    await page.getByLabel('Email').fill('cat@copy.test');
    await page.getByLabel('Password').fill('long enough');
    await page.getByRole('button', { name: 'Create account' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/taken|in use|already/i);
    expect(page.url()).toContain('/signup');
  });

  it('logs out, refuses a wrong password with the server message, and logs back in', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByLabel('Current view').waitFor();

    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    // The session is gone on the server too: the API answers 401 with the cookie the browser kept.
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(me).toBe(401);
    await page.goto('/inbox');
    await page.waitForURL('**/login');

    await page.getByLabel('Email').fill(acct.owner.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/password|credentials/i);
    await h.screenshot(page, 'login-wrong-password');

    await page.getByLabel('Password').fill(acct.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByLabel('Current view').waitFor();
    expect(page.url()).toMatch(/\/inbox\/[0-9a-f-]{36}\/open$/);
  });
  it('keeps a click made while the landing inbox is still loading: the redirect to it does not undo the click', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'free' });
    const page = await h.newPage();
    // Hold the inbox list, so /inbox waits to learn which inbox to redirect to.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/inboxes', async (route) => {
      await held;
      await route.continue();
    });
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByText('Loading inboxes…').waitFor();
    // The click's URL change lands before the router renders it (React renders navigations as
    // transitions, so the list can arrive in between): move the URL without telling the router…
    await page.evaluate(() => history.pushState(null, '', '/settings/inboxes'));
    release();
    await page.getByText('Loading inboxes…').waitFor({ state: 'detached' });
    // …then let it catch up. A redirect that undid the click would have replaced the URL by now.
    await page.evaluate(() => window.dispatchEvent(new PopStateEvent('popstate')));
    await page.getByRole('heading', { name: 'Inboxes' }).waitFor();
    expect(page.url()).toMatch(/\/settings\/inboxes\/[0-9a-f-]{36}$/);
  });

  it('sends the user back to the log-in page when the session ends on the server', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'free' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByLabel('Current view').waitFor();
    // The session expires (or is revoked) while the tab stays open.
    await h.store.deps.store.db.deleteFrom('sessions').where('user_id', '=', acct.owner.id).execute();
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users', exact: true }).click();
    await page.waitForURL('**/login');
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  });
});
