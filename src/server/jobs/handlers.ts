// Every job type the worker knows, in one table: each feature module exports its handler.
import type { JobHandlers } from './runner.ts';
import { SNOOZE_WAKE_JOB, snoozeWakeHandler } from './snooze.ts';
import { NOTIFICATION_EMAIL_JOB, notificationEmailHandler } from './notification-email.ts';
import { sendEmailHandler } from '../mail/send.ts';
import { verificationEmailHandler } from '../mail/verification-mail.ts';

export const jobHandlers: JobHandlers = {
  [SNOOZE_WAKE_JOB]: snoozeWakeHandler,
  [NOTIFICATION_EMAIL_JOB]: notificationEmailHandler,
  send_email: sendEmailHandler,
  send_verification_email: verificationEmailHandler,
};
