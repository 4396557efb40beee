// One email body in a sandboxed iframe (see email-html.ts for what is stripped and why), sized to
// its content, with "Show images" and the "…" quoted-history toggle (folded at first unless quotedOpenAtFirst).
// The frame's document is a blob: URL, not srcdoc: Chromium sends the app's origin as Referer with
// the images a srcdoc frame's CSS asks for (backgrounds), whatever its referrer policy says; a
// document at a blob: URL has no URL to give away.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { MessageT } from '../../../shared/api.ts';
import { prepareEmail } from './email-html.ts';
import { QuoteToggle } from './QuoteToggle.tsx';

export function EmailFrame({ html, attachments, title, quotedOpenAtFirst = false }: { html: string; attachments: MessageT['attachments']; title: string; quotedOpenAtFirst?: boolean }) {
  const [showImages, setShowImages] = useState(false);
  const [showQuoted, setShowQuoted] = useState(quotedOpenAtFirst);
  const [height, setHeight] = useState(60);
  const frame = useRef<HTMLIFrameElement>(null);
  const prepared = useMemo(() => prepareEmail(html, attachments, { showImages, showQuoted }), [html, attachments, showImages, showQuoted]);
  const src = useDocumentUrl(prepared.document);

  const measure = () => {
    // allow-same-origin (without allow-scripts) lets the app read the frame's size; the frame
    // itself still cannot run code.
    const doc = frame.current?.contentDocument;
    if (!doc?.body) return;
    // The body, not <html>: the root's scrollHeight is never less than the frame's current
    // height, so it could grow but never shrink back (e.g. after hiding quoted text).
    const content = Math.max(doc.body.scrollHeight, Math.ceil(doc.body.getBoundingClientRect().height));
    setHeight(Math.min(Math.max(content, 24), 20000));
  };

  return (
    <div className="email-body">
      {prepared.blockedImages > 0 && (
        <div className="images-blocked">
          <span>Remote images are hidden to protect your privacy.</span>
          <button type="button" className="button button-small button-secondary" onClick={() => setShowImages(true)}>
            Show images
          </button>
        </div>
      )}
      <iframe
        ref={frame}
        title={title}
        className="email-frame"
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        src={src}
        style={{ height }}
        onLoad={() => {
          measure();
          // Images finishing later change the height; 'load' does not bubble, so capture it.
          frame.current?.contentDocument?.addEventListener('load', measure, true);
        }}
      />
      {prepared.hasQuoted && <QuoteToggle shown={showQuoted} onToggle={() => setShowQuoted((v) => !v)} />}
    </div>
  );
}

/** A blob: URL holding `html`, revoked when it changes or the frame goes. */
function useDocumentUrl(html: string): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const next = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [html]);
  return url;
}
