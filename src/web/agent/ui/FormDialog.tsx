// The two dialog shapes the settings screens repeat: a form with Cancel and a submit button in
// the footer and the server's error above the buttons (FormDialog), and a question with Cancel
// and one (often dangerous) action (ConfirmDialog).
import { useId, type FormEvent, type ReactNode } from 'react';
import { Dialog } from './Dialog.tsx';

export interface FormDialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  onSubmit: (e: FormEvent) => void;
  submitLabel: string;
  saving: boolean;
  /** The submit button stays disabled (e.g. nothing valid to save yet). */
  disabled?: boolean;
  error: string | null;
  children: ReactNode;
}

export function FormDialog({ title, open, onClose, onSubmit, submitLabel, saving, disabled, error, children }: FormDialogProps) {
  const formId = useId();
  return (
    <Dialog
      title={title}
      open={open}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={saving || disabled}>
            {saving ? 'Saving…' : submitLabel}
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={onSubmit}>
        {children}
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  actionLabel: string;
  busyLabel: string;
  busy: boolean;
  error: string | null;
  onConfirm: () => void;
  onClose: () => void;
}

export function ConfirmDialog({ title, children, actionLabel, busyLabel, busy, error, onConfirm, onClose }: ConfirmDialogProps) {
  return (
    <Dialog title={title} open onClose={onClose}>
      <div className="form">
        {children}
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="button button-danger" onClick={onConfirm} disabled={busy}>
            {busy ? busyLabel : actionLabel}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
