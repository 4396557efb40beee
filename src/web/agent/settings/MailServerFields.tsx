// The fields of one mail server (IMAP or SMTP: host, port, TLS, user name, password) and the
// headings for the login failures the API names; shared by "Connect a channel" and "Edit
// connection".
import { useId } from 'react';
import { ApiError, errorMessage } from '../api/client.ts';

export interface ServerFields {
  host: string;
  port: string;
  tls: boolean;
  user: string;
  password: string;
}

export const IMAP_DEFAULT: ServerFields = { host: '', port: '993', tls: true, user: '', password: '' };
export const SMTP_DEFAULT: ServerFields = { host: '', port: '465', tls: true, user: '', password: '' };
const DEFAULT_PORTS = { imap: { tls: '993', plain: '143' }, smtp: { tls: '465', plain: '587' } } as const;

/** A heading for each failure the API can name; the server's message says the rest. */
export const FAILURE_TITLES: Record<string, string> = {
  imap_auth_failed: 'IMAP login failed',
  imap_unreachable: 'Could not reach the IMAP server',
  imap_failed: 'The IMAP server reported an error',
  smtp_auth_failed: 'SMTP login failed',
  smtp_unreachable: 'Could not reach the SMTP server',
  smtp_failed: 'The SMTP server reported an error',
  mail_host_not_allowed: 'This server address is not allowed',
  address_taken: 'Address already connected',
};

/** A failed connect or save, as the dialogs show it: a heading, the server's message, the field to mark. */
export interface ConnectionFailure {
  title: string;
  message: string;
  field?: string | undefined;
}

export function connectionFailure(err: unknown, fallbackTitle: string): ConnectionFailure {
  if (err instanceof ApiError) return { title: FAILURE_TITLES[err.code] ?? fallbackTitle, message: err.message, field: err.field };
  return { title: fallbackTitle, message: errorMessage(err) };
}

export function FailureAlert({ failure }: { failure: ConnectionFailure | null }) {
  if (!failure) return null;
  return (
    <div className="alert alert-error" role="alert">
      <strong>{failure.title}.</strong> {failure.message}
    </div>
  );
}

export function ServerFieldset({
  kind,
  value,
  onChange,
  invalidField,
  passwordKept = false,
}: {
  kind: 'imap' | 'smtp';
  value: ServerFields;
  onChange: (next: ServerFields) => void;
  invalidField: string | undefined;
  /** Editing a saved connection: an empty password keeps the saved one. */
  passwordKept?: boolean;
}) {
  const label = kind.toUpperCase();
  const prefix = useId();
  const id = (f: string) => `${prefix}-${kind}-${f}`;
  const set = (patch: Partial<ServerFields>) => onChange({ ...value, ...patch });
  const bad = (f: string) => invalidField === `${kind}.${f}` || undefined;
  return (
    <fieldset className="form" style={{ border: 0, padding: 0, margin: 0 }}>
      <legend>{kind === 'imap' ? 'Incoming mail (IMAP)' : 'Outgoing mail (SMTP)'}</legend>
      <div className="field-row" style={{ display: 'grid', gridTemplateColumns: '1fr 110px', gap: 12 }}>
        <div className="field">
          <label htmlFor={id('host')}>{label} server</label>
          <input
            id={id('host')}
            required
            placeholder={kind === 'imap' ? 'imap.example.com' : 'smtp.example.com'}
            value={value.host}
            aria-invalid={bad('host')}
            onChange={(e) => set({ host: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={id('port')}>{label} port</label>
          <input id={id('port')} required inputMode="numeric" pattern="[0-9]{1,5}" value={value.port} onChange={(e) => set({ port: e.target.value })} />
        </div>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={value.tls}
          onChange={(e) => {
            const tls = e.target.checked;
            const ports = DEFAULT_PORTS[kind];
            // Follow the usual port when the user has not typed their own.
            const port = value.port === ports.tls || value.port === ports.plain ? (tls ? ports.tls : ports.plain) : value.port;
            set({ tls, port });
          }}
        />
        <span>{label}: use TLS (SSL) from the start</span>
      </label>
      <div className="field">
        <label htmlFor={id('user')}>{label} user name</label>
        <input id={id('user')} required autoComplete="off" value={value.user} onChange={(e) => set({ user: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={id('password')}>{label} password</label>
        <input
          id={id('password')}
          type="password"
          required={!passwordKept}
          placeholder={passwordKept ? 'Leave empty to keep the saved password' : undefined}
          autoComplete="new-password"
          value={value.password}
          aria-invalid={bad('password')}
          onChange={(e) => set({ password: e.target.value })}
        />
      </div>
    </fieldset>
  );
}

/** The API's server object; an empty password is left out (on an edit: keep the saved one). */
export function toServer(f: ServerFields) {
  return { host: f.host.trim(), port: Number(f.port), tls: f.tls, user: f.user.trim(), ...(f.password ? { password: f.password } : {}) };
}

/** The IMAP server, the "also send through SMTP" switch and, when on, the SMTP server. */
export function MailServersFieldsets(props: {
  imap: ServerFields;
  onImap: (next: ServerFields) => void;
  withSmtp: boolean;
  onWithSmtp: (on: boolean) => void;
  smtp: ServerFields;
  onSmtp: (next: ServerFields) => void;
  invalidField: string | undefined;
  passwordKept?: boolean;
}) {
  const { invalidField, passwordKept } = props;
  return (
    <>
      <ServerFieldset kind="imap" value={props.imap} onChange={props.onImap} invalidField={invalidField} passwordKept={passwordKept} />
      <label className="check">
        <input type="checkbox" checked={props.withSmtp} onChange={(e) => props.onWithSmtp(e.target.checked)} />
        <span>Also send replies from this address through its SMTP server</span>
      </label>
      {props.withSmtp && <ServerFieldset kind="smtp" value={props.smtp} onChange={props.onSmtp} invalidField={invalidField} passwordKept={passwordKept} />}
    </>
  );
}
