// An email's HTML is untrusted: in the agent app it must run no script (no dialog fires, the page
// is untouched) and fetch no remote image until the agent clicks "Show images". The hostile HTML
// is stored as-is, bypassing the server's sanitizer, to prove the browser side holds on its own.
// Also covers the rest of the thread view (quoted history, attachments, original download, parse
// error, notes, activity lines), the "View only" banner and the phone layout.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { makeAccount } from '../helpers/stores.ts';
import { createUser } from '../../src/server/core/create-user.ts';
import { newId } from '../../src/server/core/ids.ts';
import { newReplyToken } from '../../src/server/core/reply-token.ts';
import type { Deps } from '../../src/server/deps.ts';
import type { NewRow } from '../../src/server/db/schema.ts';

// A 1×1 transparent PNG.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

interface Seeded {
  conversationId: string;
  messageId: string;
  attachmentId: string;
}

/** Inserts a contact, a conversation and its thread straight into the store. */
async function seedThread(deps: Deps, acct: { account: { id: string }; inbox: { id: string } }, html: string, opts: { subject: string; contactName: string; contactEmail: string; noteAuthorId: string }): Promise<Seeded> {
  const db = deps.store.db;
  const now = new Date();
  const at = (offsetSeconds: number) => new Date(now.getTime() - 3600_000 + offsetSeconds * 1000).toISOString();
  const channel = await db.selectFrom('channels').select('id').where('inbox_id', '=', acct.inbox.id).executeTakeFirstOrThrow();
  const account = await db.updateTable('accounts').set((eb) => ({ conversation_counter: eb('conversation_counter', '+', 1) })).where('id', '=', acct.account.id).returning('conversation_counter').executeTakeFirstOrThrow();
  const contactId = newId();
  await db.insertInto('contacts').values({ id: contactId, account_id: acct.account.id, email: opts.contactEmail, name: opts.contactName, owner_id: null, created_at: at(0), updated_at: at(0) }).execute();
  const conversationId = newId();
  await db
    .insertInto('conversations')
    .values({
      id: conversationId,
      account_id: acct.account.id,
      number: Number(account.conversation_counter),
      inbox_id: acct.inbox.id,
      channel_id: channel.id,
      contact_id: contactId,
      status: 'open',
      snoozed_until: null,
      assignee_id: null,
      subject: opts.subject,
      preview: 'Hello agent, please look at the attached invoice.',
      reply_token: newReplyToken(),
      last_activity_at: at(30),
      created_at: at(0),
      closed_at: null,
    })
    .execute();
  const base = {
    account_id: acct.account.id,
    inbox_id: acct.inbox.id,
    conversation_id: conversationId,
    author_user_id: null,
    author_contact_id: null,
    html: null,
    subject: null,
    message_id: null,
    in_reply_to: null,
    references_json: null,
    from_json: null,
    to_json: null,
    cc_json: null,
    bcc_json: null,
    email_date: null,
    content_hash: null,
    raw_key: null,
    parse_error: null,
    auto_submitted: 0,
    delivery_status: null,
    delivery_error: null,
    activity_json: null,
  } satisfies Partial<NewRow<'messages'>>;
  const messageId = newId();
  await db
    .insertInto('messages')
    .values([
      {
        ...base,
        id: messageId,
        direction: 'in',
        kind: 'message',
        author_contact_id: contactId,
        text: 'Hello agent, please look at the attached invoice.',
        html,
        subject: opts.subject,
        message_id: `${messageId}@mail.example`,
        from_json: JSON.stringify({ name: opts.contactName, address: opts.contactEmail }),
        to_json: JSON.stringify([{ name: '', address: 'inbox@example.test' }]),
        raw_key: `raw/${messageId}`,
        parse_error: 'The text/calendar part could not be decoded',
        created_at: at(10),
      },
      { ...base, id: newId(), direction: 'out', kind: 'activity', text: 'Conversation assigned to Ada', activity_json: JSON.stringify({ type: 'assigned' }), created_at: at(20) },
      { ...base, id: newId(), direction: 'out', kind: 'note', author_user_id: opts.noteAuthorId, text: 'Looks like phishing, do not click anything.', created_at: at(30) },
    ])
    .execute();
  const attachmentId = newId();
  await db
    .insertInto('attachments')
    .values({ id: attachmentId, account_id: acct.account.id, message_id: messageId, filename: 'invoice.pdf', content_type: 'application/pdf', size: 48213, sha256: '0'.repeat(64), content_id: null, inline: 0, storage_key: `att/${attachmentId}` })
    .execute();
  return { conversationId, messageId, attachmentId };
}

