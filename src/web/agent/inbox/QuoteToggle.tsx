// The "…" under an email that shows or hides its quoted history (HTML quote blocks in EmailFrame,
// the tail of a plain-text email in PlainTextEmail): one control, so both read and behave alike.
export function QuoteToggle({ shown, onToggle }: { shown: boolean; onToggle: () => void }) {
  const label = shown ? 'Hide quoted text' : 'Show quoted text';
  return (
    <button type="button" className="quote-toggle" aria-expanded={shown} aria-label={label} title={label} onClick={onToggle}>
      …
    </button>
  );
}
