// A plain-text email's body: the reply, with the quoted history after `quoteStart` (found when the
// mail was parsed) folded behind "…" until the agent opens it.
import { useState } from 'react';
import { QuoteToggle } from './QuoteToggle.tsx';

export function PlainTextEmail({ text, quoteStart }: { text: string; quoteStart: number | null }) {
  const [showQuoted, setShowQuoted] = useState(false);
  const foldable = quoteStart !== null && quoteStart > 0 && quoteStart < text.length;
  return (
    <>
      <div className="message-text" dir="auto">{foldable && !showQuoted ? text.slice(0, quoteStart).trimEnd() : text}</div>
      {foldable && <QuoteToggle shown={showQuoted} onToggle={() => setShowQuoted((v) => !v)} />}
    </>
  );
}
