// Whether this tab can reach Parley, for the "Connection lost" banner (layout/ConnectionBanner.tsx).
// Three witnesses: the browser (navigator.onLine and its online/offline events), API requests
// (client.ts: a fetch that threw got no answer at all, nor did one a reverse proxy answered for
// with its own 502/503/504 page; any answer from Parley, even an error, proves it is there) and
// the live socket (live.ts: subscribed proves it; a reconnect that failed asks /healthz, because
// a socket can fail for reasons that are no outage, such as a proxy without WebSocket support).
// A slow request reports nothing until it ends, so it never shows.
import { useSyncExternalStore } from 'react';

export type ConnectionState = 'online' | 'offline';

let unreachable = false;
let browserOffline = false;
const listeners = new Set<() => void>();

function current(): ConnectionState {
  return browserOffline || unreachable ? 'offline' : 'online';
}

function update(change: () => void): void {
  const before = current();
  change();
  if (current() !== before) for (const listener of listeners) listener();
}

/** A request got an HTTP answer (reachable), or threw before one came (not). */
export function reportReachable(reachable: boolean): void {
  update(() => {
    unreachable = !reachable;
  });
}

/**
 * Asks the server whether it is there: Parley answers /healthz 200 without a session whenever it
 * runs, so anything else came from something in front of it (a proxy's 502 while it is down).
 */
export async function checkServer(): Promise<void> {
  try {
    const response = await fetch('/healthz', { cache: 'no-store' });
    reportReachable(response.ok);
  } catch {
    reportReachable(false);
  }
}

const onBrowserOffline = () => update(() => (browserOffline = true));
const onBrowserOnline = () => {
  update(() => (browserOffline = false));
  // Requests that failed meanwhile left `unreachable` set; ask rather than wait for the next one.
  void checkServer();
};

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) {
    browserOffline = !navigator.onLine;
    window.addEventListener('offline', onBrowserOffline);
    window.addEventListener('online', onBrowserOnline);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    window.removeEventListener('offline', onBrowserOffline);
    window.removeEventListener('online', onBrowserOnline);
  };
}

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(subscribe, current);
}
