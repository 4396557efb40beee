// "Copy" next to an address: writes to the clipboard and says so for a moment.
import { useState } from 'react';

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard refused (insecure context): select-and-copy by hand still works on the shown text.
      setCopied(false);
    }
  };
  return (
    <button type="button" className="button button-small button-secondary" aria-label={label} onClick={() => void copy()}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
