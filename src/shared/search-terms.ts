// How a search query becomes words, shared by the server (what is matched) and the web app (what
// is highlighted), so the two never disagree.

/** At most this many words are matched: more narrows nothing useful and costs index lookups. */
const MAX_TERMS = 8;

/** The query's words, lower-cased: letters and digits only, so they are safe in either index's syntax. */
export function searchTerms(q: string): string[] {
  return [...new Set(q.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_TERMS);
}
