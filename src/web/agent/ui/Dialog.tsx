// A modal dialog on the native <dialog> element: focus is trapped and Escape closes it for free;
// role="dialog" with aria-labelledby names it for screen readers (and for tests). Opening focuses
// the first field; closing gives focus back to the element that had it when the dialog opened.
import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface DialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
  /** Buttons along the bottom. */
  footer?: ReactNode;
  wide?: boolean;
}

const FIRST_FIELD = '.dialog-content :is(input, select, textarea):not(:disabled)';

export function Dialog({ title, open, onClose, children, footer, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el || !open) return;
    const opener = document.activeElement;
    el.showModal();
    // showModal focuses the header's Close button; a field's autoFocus ran earlier, while the dialog
    // was still hidden, and came to nothing.
    el.querySelector<HTMLElement>(FIRST_FIELD)?.focus();
    return () => {
      el.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, [open]);
  return (
    <dialog
      ref={ref}
      role="dialog"
      aria-labelledby={titleId}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <div className="dialog-body">
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </header>
          <div className="dialog-content">{children}</div>
          {footer && <footer className="dialog-footer">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}
