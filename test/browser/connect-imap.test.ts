// Settings > Inboxes > Connect a channel > Team email (IMAP) in headless Chromium against a real
// Dovecot: a wrong password shows what failed and saves nothing; the right one connects, and the
// channel appears in the list. Then "Edit connection" fixes a password rotated on the server (a
// wrong one shows the failure) and "Disconnect" removes the channel after asking.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInThroughForm, openTeamEmailForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';

describe('agent app: connect a team mailbox over IMAP', () => {
  let h: BrowserHarness;
  let dovecot: Dovecot;
  beforeAll(async () => {
    dovecot = await startDovecot();
    h = await startBrowserHarness({ ALLOW_PRIVATE_MAIL_HOSTS: 'true' });
  });
  afterAll(async () => {
    await h?.close();
    await dovecot?.dispose();
  });

  it('shows the wrong-password error, then connects with the right one', async () => {
    const acct = await makeAccount(h.store.deps);
    const mb = { user: `support-${crypto.randomBytes(3).toString('hex')}@example.com`, password: crypto.randomBytes(8).toString('hex') };
    await dovecot.addUser(mb.user, mb.password);

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    const dialog = await openTeamEmailForm(page, { address: mb.user, host: dovecot.host, port: dovecot.port });
    expect(await dialog.getByLabel('IMAP user name').inputValue()).toBe(mb.user); // prefilled from the address
    await dialog.getByLabel('IMAP password').fill('not-the-password');
    await dialog.getByRole('button', { name: 'Connect' }).click();

    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/IMAP login failed\. The IMAP server refused the user name or password/);
    await h.screenshot(page, 'connect-imap-wrong-password');
    expect(await h.store.deps.store.db.selectFrom('channel_addresses').select('address').where('address', '=', mb.user).executeTakeFirst()).toBeUndefined();

    await dialog.getByLabel('IMAP password').fill(mb.password);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    const done = dialog.getByRole('status');
    await done.waitFor();
    expect(await done.innerText()).toContain(`Connected ${mb.user}`);
    await h.screenshot(page, 'connect-imap-connected');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = await h.store.deps.store.db
      .selectFrom('email_channel_settings')
      .innerJoin('channels', 'channels.id', 'email_channel_settings.channel_id')
      .select(['channels.inbox_id', 'channels.status'])
      .where('email_channel_settings.team_address', '=', mb.user)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ inbox_id: acct.inbox.id, status: 'ok' });
    await page.getByText(mb.user).first().waitFor();

    // Without an SMTP server its replies go out through the fallback email: its Configuration tab
    // says so instead of offering sender settings and a preview that would not apply.
    const channelId = (await h.store.deps.store.db.selectFrom('email_channel_settings').select('channel_id').where('team_address', '=', mb.user).executeTakeFirstOrThrow()).channel_id;
    await page.goto(`/settings/inboxes/${acct.inbox.id}/channels/${channelId}/configuration`);
    await page.getByRole('note').filter({ hasText: `No outgoing (SMTP) server is set up for ${mb.user}` }).waitFor();
    expect(await page.getByLabel('Use the Parley email for sending messages').count()).toBe(0);
    expect(await page.getByRole('complementary', { name: 'Preview' }).count()).toBe(0);
    await page.getByText('Choose original sender of email forwards').first().waitFor();
    await h.screenshot(page, 'connect-imap-team-configuration');
    await page.goto('/settings/inboxes');
    await page.getByText(mb.user).first().waitFor();

    // The password is rotated on the server; the admin fixes it in "Edit connection".
    const rotated = crypto.randomBytes(8).toString('hex');
    await dovecot.setPassword(mb.user, rotated);
    await page.getByRole('button', { name: `Edit connection of ${mb.user}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit connection: ${mb.user}` });
    await edit.getByLabel('IMAP server').waitFor();
    expect(await edit.getByLabel('IMAP user name').inputValue()).toBe(mb.user); // prefilled, password never shown
    expect(await edit.getByLabel('IMAP password').inputValue()).toBe('');
    await edit.getByRole('button', { name: 'Save' }).click(); // the old, saved password
    await edit.getByRole('alert').waitFor();
    expect(await edit.getByRole('alert').innerText()).toMatch(/IMAP login failed/);
    await edit.getByLabel('IMAP password').fill(rotated);
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByRole('status').waitFor();
    await h.screenshot(page, 'connect-imap-edited');
    await edit.getByRole('button', { name: 'Done' }).click();
    await edit.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: `Disconnect ${mb.user}` }).click();
    const confirm = page.getByRole('dialog', { name: `Disconnect ${mb.user}?` });
    await confirm.getByRole('button', { name: 'Disconnect' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: `Disconnect ${mb.user}` }).waitFor({ state: 'detached' });
    expect(await h.store.deps.store.db.selectFrom('channel_addresses').select('address').where('address', '=', mb.user).executeTakeFirst()).toBeUndefined();
  });
});
