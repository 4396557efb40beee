// The fallback email's Configuration tab, as the seed's "Edit the fallback email address"
// describes it: "Use the Parley email for sending messages", From name (dropdown + company name),
// From address ("Use default" / "Customize from address" with Verify address), the Forwarding
// address with Copy, "Add team signature" (Simple rich-text editor or HTML, Insert Token), "Choose
// original sender of email forwards", and on the right a live preview of what a contact will see
// (POST /channels/{id}/preview with the unsaved form, so it is the server's own rendering). Save
// sends PATCH /channels/{id}; a validation error is shown beside the field it names.
//
// Props:
//   inbox: InboxT — the inbox the channel belongs to.
//   channel: ChannelT — the channel being configured.
//   onChanged: () => void — called after saving, so the inbox list refetches.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ChannelT, InboxT, SenderPreviewT } from '../../../shared/api.ts';
import { ApiError, errorMessage, fieldErrorMessage, request } from '../api/client.ts';
import { CopyButton } from '../ui/CopyButton.tsx';
import { useCanResend, verificationSentence } from './address-verification.tsx';
import { useCanManageSettings } from '../api/queries.ts';
import { Switch } from '../ui/Switch.tsx';
import './configuration.css';

export interface ConfigurationTabProps {
  inbox: InboxT;
  channel: ChannelT;
  onChanged: () => void;
}

type Email = NonNullable<ChannelT['email']>;

interface Form {
  useForSending: boolean;
  fromNameMode: 'agent_and_company' | 'company';
  companyName: string;
  fromAddressMode: 'default' | 'custom';
  customFromAddress: string;
  signatureEnabled: boolean;
  signatureMode: 'simple' | 'html';
  signatureHtml: string;
  originalSenderOfForwards: boolean;
}

const TOKENS = [
  { label: 'Full name', token: '{{agent.fullName}}' },
  { label: 'First name', token: '{{agent.firstName}}' },
  { label: 'Last name', token: '{{agent.lastName}}' },
] as const;

function formOf(e: Email): Form {
  return {
    useForSending: e.useForSending,
    fromNameMode: e.fromNameMode,
    companyName: e.companyName,
    fromAddressMode: e.fromAddressMode,
    customFromAddress: e.customFromAddress ?? '',
    signatureEnabled: e.signatureEnabled,
    signatureMode: e.signatureMode,
    signatureHtml: e.signatureHtml,
    originalSenderOfForwards: e.originalSenderOfForwards,
  };
}

function FieldError({ errors, field }: { errors: Record<string, string>; field: string }) {
  const message = errors[field];
  if (!message) return null;
  return (
    <p className="field-error" role="alert" data-field={field}>
      {message}
    </p>
  );
}

/** The Simple editor: contenteditable with a toolbar (bold, italic, underline, link, image). */
function SimpleEditor({ html, onChange, editorRef, readOnly }: { html: string; onChange: (html: string) => void; editorRef: React.RefObject<HTMLDivElement | null>; readOnly: boolean }) {
  // Set the content only when it differs, so typing keeps the caret where it is.
  useEffect(() => {
    const el = editorRef.current;
    if (el && el.innerHTML !== html) el.innerHTML = html;
  }, [html, editorRef]);
  const exec = (command: string, value?: string) => {
    editorRef.current?.focus();
    document.execCommand(command, false, value);
    onChange(editorRef.current?.innerHTML ?? '');
  };
  const button = (label: string, title: string, action: () => void, content: ReactNode) => (
    <button type="button" className="toolbar-button" aria-label={label} title={title} onMouseDown={(e) => e.preventDefault()} onClick={action}>
      {content}
    </button>
  );
  return (
    <div className="signature-simple">
      <div
        ref={editorRef}
        className="signature-editor"
        contentEditable={!readOnly}
        aria-readonly={readOnly}
        role="textbox"
        aria-multiline="true"
        aria-label="Team signature"
        suppressContentEditableWarning
        onInput={(e) => onChange((e.target as HTMLDivElement).innerHTML)}
      />
      <div className="signature-toolbar" role="toolbar" aria-label="Formatting">
        {button('Bold', 'Bold', () => exec('bold'), <b>B</b>)}
        {button('Italic', 'Italic', () => exec('italic'), <i>I</i>)}
        {button('Underline', 'Underline', () => exec('underline'), <u>U</u>)}
        {button(
          'Insert link',
          'Insert link',
          () => {
            const url = window.prompt('Link address (https://…)');
            if (url && /^(https?:|mailto:)/i.test(url.trim())) exec('createLink', url.trim());
          },
          'Link',
        )}
        {button(
          'Insert image',
          'Insert image',
          () => {
            const url = window.prompt('Image address (https://…)');
            if (url && /^https?:/i.test(url.trim())) exec('insertImage', url.trim());
          },
          'Image',
        )}
      </div>
    </div>
  );
}