describe('agent app: email messages are shown safely', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  let pixel: http.Server;
  let pixelPort = 0;
  const pixelHits: string[] = [];
  /** The Referer each hit came with: showing images must not tell the sender where Parley runs. */
  const pixelReferers: Array<string | undefined> = [];

  beforeAll(async () => {
    h = await startBrowserHarness();
    pixel = http.createServer((req, res) => {
      pixelHits.push(req.url ?? '');
      pixelReferers.push(req.headers.referer);
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
      res.end(PIXEL);
    });
    await new Promise<void>((resolve) => pixel.listen(0, '127.0.0.1', resolve));
    pixelPort = (pixel.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => pixel?.close(() => resolve()));
    await h?.close();
  });

  it('runs no script and loads no remote image until "Show images"', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'professional' });
    const hostile = [
      '<p id="greeting">Hello <b>agent</b>, please look at the attached invoice.</p>',
      '<script>alert(1); parent.document.title = "pwned-script";</script>',
      '<img src="does-not-exist.png" onerror="alert(2); parent.document.title = \'pwned-onerror\'">',
      '<a id="js-link" href="javascript:alert(3)">Open invoice</a>',
      `<img id="tracker" src="http://127.0.0.1:${pixelPort}/pixel.png" alt="tracker" width="20" height="20">`,
      `<div style="background-image: url('http://127.0.0.1:${pixelPort}/background.png')">Styled block</div>`,
      // No slashes after the scheme: still a remote URL to the browser.
      `<img id="noslash" src="http:127.0.0.1:${pixelPort}/noslash.png" alt="" width="20" height="20">`,
      '<svg><script>alert(4)</script></svg>',
      '<iframe srcdoc="<script>alert(5)</script>"></iframe>',
      '<form action="http://127.0.0.1:1/steal"><input name="password"><button>Log in again</button></form>',
      '<blockquote class="gmail_quote">On Monday, Bob wrote: the old thread</blockquote>',
    ].join('\n');
    const seeded = await seedThread(h.store.deps, acct, hostile, { subject: 'Invoice overdue', contactName: 'Mallory Evil', contactEmail: 'mallory@evil.test', noteAuthorId: acct.owner.id });
    const dialogsBefore = h.dialogs.length;

    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByRole('link', { name: /Mallory Evil/ }).click();
    await page.waitForURL(`**/${seeded.conversationId}`);
    // The app titles the tab after the conversation; the hostile scripts would overwrite it.
    const titleBefore = 'Invoice overdue · Parley';
    await page.waitForFunction((t) => document.title === t, titleBefore);
    const frameElement = page.locator('iframe.email-frame');
    await frameElement.waitFor();
    const frame = page.frameLocator('iframe.email-frame');
    await frame.locator('#greeting').waitFor();
    // Wait for the frame document to finish loading (images included) before counting requests.
    const frameHandle = await frameElement.elementHandle();
    const contentFrame = await frameHandle!.contentFrame();
    await contentFrame!.waitForLoadState('load');

    // The sandbox has no allow-scripts; the frame carries its own CSP.
    expect(await frameElement.getAttribute('sandbox')).not.toContain('allow-scripts');
    const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toContain("script-src 'none'");
    expect(await frame.locator('script').count()).toBe(0);
    expect(await frame.locator('[onerror]').count()).toBe(0);
    expect(await frame.locator('form, input, iframe').count()).toBe(0);
    expect(await frame.locator('#js-link').getAttribute('href')).toBeNull();
    expect(await frame.locator('#noslash').getAttribute('src')).toBeNull();

    // Clicking the (defused) link runs nothing either.
    await frame.locator('#js-link').click();
    expect(h.dialogs.slice(dialogsBefore)).toEqual([]);
    expect(await page.title()).toBe(titleBefore);
    expect(pixelHits).toEqual([]);

    // Quoted history is collapsed behind "…".
    expect(await frame.locator('blockquote').evaluate((el) => getComputedStyle(el).display)).toBe('none');
    const collapsedHeight = await frameElement.evaluate((el) => el.getBoundingClientRect().height);
    await page.getByRole('button', { name: 'Show quoted text' }).click();
    await frame.locator('blockquote').waitFor({ state: 'visible' });
    expect(pixelHits).toEqual([]);
    // The frame grows to show the quote and shrinks back when it is hidden again.
    await page.waitForFunction((h) => (document.querySelector('iframe.email-frame')?.getBoundingClientRect().height ?? 0) > h, collapsedHeight);
    await page.getByRole('button', { name: 'Hide quoted text' }).click();
    await page.waitForFunction((h) => document.querySelector('iframe.email-frame')?.getBoundingClientRect().height === h, collapsedHeight);
    await page.getByRole('button', { name: 'Show quoted text' }).click();
    await frame.locator('blockquote').waitFor({ state: 'visible' });

    // Attachments, the original message and the parse error are shown.
    const attachment = page.getByRole('link', { name: /invoice\.pdf/ });
    expect(await attachment.getAttribute('href')).toBe(`/api/v1/attachments/${seeded.attachmentId}`);
    expect(await page.getByRole('link', { name: 'Download original' }).getAttribute('href')).toBe(`/api/v1/messages/${seeded.messageId}/raw`);
    expect(await page.getByRole('alert').filter({ hasText: 'could not be read completely' }).innerText()).toContain('text/calendar');
    const note = page.getByRole('listitem', { name: /^Note by / });
    await note.waitFor();
    const ownerName = `${acct.owner.first_name} ${acct.owner.last_name}`.trim() || acct.owner.email;
    expect(await note.getAttribute('aria-label')).toBe(`Note by ${ownerName}`);
    await page.getByText('Conversation assigned to Ada').waitFor();
    await h.screenshot(page, 'conversation-hostile-email-blocked', { fullPage: true });

    // Only now the remote image is fetched.
    await page.getByRole('button', { name: 'Show images' }).click();
    await frame.locator('#tracker[src]').waitFor({ state: 'attached' });
    await page.waitForFunction(
      () => {
        const doc = document.querySelector<HTMLIFrameElement>('iframe.email-frame')?.contentDocument;
        const img = doc?.querySelector<HTMLImageElement>('#tracker');
        return Boolean(img && img.complete && img.naturalWidth > 0);
      },
      undefined,
      { timeout: 10_000 },
    );
    expect(pixelHits).toContain('/pixel.png');
    // The CSS background too, and neither carries a Referer.
    await expect.poll(() => pixelHits.includes('/background.png'), { timeout: 10_000 }).toBe(true);
    expect(pixelReferers).toEqual(pixelHits.map(() => undefined));
    expect(h.dialogs.slice(dialogsBefore)).toEqual([]);
    expect(await page.title()).toBe(titleBefore);
    await h.screenshot(page, 'conversation-hostile-email-images-shown');
  });

  it('shows the "View only" banner to an admin outside a restricted inbox', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'professional' });
    const db = h.store.deps.store.db;
    const admin = await h.store.deps.run({ kind: 'system', accountId: acct.account.id, reason: 'test' }, (ctx) =>
      createUser(ctx, { accountId: acct.account.id, email: `admin@${acct.account.subdomain}.test`, password: 'admin password', firstName: 'Alan', lastName: 'Admin', role: 'admin', seat: 'paid', teamIds: [] }),
    );
    await db.updateTable('inboxes').set({ access: 'specific' }).where('id', '=', acct.inbox.id).execute();
    await db.insertInto('inbox_access_grants').values({ id: newId(), inbox_id: acct.inbox.id, user_id: acct.owner.id, team_id: null }).execute();
    const seeded = await seedThread(h.store.deps, acct, '<p>Where is my order?</p>', { subject: 'Order status', contactName: 'Carol Customer', contactEmail: 'carol@example.test', noteAuthorId: acct.owner.id });

    const page = await h.newPage();
    await logInThroughForm(page, admin.email, 'admin password');
    await page.getByRole('link', { name: /Carol Customer/ }).click();
    await page.waitForURL(`**/${seeded.conversationId}`);
    const banner = page.getByRole('note', { name: 'View only' });
    await banner.waitFor();
    expect(await banner.innerText()).toContain("You can view this inbox but not reply or take actions. Ask an admin to add you in the inbox's Access settings.");
    await h.screenshot(page, 'conversation-view-only');

    // The owner, who is granted access, sees no banner.
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}/open/${seeded.conversationId}`);
    await page.getByRole('heading', { name: 'Order status' }).waitFor();
    expect(await page.getByRole('note', { name: 'View only' }).count()).toBe(0);
  });

  it('stacks the list and the conversation on a 390-px phone', async () => {
    const acct = await makeAccount(h.store.deps, { plan: 'starter' });
    await seedThread(h.store.deps, acct, '<p>Hi! Can I change the delivery address of order #1042?</p><blockquote>Earlier message</blockquote>', {
      subject: 'Change delivery address',
      contactName: 'Dana Buyer',
      contactEmail: 'dana@example.test',
      noteAuthorId: acct.owner.id,
    });
    await seedThread(h.store.deps, acct, '<p>Thanks for the quick reply.</p>', { subject: 'Re: Refund', contactName: 'Eve Shopper', contactEmail: 'eve@example.test', noteAuthorId: acct.owner.id });
    const page = await h.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.getByRole('link', { name: /Dana Buyer/ }).waitFor();
    // The main nav is collapsed behind the menu button.
    expect(await page.getByRole('link', { name: 'Settings', exact: true }).isVisible()).toBe(false);
    await h.screenshot(page, 'inbox-phone-390');
    const noHorizontalScroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(noHorizontalScroll).toBe(true);

    await page.getByRole('link', { name: /Dana Buyer/ }).click();
    await page.getByRole('heading', { name: 'Change delivery address' }).waitFor();
    expect(await page.getByRole('list', { name: 'Conversations' }).isVisible()).toBe(false);
    await page.frameLocator('iframe.email-frame').getByText('Can I change the delivery address').waitFor();
    await h.screenshot(page, 'conversation-phone-390');
    await page.getByRole('link', { name: 'Back to conversations' }).click();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();

    await page.getByRole('button', { name: 'Navigation' }).click();
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Inboxes' }).waitFor();
    await h.screenshot(page, 'settings-phone-390');
  });
});
