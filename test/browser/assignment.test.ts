// Assignment and tickets in headless Chromium (issue 5): an automatic-assignment rule set in the
// Automation tab (the switch, "Specific users and teams" with a paid agent, Save) assigns the
// next incoming email, delivered through the real inbound pipeline (mail/ingest.ts); the picker
// offers no free seats; "Create ticket" on a conversation shows the ticket in the contact
// panel's ticket list, whose stage can then be changed there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { apiClient } from '../helpers/api.ts';
import { addUser } from '../access-fixtures.ts';
import { sendIn } from '../assignment-support.ts';

describe('agent app: automatic assignment and tickets', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it(
    'an automation rule set in the UI assigns the next incoming email',
    async () => {
      const deps = h.store.deps;
      const acct = await makeAccount(deps, { plan: 'professional' });
      const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Priya' });
      const free = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Freddie' });

      const page = await h.newPage();
      await logInThroughForm(page, acct.owner.email, acct.password);
      await page.goto(`/settings/inboxes/${acct.inbox.id}/automation`);
      await page.getByRole('switch', { name: 'Automatically assign conversations' }).check();
      await page.getByLabel('Assign to', { exact: true }).selectOption('specific');
      // Only paid seats are offered.
      const picker = page.getByRole('group', { name: 'Specific users and teams' });
      await picker.getByText(agent.user.email).waitFor();
      expect(await picker.getByText(free.user.email).count()).toBe(0);
      await picker.getByRole('checkbox', { name: new RegExp(agent.user.email.replace(/[.+]/g, '\\$&')) }).check();
      expect(await page.getByRole('checkbox', { name: 'Assign to available users only' }).isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await h.screenshot(page, 'assignment-automation-tab');

      const saved = await deps.store.db.selectFrom('automation_settings').selectAll().where('inbox_id', '=', acct.inbox.id).executeTakeFirstOrThrow();
      expect(saved.auto_assign).toBe(1);

      const conversationId = await sendIn(deps, acct.email.inbound_address, { subject: 'Where is my parcel?' });
      const row = await deps.store.db.selectFrom('conversations').select('assignee_id').where('id', '=', conversationId).executeTakeFirstOrThrow();
      expect(row.assignee_id).toBe(agent.user.id);

      // The agent sees it under "Assigned to me", with the activity line, and a notification.
      await logInThroughForm(page, agent.user.email, 'correct horse battery');
      await page.goto(`/inbox/${acct.inbox.id}/mine`);
      await page.getByText('Where is my parcel?').first().click();
      await page.getByText(/Automatically assigned to Priya/).waitFor();
      expect(await page.getByRole('combobox', { name: 'Assignee' }).inputValue()).toBe(agent.user.id);
      await page.getByRole('button', { name: /Notifications \(1 unread\)/ }).click();
      await page.getByRole('region', { name: 'Notifications list' }).getByText(/You were automatically assigned #\d+ Where is my parcel\?/).waitFor();
      await h.screenshot(page, 'assignment-assigned-to-me');
    },
    BROWSER_TEST_TIMEOUT,
  );

  it(
    'offers as targets and ticket owners only users who can act in the inbox',
    async () => {
      const deps = h.store.deps;
      const acct = await makeAccount(deps, { plan: 'professional' });
      const priya = await addUser(deps, acct.account, { role: 'agent', name: 'Priya' });
      const sam = await addUser(deps, acct.account, { role: 'super_admin', name: 'Sam' });
      const sales = await apiClient(h.app, acct.token).post('/inboxes', { name: 'Sales', access: 'specific', userIds: [priya.user.id] });
      expect(sales.status).toBe(201);

      const page = await h.newPage();
      await logInThroughForm(page, acct.owner.email, acct.password);
      await page.goto(`/settings/inboxes/${sales.body.id}/automation`);
      await page.getByRole('switch', { name: 'Automatically assign conversations' }).check();
      const picker = page.getByRole('group', { name: 'Specific users and teams' });
      await picker.getByText(priya.user.email).waitFor();
      // Sam, a super admin, can only view Sales: routing would never pick him.
      expect(await picker.getByText(sam.user.email).count()).toBe(0);
      expect(await picker.innerText()).toContain('Only users with a paid seat who can act in this inbox');
      await page.getByRole('button', { name: 'Edit ticket' }).click();
      const owners = await page.getByLabel('Ticket owner').locator('option').allInnerTexts();
      expect(owners).toContain('Priya');
      expect(owners.some((o) => o.startsWith('Sam'))).toBe(false);
      await h.screenshot(page, 'assignment-targets-who-can-act');
    },
    BROWSER_TEST_TIMEOUT,
  );

  it(
    'a ticket created from a conversation shows in the ticket panel',
    async () => {
      const deps = h.store.deps;
      const acct = await makeAccount(deps, { plan: 'professional' });
      const conversationId = await sendIn(deps, acct.email.inbound_address, { subject: 'Invoice is wrong' });

      const page = await h.newPage();
      await logInThroughForm(page, acct.owner.email, acct.password);
      await page.goto(`/inbox/${acct.inbox.id}/open/${conversationId}`);
      await page.getByRole('heading', { name: /Invoice is wrong/ }).first().waitFor();
      const panel = page.getByRole('region', { name: 'Tickets' });
      if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Contact' }).click();
      await panel.getByText(/No tickets yet/).waitFor();
      await page.getByRole('button', { name: 'Create ticket' }).click();
      await panel.getByText(/#1/).waitFor();
      await panel.getByText('Invoice is wrong').waitFor();
      const stage = panel.getByRole('combobox', { name: 'Stage of ticket #1' });
      expect(await stage.locator('option:checked').innerText()).toBe('New');
      await page.getByText(/created ticket #1/).waitFor();
      await h.screenshot(page, 'assignment-ticket-panel');

      await stage.selectOption({ label: 'Waiting on us' });
      await page.getByText(/changed ticket #1: stage to Waiting on us/).waitFor();
      const ticket = await deps.store.db.selectFrom('tickets as t').innerJoin('pipeline_stages as s', 's.id', 't.stage_id').select(['t.number', 's.name']).where('t.conversation_id', '=', conversationId).executeTakeFirstOrThrow();
      expect(ticket).toEqual({ number: 1, name: 'Waiting on us' });
    },
    BROWSER_TEST_TIMEOUT,
  );
});
