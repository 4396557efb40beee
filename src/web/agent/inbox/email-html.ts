// Turns a message's HTML (untrusted, even though the server sanitized it already) into the
// document of a sandboxed iframe: DOMPurify again in the browser, remote images held back until the
// agent asks for them, cid: images pointed at their attachments, links opened in a new tab, and
// a CSP meta that forbids scripts and (until "Show images") any remote fetch. The iframe's
// sandbox (no allow-scripts) is the last line: even HTML that slipped past both sanitizers runs
// nothing.
import DOMPurify from 'dompurify';
import type { MessageT } from '../../../shared/api.ts';

const purify = DOMPurify(window);

export interface PreparedEmail {
  /** The frame's whole HTML document. */
  document: string;
  /** Remote images (or backgrounds) held back; "Show images" loads them. */
  blockedImages: number;
  /** Quoted history (blockquotes, Gmail/Outlook/Yahoo quote blocks) is present and hidden. */
  hasQuoted: boolean;
}

/** A URL that leaves this server: any http(s) URL (with or without slashes) or a protocol-relative one. */
const REMOTE = /^\s*(https?:|\/\/|\\\\)/i;
// Quoted-history markers of the common clients; hidden until the agent clicks "…".
const QUOTE_SELECTOR = 'blockquote, .gmail_quote, .gmail_extra, .yahoo_quoted, div[type="cite"], #appendonsend, #appendonsend ~ *, #divRplyFwdMsg, #divRplyFwdMsg ~ *, .moz-cite-prefix';

const FRAME_CSS = `
html { color-scheme: light; }
body { margin: 0; padding: 2px 2px 8px; font: 14px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2937; overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; }
img[data-parley-blocked] { display: inline-block; min-width: 16px; min-height: 16px; background: #f1f3f7; outline: 1px dashed #c7ccd6; }
table { max-width: 100%; }
pre { white-space: pre-wrap; }
a { color: #2454d6; }
blockquote { margin: 0 0 0 4px; padding-left: 12px; border-left: 3px solid #d7dce5; color: #5b6475; }
[dir="auto"] { unicode-bidi: plaintext; }
`;

// Blocks that get dir="auto" unless the sender gave them (or a parent) a direction.
const TEXT_BLOCKS = 'p, div, li, td, th, h1, h2, h3, h4, h5, h6, blockquote, pre, dd, dt, caption';

/**
 * Mail rarely says which way its text runs: each block the sender left without a direction takes
 * its own from its text (dir="auto"), and FRAME_CSS's plaintext does the same for every line after
 * a <br>, so an Arabic or Hebrew paragraph reads right to left beside an English one.
 */
function markDirections(body: HTMLElement): void {
  const unmarked = Array.from(body.querySelectorAll(TEXT_BLOCKS)).filter((el) => el.closest('[dir]') === null);
  for (const el of unmarked) el.setAttribute('dir', 'auto');
}

function cspFor(showImages: boolean): string {
  const images = showImages ? "'self' data: blob: http: https:" : "'self' data: blob:";
  return [`default-src 'none'`, `img-src ${images}`, `style-src 'unsafe-inline'`, `font-src data:`, `media-src 'none'`, `script-src 'none'`, `base-uri 'none'`, `form-action 'none'`].join('; ');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function prepareEmail(html: string, attachments: MessageT['attachments'], opts: { showImages: boolean; showQuoted: boolean }): PreparedEmail {
  const body = purify.sanitize(html, {
    RETURN_DOM: true,
    WHOLE_DOCUMENT: false,
    FORBID_TAGS: ['form', 'input', 'button', 'select', 'textarea', 'option', 'meta', 'base', 'link', 'iframe', 'frame', 'object', 'embed', 'svg', 'math', 'video', 'audio', 'source', 'track'],
    FORBID_ATTR: ['srcset', 'ping', 'action', 'formaction'],
    ADD_ATTR: ['target'],
  }) as HTMLElement;

  const byContentId = new Map(attachments.filter((a) => a.contentId).map((a) => [a.contentId!.replace(/^<|>$/g, ''), a.url]));
  let blockedImages = 0;

  for (const img of Array.from(body.querySelectorAll('img'))) {
    const src = img.getAttribute('src') ?? '';
    if (/^cid:/i.test(src)) {
      // RFC 2392: cid:<content-id> refers to a MIME part of the same message.
      const url = byContentId.get(decodeURIComponent(src.slice(4)));
      if (url) img.setAttribute('src', url);
      else img.removeAttribute('src');
      continue;
    }
    if (REMOTE.test(src) && !opts.showImages) {
      img.setAttribute('data-parley-blocked', '');
      img.removeAttribute('src');
      blockedImages++;
    }
  }
  for (const el of Array.from(body.querySelectorAll('[background]'))) {
    if (REMOTE.test(el.getAttribute('background') ?? '') && !opts.showImages) {
      el.removeAttribute('background');
      blockedImages++;
    }
  }
  for (const el of Array.from(body.querySelectorAll<HTMLElement>('[style]'))) {
    const style = el.getAttribute('style') ?? '';
    if (!opts.showImages && /url\(\s*['"]?\s*(https?:|\/\/|\\\\)/i.test(style)) {
      el.setAttribute('style', style.replace(/url\([^)]*\)/gi, 'none'));
      blockedImages++;
    }
  }
  for (const a of Array.from(body.querySelectorAll('a[href]'))) {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer');
  }

  markDirections(body);

  const hasQuoted = body.querySelector(QUOTE_SELECTOR) !== null;
  const quoteCss = hasQuoted && !opts.showQuoted ? `${QUOTE_SELECTOR} { display: none !important; }` : '';

  // The frame loads this from a blob: URL (EmailFrame), whose own URL resolves nothing: the base
  // points the app's relative URLs (attachments, inline images) at this server.
  const document =
    `<!doctype html><html><head><meta charset="utf-8">` +
    `<base href="${escapeAttr(window.location.origin)}/" target="_blank">` +
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(cspFor(opts.showImages))}">` +
    `<meta name="referrer" content="no-referrer">` +
    `<style>${FRAME_CSS}${quoteCss}</style></head><body dir="auto">${body.innerHTML}</body></html>`;
  return { document, blockedImages, hasQuoted };
}
