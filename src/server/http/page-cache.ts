// A bounded in-process cache of serialized list pages (UTF-8 bytes, ready to write to the socket). Correct by construction, not by expiry:
// every key starts with the account's event_seq, which the same transaction bumps as every change
// a list item shows (core/context.ts emit), so a page cached under seq N is only ever served to
// requests that read seq N, i.e. while nothing it shows can have changed. Superseded entries are
// never read again and age out of the LRU order. What differs between users (each item's unread
// flag) puts the user in the key; a user's read marker changes by a use case that emits, so it
// moves event_seq as well.

export interface PageCache {
  get(key: string): Buffer | undefined;
  set(key: string, body: Buffer): void;
}

export function createPageCache(opts: { maxEntries: number; maxBytes: number }): PageCache {
  const entries = new Map<string, Buffer>();
  let bytes = 0;
  return {
    get(key) {
      const body = entries.get(key);
      if (body !== undefined) {
        // Map order is insertion order: re-inserting marks it most recently used.
        entries.delete(key);
        entries.set(key, body);
      }
      return body;
    },
    set(key, body) {
      if (body.length > opts.maxBytes) return;
      const old = entries.get(key);
      if (old !== undefined) {
        bytes -= old.length;
        entries.delete(key);
      }
      entries.set(key, body);
      bytes += body.length;
      for (const [oldest, value] of entries) {
        if (entries.size <= opts.maxEntries && bytes <= opts.maxBytes) break;
        entries.delete(oldest);
        bytes -= value.length;
      }
    },
  };
}
