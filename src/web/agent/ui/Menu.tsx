// A dropdown menu button (e.g. "Actions"): a button with aria-haspopup that opens a role="menu"
// list of role="menuitem" buttons; closes on choice, Escape or a click outside.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  disabled?: boolean;
}

/** `label` names the button and the menu; `button` replaces the button's visible content (e.g. an avatar). */
export function Menu({ label, items, align = 'left', button, buttonClass = 'button button-secondary' }: { label: string; items: MenuItem[]; align?: 'left' | 'right'; button?: ReactNode; buttonClass?: string }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className="menu" ref={ref}>
      <button type="button" className={buttonClass} aria-label={button ? label : undefined} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
        {button ?? (
          <>
            {label} <span aria-hidden="true" className="caret">▾</span>
          </>
        )}
      </button>
      {open && (
        <div role="menu" aria-label={label} className={`menu-list menu-${align}`}>
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              className="menu-item"
              disabled={item.disabled}
              onClick={() => {
                setOpen(false);
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
