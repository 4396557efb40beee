// Long id lists split for `where … in (…)`: SQLite limits a statement's parameters (32,766 since
// 3.32, 999 before), and a shorter list keeps each statement's plan and lock short on both stores.

/** Ids in one statement. */
const IDS_PER_STATEMENT = 500;

export function* chunks<T>(items: readonly T[], size = IDS_PER_STATEMENT): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
