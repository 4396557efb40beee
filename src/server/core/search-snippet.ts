// The line of text a search result shows: the words around the first place where one of the
// query's words starts a word, cut at word boundaries, with "…" where text was cut. Pure: the
// web app highlights the words itself (as text, never HTML).
import { wordStartPattern } from '../../shared/search-terms.ts';

/** Characters kept before the match (few: a result shows two lines, the match should be on them) and after it. */
const BEFORE = 40;
const AFTER = 100;

/** The snippet of `text` around the first word starting with one of `terms` (lower-case), or null. */
export function snippetAround(text: string, terms: readonly string[]): string | null {
  if (terms.length === 0) return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  const match = wordStartPattern(terms).exec(flat);
  if (!match) return null;
  let start = Math.max(0, match.index - BEFORE);
  let end = Math.min(flat.length, match.index + match[0].length + AFTER);
  // Whole words only: move the cuts to the nearest space inside the window.
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    if (space !== -1 && space < match.index) start = space + 1;
  }
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > match.index + match[0].length) end = space;
  }
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}
