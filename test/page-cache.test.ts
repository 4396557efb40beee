// The page cache stays within its entry and byte bounds, evicting the least recently used first.
import { expect, it } from 'vitest';
import { createPageCache } from '../src/server/http/page-cache.ts';

const body = (n: number) => Buffer.alloc(n, 'x');

it('evicts the least recently used entry past maxEntries', () => {
  const cache = createPageCache({ maxEntries: 2, maxBytes: 1000 });
  cache.set('a', body(1));
  cache.set('b', body(1));
  expect(cache.get('a')).toBeDefined(); // a is now the most recently used
  cache.set('c', body(1));
  expect(cache.get('b')).toBeUndefined();
  expect(cache.get('a')).toBeDefined();
  expect(cache.get('c')).toBeDefined();
});

it('evicts until the bodies fit in maxBytes, and never keeps a body larger than that', () => {
  const cache = createPageCache({ maxEntries: 100, maxBytes: 10 });
  cache.set('a', body(4));
  cache.set('b', body(4));
  cache.set('c', body(4));
  expect(cache.get('a')).toBeUndefined();
  expect(cache.get('b')?.length).toBe(4);
  cache.set('huge', body(11));
  expect(cache.get('huge')).toBeUndefined();
  cache.set('b', body(8)); // replacing an entry counts its new size only
  expect(cache.get('c')).toBeUndefined();
  expect(cache.get('b')?.length).toBe(8);
});
