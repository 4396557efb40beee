// Domain errors carry a stable code and a message for people; transports map them to
// an HTTP status, an SMTP reply or a CLI exit, so the use cases never know which.

export type ErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'view_only'
  | 'plan_required'
  | 'conflict'
  | 'subdomain_taken'
  | 'subdomain_invalid'
  | 'subdomain_reserved'
  | 'email_taken'
  | 'from_name_taken'
  | 'invalid_credentials'
  | 'rate_limited'
  | 'csrf_failed'
  | 'not_sendable'
  | 'channel_disabled'
  | 'unavailable'
  | 'imap_auth_failed'
  | 'imap_unreachable'
  | 'imap_failed'
  | 'smtp_auth_failed'
  | 'smtp_unreachable'
  | 'smtp_failed'
  | 'mail_host_not_allowed'
  | 'address_taken';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message = 'You do not have permission to do that') => new DomainError('forbidden', message);
export const invalid = (field: string, message: string) => new DomainError('validation_failed', message, field);
