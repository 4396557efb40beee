// The one wording for mail that names nobody (no From header, and over IMAP no envelope sender
// either), shared by the conversation list, the conversation's title and the message header. It is
// drawn apart from real names (.unknown-sender) and gets "?" for initials, so it never reads as
// someone called "Unknown sender" or "Contact".
import type { ContactT } from '../../../shared/api.ts';
import './sender-name.css';

export const UNKNOWN_SENDER = 'Unknown sender';

/** What to call a contact, or null when nothing names them. */
export function contactName(contact: ContactT | null): string | null {
  return contact?.name || contact?.email || null;
}

export function SenderName({ name }: { name: string | null }) {
  return name === null ? <span className="unknown-sender">{UNKNOWN_SENDER}</span> : <>{name}</>;
}
