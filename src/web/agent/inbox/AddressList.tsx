// A list of email addresses that may run into the hundreds (a message's To or Cc, the CC a reply
// keeps): the first few, then an "and N more" button that shows them all and, as "Show fewer",
// folds them again, so a huge list never pushes the message out of sight.
import { useState, type ReactNode } from 'react';
import './address-list.css';

export interface Address {
  name: string;
  address: string;
}

export function formatAddresses(list: Address[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

/**
 * label: the field ("To", "Cc"), shown before the list and naming the group for screen readers.
 * intro: words between the label and the addresses (e.g. how many there are and why).
 * shown: how many addresses show while folded.
 */
export function AddressList({ label, intro, addresses, shown = 5 }: { label: string; intro?: ReactNode; addresses: Address[]; shown?: number }) {
  const [open, setOpen] = useState(false);
  const hidden = addresses.length - shown;
  const visible = open || hidden <= 0 ? addresses : addresses.slice(0, shown);
  return (
    <div className="address-list muted small" role="group" aria-label={label}>
      {label}: {intro}
      {formatAddresses(visible)}
      {hidden > 0 && (
        <>
          {' '}
          <button type="button" className="address-list-toggle" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
            {open ? 'Show fewer' : `and ${hidden.toLocaleString('en')} more`}
          </button>
        </>
      )}
    </div>
  );
}
