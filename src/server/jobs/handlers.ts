// Every job type the worker knows, in one table: each feature module exports its handler.
import type { JobHandlers } from './runner.ts';
import { sendEmailHandler } from '../mail/send.ts';
import { verificationEmailHandler } from '../mail/verification-mail.ts';

export const jobHandlers: JobHandlers = {
  send_email: sendEmailHandler,
  send_verification_email: verificationEmailHandler,
};
