// Browser-test helpers for a tab's connection to Parley: a reverse proxy in front of it, made of
// Playwright routes for one page, that can answer for a Parley that is down or let the live socket
// go silent; watchers for the live socket's messages and the "Connection lost" banner; and the
// usual start of a connection test, an owner signed in with a customer's conversation open.
import type { Page, WebSocket, WebSocketRoute } from 'playwright-core';
import { logInThroughForm, type BrowserHarness } from './browser.ts';
import { makeAccount } from './stores.ts';
import { sendIn } from '../assignment-support.ts';

export interface ReverseProxy {
  /**
   * Parley behind it is down, or back: while down, API requests and /healthz get a 502 with the
   * proxy's own HTML page, and new sockets are refused before they open.
   */
  setParleyDown(down: boolean): void;
  /** Closes the open sockets, as a proxy does when Parley behind it goes away. */
  cutSockets(): Promise<void>;
  /** The open sockets stop carrying anything either way, and nothing says so (a NAT dropped them). */
  silenceSockets(): void;
}

const BAD_GATEWAY = {
  status: 502,
  contentType: 'text/html',
  body: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
};

/** Puts a reverse proxy between the page and Parley; set it up before the page loads. */
export async function reverseProxy(page: Page): Promise<ReverseProxy> {
  let down = false;
  const open = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
  await page.route(
    (url) => url.pathname.startsWith('/api/v1/') || url.pathname === '/healthz',
    (route) => (down ? route.fulfill(BAD_GATEWAY) : route.fallback()),
  );
  await page.routeWebSocket(
    (url) => url.pathname === '/api/v1/ws',
    (ws) => {
      if (down) return ws.close();
      open.add({ page: ws, server: ws.connectToServer() });
    },
  );
  return {
    setParleyDown: (value) => {
      down = value;
    },
    cutSockets: async () => {
      for (const socket of open) await socket.page.close();
      open.clear();
    },
    silenceSockets: () => {
      // A message handler on either side replaces Playwright's forwarding to the other.
      for (const socket of open) {
        socket.page.onMessage(() => {});
        socket.server.onMessage(() => {});
      }
      open.clear();
    },
  };
}

export interface LiveWatch {
  /** The live socket of the page that next receives a message of this type (within 20 s). */
  next(type: 'subscribed' | 'event' | 'pong'): Promise<WebSocket>;
}

/** Watches every live socket the page opens from now on (not one already open). */
export function watchLive(page: Page): LiveWatch {
  const waiting = new Set<{ type: string; resolve: (socket: WebSocket) => void }>();
  page.on('websocket', (socket) => {
    socket.on('framereceived', (frame) => {
      if (typeof frame.payload !== 'string') return;
      const { type } = JSON.parse(frame.payload) as { type?: unknown };
      for (const waiter of waiting) {
        if (waiter.type !== type) continue;
        waiting.delete(waiter);
        waiter.resolve(socket);
      }
    });
  });
  return {
    next: (type) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${type}" message on a live socket within 20 s`)), 20_000);
        waiting.add({
          type,
          resolve: (socket) => {
            clearTimeout(timer);
            resolve(socket);
          },
        });
      }),
  };
}

/** Counts in the page how many times the banner appeared, however briefly (read with bannersShown). */
export async function countBanners(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { bannersShown: number };
    w.bannersShown = 0;
    let shown = false;
    new MutationObserver(() => {
      const now = document.querySelector('.connection-banner') !== null;
      if (now && !shown) w.bannersShown++;
      shown = now;
    }).observe(document, { childList: true, subtree: true });
  });
}

export function bannersShown(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { bannersShown: number }).bannersShown);
}

export interface OpenConversation<T> {
  acct: Awaited<ReturnType<typeof makeAccount>>;
  conversationId: string;
  page: Page;
  /** What `beforeSignIn` returned. */
  prepared: T;
}

/**
 * A fresh account whose inbox got one email (`mail`), and a new page, counting banners, in which
 * its owner signed in and opened that conversation, with the live socket subscribed.
 * `beforeSignIn` runs on the page before anything loads in it (routes such as reverseProxy's).
 */
export async function openConversationAsOwner<T = undefined>(
  h: BrowserHarness,
  mail: { from: string; subject: string },
  beforeSignIn?: (page: Page) => Promise<T>,
): Promise<OpenConversation<T>> {
  const deps = h.store.deps;
  const acct = await makeAccount(deps, { plan: 'professional' });
  const conversationId = await sendIn(deps, acct.email.inbound_address, mail);
  const page = await h.newPage();
  await countBanners(page);
  const prepared = (await beforeSignIn?.(page)) as T;
  await logInThroughForm(page, acct.owner.email, acct.password);
  const subscribed = watchLive(page).next('subscribed');
  await page.goto(`/inbox/${acct.inbox.id}/open/${conversationId}`);
  await page.getByRole('heading', { name: mail.subject }).waitFor();
  await subscribed;
  return { acct, conversationId, page, prepared };
}
