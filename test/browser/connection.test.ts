// The "Connection lost. Reconnecting…" banner (layout/ConnectionBanner.tsx, api/connection.ts):
// it never shows on a normal load; it shows when the server goes away (the page talks to Parley
// through a TCP proxy the test closes: the socket drops, its reconnect is refused, requests throw),
// when a reverse proxy answers for a Parley that is down (502 with the proxy's own HTML page) or a
// captive portal answers the API with its login page (200, HTML), and when the browser goes
// offline (playwright's setOffline); a reply sent meanwhile fails with an error and keeps its
// draft; once back, the banner goes and what arrived meanwhile shows.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { bannersShown, countBanners, openConversationAsOwner, reverseProxy, watchLive } from '../helpers/connection.ts';
import { makeAccount } from '../helpers/stores.ts';
import { sendIn } from '../assignment-support.ts';

/** A TCP proxy to Parley that can be taken down (every connection cut, new ones refused) and brought back on its port. */
async function startProxy(targetPort: number) {
  const open = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        const drop = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        for (const socket of [client, upstream]) {
          open.add(socket);
          socket.on('error', drop);
          socket.on('close', drop);
        }
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      for (const socket of open) socket.destroy();
      if (s) s.close(() => resolve());
      else resolve();
    });
  await up();
  return { url: `http://127.0.0.1:${port}`, up, down };
}

describe('agent app: connection lost and back', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    h = await startBrowserHarness();
    proxy = await startProxy(Number(new URL(h.baseUrl).port));
  });
  afterAll(async () => {
    await proxy?.down();
    await h?.close();
  });

  it('shows no banner on a normal load, with the live socket working', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    await sendIn(deps, acct.email.inbound_address, { subject: 'Already here' });
    const page = await h.newPage();
    await countBanners(page);
    await logInThroughForm(page, acct.owner.email, acct.password);
    const subscribed = watchLive(page).next('subscribed');
    await page.goto(`/inbox/${acct.inbox.id}`);
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByText('Already here').waitFor();
    await subscribed;
    // A live update arrives and the page settles: still no banner, not even for a moment.
    await sendIn(deps, acct.email.inbound_address, { subject: 'Arrived live' });
    await list.getByText('Arrived live').waitFor();
    await page.waitForLoadState('networkidle');
    expect(await bannersShown(page)).toBe(0);
  });

  it('says so when the server goes away, keeps a reply that could not be sent, and catches up when it is back', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const conversationId = await sendIn(deps, acct.email.inbound_address, { from: 'ann@customer.example', subject: 'Where is my parcel' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    // The session cookie is for 127.0.0.1, whichever port: the proxy's origin is signed in too.
    const subscribed = watchLive(page).next('subscribed');
    await page.goto(`${proxy.url}/inbox/${acct.inbox.id}/open/${conversationId}`);
    await page.getByRole('heading', { name: 'Where is my parcel' }).waitFor();
    await subscribed;
    const banner = page.getByRole('alert').filter({ hasText: 'Connection lost. Reconnecting…' });
    expect(await banner.count()).toBe(0);

    await proxy.down();
    await banner.waitFor();
    await h.screenshot(page, 'connection-lost');
    // The banner is a strip above the page, which makes room: the composer is not pushed off screen.
    const send = page.getByRole('button', { name: 'Send', exact: true });
    const box = (await send.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(800);

    // A reply sent now fails where the agent sees it, and the draft stays in the box.
    const draft = page.getByRole('textbox', { name: 'Reply' });
    await draft.fill('It left our warehouse this morning.');
    await send.click();
    await page.getByRole('alert').filter({ hasText: 'Parley could not be reached' }).waitFor();
    expect(await draft.inputValue()).toBe('It left our warehouse this morning.');

    // Mail keeps arriving at the server meanwhile.
    await sendIn(deps, acct.email.inbound_address, { subject: 'Arrived while you were away' });

    await proxy.up();
    await banner.waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Conversations' }).getByText('Arrived while you were away').waitFor();
    // The kept draft goes out now.
    await send.click();
    await page.locator('.message-out').getByText('It left our warehouse this morning.').waitFor();
    expect(await draft.inputValue()).toBe('');
  });

  it('says so when a reverse proxy answers for a Parley that is down (502 with its own page), and catches up when it is back', async () => {
    const deps = h.store.deps;
    const { acct, page, prepared: gateway } = await openConversationAsOwner(h, { from: 'ann@customer.example', subject: 'Refund please' }, reverseProxy);
    const banner = page.getByRole('alert').filter({ hasText: 'Connection lost. Reconnecting…' });

    // The socket is cut; its reconnect is refused and /healthz gets the proxy's page.
    gateway.setParleyDown(true);
    await gateway.cutSockets();
    await banner.waitFor();
    await page.waitForResponse((response) => new URL(response.url()).pathname === '/healthz' && response.status() === 502);

    // A reply gets the proxy's page too: the connection error, not a failure to read its HTML.
    const draft = page.getByRole('textbox', { name: 'Reply' });
    await draft.fill('The refund is on its way.');
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await send.click();
    await page.getByRole('alert').filter({ hasText: 'Parley could not be reached. Check your connection and try again.' }).waitFor();
    expect(await draft.inputValue()).toBe('The refund is on its way.');
    await sendIn(deps, acct.email.inbound_address, { subject: 'Arrived during the outage' });

    gateway.setParleyDown(false);
    await banner.waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Conversations' }).getByText('Arrived during the outage').waitFor();
    // Shown once for the whole outage: no answer through the proxy ever counted as Parley's.
    expect(await bannersShown(page)).toBe(1);
    await send.click();
    await page.locator('.message-out').getByText('The refund is on its way.').waitFor();
  });

  it('says so when something answers the API with a page of its own (a captive portal\'s 200 HTML), and recovers', async () => {
    const { page } = await openConversationAsOwner(h, { from: 'cy@customer.example', subject: 'Portal' });
    const banner = page.getByRole('alert').filter({ hasText: 'Connection lost. Reconnecting…' });

    const portal = (route: Route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<html><body><h1>Sign in to the Wi-Fi</h1></body></html>' });
    const api = (url: URL) => url.pathname.startsWith('/api/v1/');
    await page.route(api, portal);
    const draft = page.getByRole('textbox', { name: 'Reply' });
    await draft.fill('Answered after the portal.');
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await send.click();
    await page.getByRole('alert').filter({ hasText: 'Parley could not be reached. Check your connection and try again.' }).waitFor();
    await banner.waitFor();
    expect(await draft.inputValue()).toBe('Answered after the portal.');

    await page.unroute(api, portal);
    await send.click();
    await page.locator('.message-out').getByText('Answered after the portal.').waitFor();
    await banner.waitFor({ state: 'detached' });
    expect(await bannersShown(page)).toBe(1);
  });

  it('says so when the browser goes offline, and catches up when it is back online', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    await sendIn(deps, acct.email.inbound_address, { subject: 'Before the tunnel' });
    const page = await h.newPage();
    await logInThroughForm(page, acct.owner.email, acct.password);
    await page.goto(`/inbox/${acct.inbox.id}`);
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByText('Before the tunnel').waitFor();
    const banner = page.getByRole('alert').filter({ hasText: 'Connection lost. Reconnecting…' });
    try {
      await h.context.setOffline(true);
      await banner.waitFor();
      await sendIn(deps, acct.email.inbound_address, { subject: 'After the tunnel' });
    } finally {
      await h.context.setOffline(false);
    }
    await banner.waitFor({ state: 'detached' });
    await list.getByText('After the tunnel').waitFor();
  });
});