export function ConfigurationTab({ channel, onChanged }: ConfigurationTabProps) {
  const email = channel.email;
  // Replies go out with this channel's From name, address and signature: the fallback email's, or
  // a team mailbox's with its own SMTP server (sending-route.ts); others send through the fallback,
  // so their sender settings and preview do not apply.
  const sendsOwnReplies = Boolean(email && (email.isFallback || email.smtpServer));
  const [form, setForm] = useState<Form | null>(email ? formOf(email) : null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [preview, setPreview] = useState<SenderPreviewT | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);
  const canEdit = useCanManageSettings();
  const canResend = useCanResend(email?.customFromVerification ?? null);
  const [tokenOpen, setTokenOpen] = useState(false);
  const editorRef = useRef<HTMLDivElement | null>(null);
  const htmlRef = useRef<HTMLTextAreaElement | null>(null);

  useEffect(() => {
    if (email) setForm(formOf(email));
  }, [email]);

  // Live preview: the server renders the unsaved settings exactly as it will send them.
  useEffect(() => {
    if (!form || !sendsOwnReplies) return;
    const timer = setTimeout(() => {
      request<SenderPreviewT>('POST', `/channels/${channel.id}/preview`, {
        fromNameMode: form.fromNameMode,
        companyName: form.companyName,
        fromAddressMode: form.fromAddressMode,
        customFromAddress: form.customFromAddress.trim() || null,
        signatureEnabled: form.signatureEnabled,
        signatureHtml: form.signatureHtml,
      })
        .then((p) => {
          setPreview(p);
          setPreviewError(null);
        })
        .catch((err: unknown) => setPreviewError(errorMessage(err)));
    }, 250);
    return () => clearTimeout(timer);
  }, [form, channel.id, sendsOwnReplies]);

  if (!email || !form) return <p className="muted">This channel has no email settings.</p>;

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm({ ...form, [key]: value });
    setSaved(false);
    if (errors[`email.${key}`]) setErrors(Object.fromEntries(Object.entries(errors).filter(([k]) => k !== `email.${key}`)));
  };

  const insertToken = (token: string) => {
    setTokenOpen(false);
    if (form.signatureMode === 'html') {
      const el = htmlRef.current;
      const start = el?.selectionStart ?? form.signatureHtml.length;
      const end = el?.selectionEnd ?? start;
      set('signatureHtml', form.signatureHtml.slice(0, start) + token + form.signatureHtml.slice(end));
      return;
    }
    const el = editorRef.current;
    el?.focus();
    document.execCommand('insertText', false, token);
    set('signatureHtml', el?.innerHTML ?? form.signatureHtml + token);
  };

  const save = async () => {
    setSaving(true);
    setErrors({});
    setFormError(null);
    try {
      await request('PATCH', `/channels/${channel.id}`, {
        email: {
          useForSending: form.useForSending,
          fromNameMode: form.fromNameMode,
          companyName: form.companyName,
          fromAddressMode: form.fromAddressMode,
          customFromAddress: form.customFromAddress.trim() || null,
          signatureEnabled: form.signatureEnabled,
          signatureMode: form.signatureMode,
          signatureHtml: form.signatureHtml,
          originalSenderOfForwards: form.originalSenderOfForwards,
        },
      });
      setSaved(true);
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.field) setErrors({ [err.field.startsWith('email.') ? err.field : `email.${err.field}`]: fieldErrorMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  const verify = async () => {
    setVerifyError(null);
    setErrors({});
    try {
      // Choosing to verify commits the choice of a custom address (it is used only once verified).
      await request('PATCH', `/channels/${channel.id}`, { email: { fromAddressMode: 'custom', customFromAddress: form.customFromAddress.trim() } });
      await request<{ address: string; expiresAt: string }>('POST', `/channels/${channel.id}/verify-from-address`, {});
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.field) setErrors({ [err.field.startsWith('email.') ? err.field : `email.${err.field}`]: fieldErrorMessage(err) });
      else setVerifyError(errorMessage(err));
    }
  };

  const customSaved = email.customFromAddress !== null && email.customFromAddress === form.customFromAddress.trim().toLowerCase();
  // Where the saved address's proof stands; an address only typed has none yet.
  const verification = customSaved ? email.customFromVerification : null;
  const verified = verification?.state === 'verified';

  return (
    <div className="config-layout">
      <form
        className="config-form form"
        aria-label="Configuration"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {!canEdit && (
          <p className="alert alert-warning" role="note">
            Only admins can change these settings; you can see them here.
          </p>
        )}
        {/* Not an admin: every control shows its value and none can change it (the server refuses anyway). */}
        <fieldset className="bare-fieldset" disabled={!canEdit}>
        {email.isFallback ? (
          <>
            <label className="check">
              <input type="checkbox" checked={form.useForSending} onChange={(e) => set('useForSending', e.target.checked)} />
              Use the Parley email for sending messages
            </label>
            <FieldError errors={errors} field="email.useForSending" />
          </>
        ) : (
          !sendsOwnReplies && (
            <div className="alert alert-warning" role="note">
              No outgoing (SMTP) server is set up for {email.teamAddress}, so replies in its conversations go out through this inbox’s fallback email, with that email’s From name,
              From address and signature. To send from {email.teamAddress}, add its SMTP server in the connection settings.
            </div>
          )
        )}

        {sendsOwnReplies && (
          <>
            <div className="field">
              <label htmlFor="from-name-mode">From name</label>
              <select id="from-name-mode" value={form.fromNameMode} onChange={(e) => set('fromNameMode', e.target.value as Form['fromNameMode'])}>
                <option value="agent_and_company">Agent and company name</option>
                <option value="company">Company name</option>
              </select>
              <input aria-label="Company name" placeholder="Company name" value={form.companyName} maxLength={100} onChange={(e) => set('companyName', e.target.value)} aria-invalid={Boolean(errors['email.companyName'])} />
              {email.isFallback && <p className="hint">The From name must be unique to this fallback email.</p>}
              <FieldError errors={errors} field="email.companyName" />
              <FieldError errors={errors} field="email.fromNameMode" />
            </div>

            <fieldset className="field">
              <legend>From address</legend>
              <label className="check">
                <input type="radio" name="from-address" checked={form.fromAddressMode === 'default'} onChange={() => set('fromAddressMode', 'default')} />
                Use default
              </label>
              {form.fromAddressMode === 'default' && preview && (
                <p className="hint">
                  Contacts see {preview.fromAddress}
                  {email.isFallback ? ' (your username at this account’s mail domain)' : ''}.
                </p>
              )}
              <label className="check">
                <input type="radio" name="from-address" checked={form.fromAddressMode === 'custom'} onChange={() => set('fromAddressMode', 'custom')} />
                Customize from address
              </label>
              {form.fromAddressMode === 'custom' && (
                <div className="with-action">
                  <input
                    aria-label="Custom from address"
                    type="email"
                    placeholder="support@example.com"
                    value={form.customFromAddress}
                    onChange={(e) => set('customFromAddress', e.target.value)}
                    aria-invalid={Boolean(errors['email.customFromAddress'])}
                  />
                  <button type="button" className="button button-secondary" disabled={!form.customFromAddress.trim() || verified || (verification !== null && !canResend)} onClick={() => void verify()}>
                    {verification?.state === 'sent' || verification?.state === 'expired' ? (canResend ? 'Send a new link' : 'Link sent') : 'Verify address'}
                  </button>
                </div>
              )}
              {form.fromAddressMode === 'custom' && form.customFromAddress.trim() && (
                <p className={`verify-state ${verified ? 'tone-ok' : verification?.state === 'sent' ? 'tone-wait' : 'tone-bad'}`} role="status">
                  {verification ? verificationSentence(verification) : 'Not verified.'}
                  {verification && !verified && ' Until it is verified, replies use the default address.'}
                </p>
              )}
              {verifyError && (
                <p className="field-error" role="alert">
                  {verifyError}
                </p>
              )}
              <FieldError errors={errors} field="email.customFromAddress" />
              <FieldError errors={errors} field="email.fromAddressMode" />
            </fieldset>
          </>
        )}

        </fieldset>
        {/* Outside the read-only fieldsets: anyone may copy the forwarding address. */}
        <div className="field">
          <label>Forwarding address</label>
          {/* Shown whole, wrapping on a narrow screen; a read-only field would cut it off. */}
          <div className="with-action">
            <code id="forwarding-address" className="address">
              {email.forwardingAddress}
            </code>
            <CopyButton value={email.forwardingAddress} label="Copy forwarding address" />
          </div>
          <p className="hint">Add this address as a forwarding address in your mail client’s settings: email forwarded to it lands in this inbox.</p>
        </div>
        <fieldset className="bare-fieldset" disabled={!canEdit}>

        {sendsOwnReplies && (
          <div className="field">
            {!form.signatureEnabled ? (
              <button type="button" className="button button-secondary" onClick={() => set('signatureEnabled', true)}>
                Add team signature
              </button>
            ) : (
              <>
                <div className="signature-header">
                  <label>Team signature</label>
                  <div className="signature-modes" role="group" aria-label="Signature editor">
                    <button type="button" className={`button button-small ${form.signatureMode === 'simple' ? 'button-primary' : 'button-secondary'}`} aria-pressed={form.signatureMode === 'simple'} onClick={() => set('signatureMode', 'simple')}>
                      Simple
                    </button>
                    <button type="button" className={`button button-small ${form.signatureMode === 'html' ? 'button-primary' : 'button-secondary'}`} aria-pressed={form.signatureMode === 'html'} onClick={() => set('signatureMode', 'html')}>
                      HTML
                    </button>
                  </div>
                  <div className="token-menu">
                    <button type="button" className="button button-small button-secondary" aria-haspopup="menu" aria-expanded={tokenOpen} onClick={() => setTokenOpen(!tokenOpen)}>
                      Insert Token ▾
                    </button>
                    {tokenOpen && (
                      <ul className="token-list" role="menu">
                        {TOKENS.map((t) => (
                          <li key={t.token}>
                            <button type="button" role="menuitem" onMouseDown={(e) => e.preventDefault()} onClick={() => insertToken(t.token)}>
                              {t.label}
                            </button>
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                </div>
                {form.signatureMode === 'simple' ? (
                  <SimpleEditor html={form.signatureHtml} onChange={(html) => set('signatureHtml', html)} editorRef={editorRef} readOnly={!canEdit} />
                ) : (
                  <textarea ref={htmlRef} aria-label="Signature HTML" className="signature-html" rows={6} value={form.signatureHtml} onChange={(e) => set('signatureHtml', e.target.value)} />
                )}
                <p className="hint">Only added to emails sent from the conversations inbox. Scripts, event handlers and javascript: links are removed when you save; for a custom font use &lt;font face="…"&gt;.</p>
                <button type="button" className="link-button small" onClick={() => set('signatureEnabled', false)}>
                  Remove team signature
                </button>
                <FieldError errors={errors} field="email.signatureHtml" />
              </>
            )}
          </div>
        )}

        <div className="switch-row">
          <Switch label="Choose original sender of email forwards" checked={form.originalSenderOfForwards} onChange={(on) => set('originalSenderOfForwards', on)} />
          <span>Choose original sender of email forwards</span>
        </div>

        {formError && (
          <div className="alert alert-error" role="alert">
            {formError}
          </div>
        )}
        </fieldset>
        {canEdit && (
          <div className="config-actions">
            <button type="submit" className="button button-primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
            {saved && (
              <span className="muted small" role="status">
                Saved. The next email sent uses these settings.
              </span>
            )}
          </div>
        )}
      </form>

      {sendsOwnReplies && (
        <aside className="config-preview" aria-label="Preview">
          <h3>Preview</h3>
          <p className="hint">How your reply appears in the contact’s inbox.</p>
          {previewError && <p className="field-error">{previewError}</p>}
          {preview && (
            <div className="preview-card">
              <div className="preview-row">
                <span className="muted">From name</span> <strong data-testid="preview-from-name">{preview.fromName}</strong>
              </div>
              <div className="preview-row">
                <span className="muted">From address</span> <span data-testid="preview-from-address">{preview.fromAddress}</span>
              </div>
              {preview.notice && <p className="hint">{preview.notice}</p>}
              <div className="preview-body">
                <p className="muted">Hi there, …</p>
                {/* The server's sanitised signature (the same HTML the email carries). */}
                <div className="preview-signature" data-testid="preview-signature" dangerouslySetInnerHTML={{ __html: preview.signatureHtml }} />
              </div>
            </div>
          )}
        </aside>
      )}
    </div>
  );
}
