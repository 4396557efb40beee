// How a search query becomes words, and where those words start a word in a text: shared by the
// server (what is matched, where a snippet is cut) and the web app (what is marked), so the two
// never disagree.

/** At most this many words are matched: more narrows nothing useful and costs index lookups. */
const MAX_TERMS = 8;

/** The query's words, lower-cased: letters and digits only, so they are safe in either index's syntax. */
export function searchTerms(q: string): string[] {
  return [...new Set(q.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_TERMS);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where one of `terms` starts a word, case-insensitively, in any script; the word start is the
 * pattern's one capturing group (so `split` keeps it).
 */
export function wordStartPattern(terms: readonly string[]): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(${terms.map(escapeRegExp).join('|')})`, 'iu');
}
