// Settings > Users in headless Chromium: an admin deactivates an agent (after a confirmation that
// says what happens), the agent's open conversation becomes unassigned and the agent can no longer
// sign in; "Reactivate" brings them back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { addConversation, addUser } from '../access-fixtures.ts';

describe('agent app: deactivating users', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('deactivates and reactivates an agent', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps);
    const ann = await addUser(deps, acct.account, { role: 'agent', name: 'Ann' });
    const conversation = await addConversation(deps, acct.account, acct.inbox.id, 'Waiting on Ann');
    await deps.store.db.updateTable('conversations').set({ assignee_id: ann.user.id }).where('id', '=', conversation.id).execute();

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto('/settings/users');
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('button', { name: 'Deactivate Ann' }).waitFor();
    expect(await users.getByRole('row').filter({ hasText: acct.owner.email }).getByRole('button', { name: /^Deactivate/ }).count()).toBe(0); // not yourself
    await users.getByRole('button', { name: 'Deactivate Ann' }).click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate Ann?' });
    expect(await confirm.innerText()).toContain('open and snoozed conversations become unassigned');
    await confirm.getByRole('button', { name: 'Deactivate' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await users.getByRole('button', { name: 'Deactivate Ann' }).waitFor({ state: 'detached' });
    const gone = page.getByRole('region', { name: 'Deactivated users' });
    await gone.getByText(ann.user.email).waitFor();
    await h.screenshot(page, 'users-deactivated');
    const row = await deps.store.db.selectFrom('conversations').select('assignee_id').where('id', '=', conversation.id).executeTakeFirstOrThrow();
    expect(row.assignee_id).toBeNull();

    const refused = await page.request.post('/api/v1/auth/login', { data: { email: ann.user.email, password: 'correct horse battery' } });
    expect(refused.status()).toBe(401);

    await gone.getByRole('button', { name: 'Reactivate Ann' }).click();
    await users.getByRole('button', { name: 'Deactivate Ann' }).waitFor();
    await gone.waitFor({ state: 'detached' });
  });
});
