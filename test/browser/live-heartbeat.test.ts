// The live socket's heartbeat (api/heartbeat.ts, api/live.ts): a ping the server answers keeps the
// socket; a socket gone silent without a close (a NAT or proxy dropped it) is noticed when its ping
// goes unanswered, and replaced by a new one that catches up from the last event seen. Time here
// is Playwright's clock, installed for this file's browser context (it cannot be removed, so these
// tests have a harness of their own) and fast-forwarded past a ping and its deadline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT, logInThroughForm, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { bannersShown, countBanners, reverseProxy, watchLive } from '../helpers/connection.ts';
import { makeAccount } from '../helpers/stores.ts';
import { sendIn } from '../assignment-support.ts';
import { HEARTBEAT } from '../../src/web/agent/api/heartbeat.ts';

describe('agent app: the live socket’s heartbeat', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
    await h.context.clock.install();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps a socket whose ping is answered, and replaces one gone silent, without the banner', async () => {
    const deps = h.store.deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    await sendIn(deps, acct.email.inbound_address, { subject: 'Already here' });
    const page = await h.newPage();
    await countBanners(page);
    const proxy = await reverseProxy(page);
    await logInThroughForm(page, acct.owner.email, acct.password);
    const live = watchLive(page);
    const subscribed = live.next('subscribed');
    await page.goto(`/inbox/${acct.inbox.id}`);
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByText('Already here').waitFor();
    const first = await subscribed;

    // A ping, answered: past its deadline, the same socket still carries the events.
    const pong = live.next('pong');
    await page.clock.fastForward(HEARTBEAT.everyMs);
    await pong;
    await page.clock.fastForward(HEARTBEAT.silentAfterMs);
    const event = live.next('event');
    await sendIn(deps, acct.email.inbound_address, { subject: 'Arrived live' });
    expect(await event, 'the event came on the first socket').toBe(first);
    await list.getByText('Arrived live').waitFor();

    // The connection is dropped without a word, and mail arrives meanwhile: the next ping goes
    // unanswered, and a new socket catches up from the last event the old one delivered.
    proxy.silenceSockets();
    await sendIn(deps, acct.email.inbound_address, { subject: 'Arrived while the socket was silent' });
    const resubscribed = live.next('subscribed');
    await page.clock.fastForward(HEARTBEAT.everyMs);
    await page.clock.fastForward(HEARTBEAT.silentAfterMs);
    expect(await resubscribed, 'a new socket subscribed').not.toBe(first);
    await list.getByText('Arrived while the socket was silent').waitFor();

    // Parley was there all along: the socket was replaced within a second, with no banner.
    expect(await bannersShown(page)).toBe(0);
  });
});
