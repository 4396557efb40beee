// Whether this tab can reach Parley, for the "Connection lost" banner (layout/ConnectionBanner.tsx).
// Three witnesses: the browser (navigator.onLine and its online/offline events), API requests
// (client.ts: a fetch that threw got no answer at all, nor did one a reverse proxy answered for
// with its own 502/503/504 page; any answer from Parley, even an error, proves it is there) and
// the live socket (live.ts: subscribed proves it; a reconnect that failed asks /healthz, because
// a socket can fail for reasons that are no outage, such as a proxy without WebSocket support).
// A slow request reports nothing until it ends, so it never shows. Answers can come back out of
// order (a request sent before an outage answered after one sent during it), so the newest-started
// witness that has answered decides, and an older one arriving later is ignored.
import { useSyncExternalStore } from 'react';

export type ConnectionState = 'online' | 'offline';

let unreachable = false;
let browserOffline = false;
const listeners = new Set<() => void>();

export function connectionState(): ConnectionState {
  return browserOffline || unreachable ? 'offline' : 'online';
}

function update(change: () => void): void {
  const before = connectionState();
  change();
  if (connectionState() !== before) for (const listener of listeners) listener();
}

let witnessesStarted = 0;
let decidedBy = 0;

/**
 * Starts a witness (a request about to be sent, a socket message just received) and returns how it
 * reports: whether it got an answer from Parley (reachable) or not. A report is ignored once a
 * witness started after this one has reported.
 */
export function startWitness(): (reachable: boolean) => void {
  const id = ++witnessesStarted;
  return (reachable) => {
    if (id < decidedBy) return;
    decidedBy = id;
    update(() => {
      unreachable = !reachable;
    });
  };
}

/**
 * Asks the server whether it is there: Parley answers /healthz 200 without a session whenever it
 * runs, so anything else came from something in front of it (a proxy's 502 while it is down).
 */
export async function checkServer(): Promise<void> {
  const report = startWitness();
  try {
    const response = await fetch('/healthz', { cache: 'no-store' });
    report(response.ok);
  } catch {
    report(false);
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
  return useSyncExternalStore(subscribe, connectionState);
}
