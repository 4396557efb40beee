// One error shape for every API failure: {"error":{"code","message","field"?}} with a status.
// Validation, domain and framework errors all pass through here; unexpected errors become a
// 500 with a generic message (the details go to the log, never to the client).
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type ErrorCode } from '../core/errors.ts';
import { isTransientStoreError } from '../db/dialect.ts';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  subdomain_invalid: 400,
  subdomain_reserved: 400,
  not_found: 404,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  view_only: 403,
  plan_required: 403,
  csrf_failed: 403,
  conflict: 409,
  subdomain_taken: 409,
  email_taken: 409,
  from_name_taken: 409,
  not_sendable: 409,
  channel_disabled: 409,
  rate_limited: 429,
  unavailable: 503,
  // A mail server we were asked to connect to failed the login test: the request was
  // well-formed but cannot be carried out with these settings.
  imap_auth_failed: 422,
  imap_unreachable: 422,
  imap_failed: 422,
  smtp_auth_failed: 422,
  smtp_unreachable: 422,
  smtp_failed: 422,
  mail_host_not_allowed: 400,
  address_taken: 409,
};

export function errorBody(code: string, message: string, field?: string) {
  return { error: field ? { code, message, field } : { code, message } };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof DomainError) {
      return reply.status(STATUS[err.code]).send(errorBody(err.code, err.message, err.field));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const where = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
      const part = err.validationContext ?? 'request';
      const message = first ? `${part}${where ? ` field "${where}"` : ''}: ${first.message}` : 'Invalid request';
      return reply.status(400).send(errorBody('validation_failed', message, where || undefined));
    }
    // Fastify's own client errors: malformed JSON, wrong content type, body too large.
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err.statusCode === 400 && err.code?.startsWith('FST_ERR_CTP'))) {
      return reply.status(400).send(errorBody('invalid_json', 'The request body is not valid JSON'));
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.status(400).send(errorBody('invalid_json', 'The request body is empty but declared as JSON'));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send(errorBody('payload_too_large', 'The request body is too large'));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send(errorBody('unsupported_media_type', 'Send JSON with Content-Type: application/json'));
    if (err.statusCode === 429) return reply.status(429).send(errorBody('rate_limited', 'Too many requests; try again later'));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(errorBody('bad_request', err.message));
    }
    if (isTransientStoreError(err)) {
      request.log.error({ err }, 'store unavailable');
      return reply.status(503).send(errorBody('unavailable', 'The service is temporarily unavailable; try again shortly'));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal', 'Something went wrong on our side'));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)));
}
