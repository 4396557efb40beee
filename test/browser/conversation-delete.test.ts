// Deleting a conversation in headless Chromium: "Delete" on the open conversation asks first
// (Cancel keeps it), then deletes it and returns to the inbox list without it; a conversation
// deleted by someone else while it is open says so live; an admin who may only view the inbox
// is not offered Delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { addConversation, addUser } from '../access-fixtures.ts';
import { apiClient } from '../helpers/api.ts';
import { sendIn } from '../assignment-support.ts';

describe('agent app: deleting a conversation', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it(
    'an agent deletes the open conversation after confirming, and lands on the list without it',
    async () => {
      const deps = h.store.deps;
      const acct = await makeAccount(deps);
      const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Dana' });
      await sendIn(deps, acct.email.inbound_address, { subject: 'Keep this one' });
      const doomed = await sendIn(deps, acct.email.inbound_address, { subject: 'Spam to delete' });

      const page = await h.newPage();
      await logInThroughForm(page, agent.user.email, 'correct horse battery');
      await page.goto(`/inbox/${acct.inbox.id}/open/${doomed}`);
      await page.getByRole('heading', { name: 'Spam to delete' }).waitFor();

      // Cancel keeps it.
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: /Delete conversation #\d+\?/ });
      await dialog.getByText(/cannot be undone/).waitFor();
      await h.screenshot(page, 'conversation-delete-confirm');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await deps.store.db.selectFrom('conversations').select('id').where('id', '=', doomed).executeTakeFirst()).toBeDefined();

      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await dialog.getByRole('button', { name: 'Delete conversation' }).click();
      await page.waitForURL((url) => url.pathname === `/inbox/${acct.inbox.id}/open`);
      const list = page.getByRole('list', { name: 'Conversations' });
      await list.getByText('Keep this one').waitFor();
      expect(await list.getByText('Spam to delete').count()).toBe(0);
      await h.screenshot(page, 'conversation-delete-back-to-list');
      expect(await deps.store.db.selectFrom('conversations').select('id').where('id', '=', doomed).executeTakeFirst()).toBeUndefined();
    },
    BROWSER_TEST_TIMEOUT,
  );

  it(
    'a conversation deleted by someone else while open says so at once; view-only admins are not offered Delete',
    async () => {
      const deps = h.store.deps;
      const acct = await makeAccount(deps);
      const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Eli' });
      const opened = await sendIn(deps, acct.email.inbound_address, { subject: 'Open in another tab' });

      const page = await h.newPage();
      await logInThroughForm(page, agent.user.email, 'correct horse battery');
      await page.goto(`/inbox/${acct.inbox.id}/open/${opened}`);
      await page.getByRole('heading', { name: 'Open in another tab' }).waitFor();
      await page.getByRole('list', { name: 'Conversations' }).getByText('Open in another tab').waitFor();
      // Give the socket its subscription before the change it must deliver.
      await page.waitForTimeout(500);
      expect((await apiClient(h.app, acct.token).delete(`/conversations/${opened}`)).status).toBe(204);
      await page.getByText('This conversation no longer exists: it was deleted.').waitFor();
      await page.getByRole('list', { name: 'Conversations' }).getByText('Open in another tab').waitFor({ state: 'detached' });
      await h.screenshot(page, 'conversation-delete-gone-live');

      // The owner (a super admin) may only view an inbox whose access list leaves them out.
      const finance = await apiClient(h.app, acct.token).post('/inboxes', { name: 'Finance', access: 'specific', userIds: [] });
      const salaries = await addConversation(deps, acct.account, finance.body.id, 'Salaries');
      await logInThroughForm(page, acct.owner.email, acct.password);
      await page.goto(`/inbox/${finance.body.id}/open/${salaries.id}`);
      await page.getByRole('note', { name: 'View only' }).waitFor();
      await page.getByRole('button', { name: 'Follow' }).waitFor();
      expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    },
    BROWSER_TEST_TIMEOUT,
  );
});
