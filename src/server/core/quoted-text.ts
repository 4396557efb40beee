// Where a plain-text email's quoted history begins, from the visible reply the parser found
// (email-reply-parser: the reply without quoted lines, "On … wrote:", Outlook's separator block
// or the signature). The thread view shows the text up to there and folds the rest behind "…".

/**
 * How much of a text the parser searches for the visible reply: email-reply-parser costs about
 * 5 ms per KB, and the first few KB hold the reply and any quote marker after it.
 */
export const REPLY_SCAN_CHARS = 4000;

/**
 * The offset in `text` where the quoted part begins, or null when there is nothing to fold: the
 * visible reply is empty, not a prefix of the text, all that the parser looked at (it reads the
 * first few KB only, so it found no quote there), or followed by nothing but whitespace.
 */
export function quoteStart(text: string, visibleText: string): number | null {
  if (!visibleText.trim() || !text.startsWith(visibleText)) return null;
  if (visibleText.length >= REPLY_SCAN_CHARS) return null;
  if (!text.slice(visibleText.length).trim()) return null;
  return visibleText.length;
}
