// The conversation's actions in headless Chromium (QA): the Assignee dropdown offers only users
// who can act in the conversation's inbox (the current assignee stays listed, marked, after
// losing access), a free seat cannot pick from it on a conversation someone else has, and a
// refused snooze time is said inside the snooze popover, not under it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { apiClient } from '../helpers/api.ts';
import { addConversation, addTeam, addUser } from '../access-fixtures.ts';

/** Whether the element is what the page shows at its centre (nothing covers it). */
const onTop = (el: Locator) =>
  el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && node.contains(hit);
  });

describe('agent app: conversation actions', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('offers as assignees only users who can act in the inbox, and keeps a current one who lost access, marked', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const bob = await addUser(deps, acct.account, { role: 'agent', name: 'Bob' });
    await addUser(deps, acct.account, { role: 'agent', name: 'Alice' });
    const carol = await addUser(deps, acct.account, { role: 'agent', name: 'Carol' });
    const dan = await addUser(deps, acct.account, { role: 'agent', name: 'Dan' });
    const team = await addTeam(deps, acct.account, 'Sales team', [dan.user.id]);
    const api = apiClient(h.app, acct.token);
    const sales = await api.post('/inboxes', { name: 'Sales', access: 'specific', userIds: [bob.user.id, carol.user.id], teamIds: [team] });
    expect(sales.status).toBe(201);
    const conversation = await addConversation(deps, acct.account, sales.body.id, 'Quote for 40 seats');
    // Bob assigns it to Carol (the account owner, not granted Sales, may only view it).
    expect((await apiClient(h.app, bob.token).post(`/conversations/${conversation.id}/assign`, { assigneeId: carol.user.id })).status).toBe(200);
    // Carol loses access; she stays the assignee.
    expect((await api.put(`/inboxes/${sales.body.id}/access`, { access: 'specific', userIds: [bob.user.id], teamIds: [team] })).status).toBe(200);

    const page = await h.newPage();
    await logInThroughForm(page, bob.user.email, 'correct horse battery');
    await page.goto(`/inbox/${sales.body.id}/open/${conversation.id}`);
    const assignee = page.getByRole('combobox', { name: 'Assignee' });
    await expect.poll(async () => assignee.locator('option').allInnerTexts()).toEqual(['Unassigned', 'Bob', 'Carol (cannot act in this inbox)', 'Dan']);
    expect(await assignee.inputValue()).toBe(carol.user.id);
    await h.screenshot(page, 'assignee-who-can-act');

    await assignee.selectOption({ label: 'Dan' });
    await expect.poll(async () => (await deps.store.db.selectFrom('conversations').select('assignee_id').where('id', '=', conversation.id).executeTakeFirstOrThrow()).assignee_id).toBe(dan.user.id);
    // Carol is no longer the assignee, so no longer offered.
    await expect.poll(async () => assignee.locator('option').allInnerTexts()).toEqual(['Unassigned', 'Bob', 'Dan']);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('disables the Assignee dropdown for a free seat on a conversation assigned to someone else, and says why', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const fay = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Fay' });
    const bob = await addUser(deps, acct.account, { role: 'agent', name: 'Bob' });
    const api = apiClient(h.app, acct.token);
    const bobs = await addConversation(deps, acct.account, acct.inbox.id, 'Assigned to Bob');
    expect((await api.post(`/conversations/${bobs.id}/assign`, { assigneeId: bob.user.id })).status).toBe(200);
    const unassigned = await addConversation(deps, acct.account, acct.inbox.id, 'Nobody has it');
    const note = 'With a free seat you can assign only unassigned conversations or your own';

    const page = await h.newPage();
    await logInThroughForm(page, fay.user.email, 'correct horse battery');
    await page.goto(`/inbox/${acct.inbox.id}/open/${bobs.id}`);
    const assignee = page.getByRole('combobox', { name: 'Assignee' });
    await expect.poll(async () => assignee.inputValue()).toBe(bob.user.id);
    expect(await assignee.isDisabled()).toBe(true);
    await page.getByText(note).waitFor();
    expect(await assignee.getAttribute('title')).toBe(note);
    await h.screenshot(page, 'assignee-free-seat-locked');

    // Unassigned: Fay may take it, and then (her own) hand it on.
    await page.goto(`/inbox/${acct.inbox.id}/open/${unassigned.id}`);
    await page.getByRole('heading', { name: 'Nobody has it' }).waitFor();
    // (Disabled for a moment while the users load, and while a change is saved.)
    await expect.poll(async () => assignee.isDisabled()).toBe(false);
    expect(await page.getByText(note).count()).toBe(0);
    await assignee.selectOption({ label: 'Fay (free seat)' });
    await expect.poll(async () => (await deps.store.db.selectFrom('conversations').select('assignee_id').where('id', '=', unassigned.id).executeTakeFirstOrThrow()).assignee_id).toBe(fay.user.id);
    await expect.poll(async () => assignee.isDisabled()).toBe(false);
    expect(await page.getByText(note).count()).toBe(0);
  });

  it('says inside the open snooze popover, next to the field, that the chosen time has passed', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const conversation = await addConversation(deps, acct.account, acct.inbox.id, 'Call me back later');

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${conversation.id}`);
    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    const popover = page.getByRole('menu', { name: 'Snooze until' });
    await popover.getByLabel('Snooze until').fill('2020-01-01T09:00');
    await popover.getByRole('button', { name: 'Snooze', exact: true }).click();
    const error = popover.getByRole('alert');
    await error.getByText('Snooze until a time in the future').waitFor();
    expect(await onTop(error)).toBe(true);
    // Only once: not also under the actions, behind the popover.
    expect(await page.getByRole('alert').count()).toBe(1);
    await h.screenshot(page, 'snooze-error-in-popover');
  });
});
