// Shared by the assignment, workflow and ticket tests: a customer's email delivered through the
// real inbound pipeline (mail/ingest.ts, as the SMTP receiver calls it), returning the
// conversation it landed in.
import crypto from 'node:crypto';
import { ingestRawEmail } from '../src/server/mail/ingest.ts';
import type { Deps } from '../src/server/deps.ts';

export async function sendIn(deps: Deps, to: string, opts: { from?: string; subject?: string; body?: string } = {}): Promise<string> {
  const from = opts.from ?? `customer-${crypto.randomBytes(3).toString('hex')}@example.com`;
  const raw = [
    `From: Customer <${from}>`,
    `To: ${to}`,
    `Subject: ${opts.subject ?? 'Help with my order'}`,
    `Message-ID: <${crypto.randomUUID()}@example.com>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? 'Hello, my order has not arrived.',
    '',
  ].join('\r\n');
  const res = await ingestRawEmail(deps, { raw: Buffer.from(raw), recipients: [to], mailFrom: from, via: 'smtp' });
  if (res.outcome !== 'stored') throw new Error(`not stored: ${res.outcome}`);
  return res.conversationId;
}
