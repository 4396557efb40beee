// A bounded in-process cache of serialized list pages. Correct by construction, not by expiry:
// every key starts with the account's event_seq, which the same transaction bumps as every change
// a list item shows (core/context.ts emit), so a page cached under seq N is only ever served to
// requests that read seq N, i.e. while nothing it shows can have changed. Superseded entries are
// never read again and age out of the LRU order.

export interface PageCache {
  get(key: string): string | undefined;
  set(key: string, json: string): void;
}

export function createPageCache(opts: { maxEntries: number; maxChars: number }): PageCache {
  const entries = new Map<string, string>();
  let chars = 0;
  return {
    get(key) {
      const json = entries.get(key);
      if (json !== undefined) {
        // Map order is insertion order: re-inserting marks it most recently used.
        entries.delete(key);
        entries.set(key, json);
      }
      return json;
    },
    set(key, json) {
      if (json.length > opts.maxChars) return;
      const old = entries.get(key);
      if (old !== undefined) {
        chars -= old.length;
        entries.delete(key);
      }
      entries.set(key, json);
      chars += json.length;
      for (const [oldest, value] of entries) {
        if (entries.size <= opts.maxEntries && chars <= opts.maxChars) break;
        entries.delete(oldest);
        chars -= value.length;
      }
    },
  };
}
