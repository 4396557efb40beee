// The agent app's HTTP client: same-origin fetch with the session cookie, the CSRF token on
// every mutation (the server refuses cookie-authenticated writes without X-CSRF-Token), and the
// API's {"error":{"code","message"}} body turned into an ApiError whose message the UI shows.
// Every request also tells connection.ts whether Parley answered at all: behind a reverse proxy,
// a Parley that is down or restarting is answered for by the proxy, which is no answer from it;
// neither is a captive portal's page.
import { startWitness } from './connection.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

let csrfToken: string | null = null;

/** Remembers the session's CSRF token (from login, signup or GET /me). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What a reverse proxy answers, with a page of its own, when the Parley behind it does not. */
const GATEWAY_ERRORS = new Set([502, 503, 504]);

function unreachable(): ApiError {
  return new ApiError(0, 'network', 'Parley could not be reached. Check your connection and try again.');
}

function isErrorBody(body: unknown): body is { error: { code: string; message: string; field?: string } } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const reportReachable = startWitness();
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    // fetch rejects with a TypeError when no answer came (offline, refused, reset).
    if (err instanceof TypeError) reportReachable(false);
    throw unreachable();
  }
  if (response.status === 204) {
    reportReachable(true);
    return undefined as T;
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    // The connection broke while the body was on its way: no answer after all.
    reportReachable(false);
    throw unreachable();
  }
  let parsed: unknown = null;
  let json = true;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    json = false;
  }
  // Answered for by something in front of Parley: a proxy's 502/503/504 page (Parley's own 503,
  // its database down, has the API's error body), or a success that is not JSON, which the API
  // never sends (a captive portal's login page, a proxy serving the app's HTML for every path).
  const fromProxy = GATEWAY_ERRORS.has(response.status) ? !isErrorBody(parsed) : response.ok && !json;
  reportReachable(!fromProxy);
  if (fromProxy) throw unreachable();
  if (!response.ok) {
    if (isErrorBody(parsed)) throw new ApiError(response.status, parsed.error.code, parsed.error.message, parsed.error.field);
    throw new ApiError(response.status, 'http_error', `The server answered ${response.status} ${response.statusText}`.trim());
  }
  return parsed as T;
}

/** The message to show for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError && err.code === 'validation_failed') {
    const name = err.field?.split('.').filter((part) => !/^\d+$/.test(part)).pop();
    const detail = validationDetail(err.message);
    if (!name) return capitalize(detail);
    return `${capitalize(name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase())}: ${detail}`;
  }
  if (err instanceof Error) return err.message;
  return 'Something went wrong';
}

/** The message to show beside the field the error names (the field's own label says which). */
export function fieldErrorMessage(err: ApiError): string {
  return err.code === 'validation_failed' ? capitalize(validationDetail(err.message)) : err.message;
}

/**
 * The API names the field for a developer (`body field "email.customFromAddress": must be an
 * email address`); a person reads `Custom from address: must be an email address`.
 */
function validationDetail(message: string): string {
  return message
    .replace(/^[a-z]+(?: field "[^"]*")?: /, '')
    .replace(/^Too big: expected string to have <=(\d+) characters$/, (_, n: string) => `can be at most ${Number(n).toLocaleString('en')} characters`)
    .replace(/^Too small: expected string to have >=1 characters$/, 'is required')
    .replace(/^Too small: expected string to have >=(\d+) characters$/, (_, n: string) => `must be at least ${n} characters`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
