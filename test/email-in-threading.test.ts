// Pure rules of email in, table-tested: threading order, loop detection, forward formats,
// content hashing and Message-ID cleaning.
import { describe, expect, it } from 'vitest';
import { chooseThread, ownIdOf, replyTokenOf, threadLockKeys, threadingPlan } from '../src/server/core/threading.ts';
import { automaticReason, isDeliveryReport } from '../src/server/mail/loops.ts';
import { detectForwardInText } from '../src/server/mail/forwarded.ts';
import { contentHashOf, syntheticMessageId } from '../src/server/mail/ingest.ts';
import { cleanMessageId, parseReferences, safeFilename } from '../src/server/mail/parse-email.ts';
import { baseAddress } from '../src/server/mail/recipients.ts';

const D = 'acme.parley.localhost';
const CONV = '01900000-0000-7000-8000-000000000001';
const MSG = '01900000-0000-7000-8000-000000000002';

describe('threading', () => {
  const facts = {
    byToken: new Map([['tok1234567890abc', 'conv-token']]),
    byMessageId: new Map([
      ['a@customer', 'conv-a'],
      ['b@customer', 'conv-b'],
    ]),
    byOwnId: new Map([
      [CONV, 'conv-own'],
      [MSG, 'conv-own-msg'],
    ]),
  };
  const cases: Array<[string, Parameters<typeof threadingPlan>[0], string | null, string | null]> = [
    ['reply token wins over headers', { recipients: [`inbox+c_tok1234567890abc@${D}`], inReplyTo: 'a@customer', references: [], accountMailDomain: D }, 'conv-token', 'reply_token'],
    ['reply token is case-insensitive', { recipients: [`Inbox+C_TOK1234567890ABC@${D}`], inReplyTo: null, references: [], accountMailDomain: D }, 'conv-token', 'reply_token'],
    ['unknown token falls through to In-Reply-To', { recipients: [`inbox+c_zzzzzzzzzzzzzzzz@${D}`], inReplyTo: 'a@customer', references: [], accountMailDomain: D }, 'conv-a', 'message_id'],
    ['In-Reply-To before References', { recipients: [], inReplyTo: 'b@customer', references: ['a@customer'], accountMailDomain: D }, 'conv-b', 'message_id'],
    ['References newest first', { recipients: [], inReplyTo: null, references: ['a@customer', 'x@y', 'b@customer'], accountMailDomain: D }, 'conv-b', 'message_id'],
    ['our conversation id pattern', { recipients: [], inReplyTo: `${CONV}.k2j3@${D}`, references: [], accountMailDomain: D }, 'conv-own', 'own_message_id'],
    ['our message id pattern in References', { recipients: [], inReplyTo: null, references: [`${MSG}.r4nd0m@${D.toUpperCase()}`], accountMailDomain: D }, 'conv-own-msg', 'own_message_id'],
    ['our pattern at another domain is not ours', { recipients: [], inReplyTo: `${CONV}.k2j3@evil.example`, references: [], accountMailDomain: D }, null, null],
    ['a plain +tag is not a token', { recipients: [`inbox+orders@${D}`], inReplyTo: null, references: [], accountMailDomain: D }, null, null],
    ['nothing known: new conversation', { recipients: [`inbox@${D}`], inReplyTo: 'nope@x', references: ['nope2@x'], accountMailDomain: D }, null, null],
  ];
  it.each(cases)('%s', (_name, input, conversationId, via) => {
    const hit = chooseThread(threadingPlan(input), facts);
    expect(hit?.conversationId ?? null).toBe(conversationId);
    expect(hit?.via ?? null).toBe(via);
  });

  it('joins the conversation of a reply that overtook the message, but only after every header match', () => {
    const plan = threadingPlan({ recipients: [], inReplyTo: null, references: [], accountMailDomain: D });
    expect(chooseThread(plan, { ...facts, claimedBy: 'conv-reply-first' })).toEqual({ conversationId: 'conv-reply-first', via: 'claimed_by_reply' });
    const withParent = threadingPlan({ recipients: [], inReplyTo: 'a@customer', references: [], accountMailDomain: D });
    expect(chooseThread(withParent, { ...facts, claimedBy: 'conv-reply-first' })?.conversationId).toBe('conv-a');
  });

  it.each(cases)('%s (no claim)', (_name, input, conversationId, via) => {
    const hit = chooseThread(threadingPlan(input), { ...facts, claimedBy: null });
    expect(hit?.conversationId ?? null).toBe(conversationId);
    expect(hit?.via ?? null).toBe(via);
  });

  it('extracts tokens and own ids, and locks thread keys in one sorted order', () => {
    expect(replyTokenOf('support+c_abcdefgh12345678@acme.test')).toBe('abcdefgh12345678');
    expect(replyTokenOf('support+abcdefgh@acme.test')).toBeNull();
    expect(ownIdOf(`${CONV}@${D}`, D)).toBe(CONV);
    expect(ownIdOf(`not-a-uuid@${D}`, D)).toBeNull();
    const a = threadLockKeys('inbox', 'r1@x', 'root@x', ['root@x']);
    const b = threadLockKeys('inbox', 'root@x', null, []);
    expect(a).toEqual(['inbox|r1@x', 'inbox|root@x']);
    expect(a).toContain(b[0]);
  });
});

describe('loops and noise', () => {
  const h = (pairs: Record<string, string>) => Object.entries(pairs).map(([key, value]) => ({ key, value }));
  const cases: Array<[string, Parameters<typeof automaticReason>[0], boolean]> = [
    ['a person', { headers: h({ from: 'a@b.c' }), mailFrom: 'a@b.c', fromAddress: 'a@b.c' }, false],
    ['Auto-Submitted: no', { headers: h({ 'auto-submitted': 'no' }), mailFrom: 'a@b.c' }, false],
    ['Auto-Submitted: auto-replied', { headers: h({ 'auto-submitted': 'auto-replied' }), mailFrom: 'a@b.c' }, true],
    ['Auto-Submitted: auto-generated with params', { headers: h({ 'auto-submitted': 'auto-generated; owner-email="x@y"' }), mailFrom: 'a@b.c' }, true],
    ['X-Autoreply', { headers: h({ 'x-autoreply': 'yes' }), mailFrom: 'a@b.c' }, true],
    ['Precedence: bulk', { headers: h({ precedence: 'bulk' }), mailFrom: 'a@b.c' }, true],
    ['Precedence: junk', { headers: h({ precedence: 'Junk' }), mailFrom: 'a@b.c' }, true],
    ['Precedence: auto_reply', { headers: h({ precedence: 'auto_reply' }), mailFrom: 'a@b.c' }, true],
    ['Precedence: first-class', { headers: h({ precedence: 'first-class' }), mailFrom: 'a@b.c' }, false],
    ['List-Id', { headers: h({ 'list-id': '<news.example.com>' }), mailFrom: 'a@b.c' }, true],
    ['List-Unsubscribe', { headers: h({ 'list-unsubscribe': '<mailto:x@y>' }), mailFrom: 'a@b.c' }, true],
    ['X-Loop', { headers: h({ 'x-loop': 'parley' }), mailFrom: 'a@b.c' }, true],
    ['null sender', { headers: [], mailFrom: null }, true],
    ['empty sender', { headers: [], mailFrom: '' }, true],
    ['no envelope (IMAP), person', { headers: h({ from: 'a@b.c' }), mailFrom: undefined, fromAddress: 'a@b.c' }, false],
    ['no envelope (IMAP), Return-Path <>', { headers: h({ 'return-path': '<>' }), mailFrom: undefined }, true],
    ['mailer-daemon', { headers: [], mailFrom: 'x@y', fromAddress: 'MAILER-DAEMON@mx.example' }, true],
    ['our own address', { headers: [], mailFrom: 'x@y', fromAddress: 'inbox@acme.test', ownAddresses: new Set(['inbox@acme.test']) }, true],
  ];
  it.each(cases)('%s', (_n, input, expected) => {
    expect(automaticReason(input) !== null).toBe(expected);
  });
  it('recognises delivery-status reports only', () => {
    expect(isDeliveryReport('multipart/report; report-type=delivery-status; boundary="x"')).toBe(true);
    expect(isDeliveryReport('multipart/report; report-type="delivery-status"')).toBe(true);
    expect(isDeliveryReport('multipart/report; report-type=disposition-notification')).toBe(false);
    expect(isDeliveryReport('multipart/mixed')).toBe(false);
  });
});

describe('forward formats', () => {
  const cases: Array<[string, string, string, string | null, string[]]> = [
    ['gmail', 'Fwd: Invoice', 'See below\n\n---------- Forwarded message ---------\nFrom: Carol Client <carol@client.example>\nDate: Mon, Nov 30, 2026 at 9:00 AM\nSubject: Invoice\nTo: <alice@acme.example>\nCc: Dan <dan@client.example>, eve@client.example\n\nBody', 'carol@client.example', ['dan@client.example', 'eve@client.example']],
    ['apple', 'Fwd: Invoice', 'FYI\n\nBegin forwarded message:\n\nFrom: Carol Client <carol@client.example>\nSubject: Invoice\nDate: 30 November 2026 at 09:00:00 GMT\nTo: alice@acme.example\nCc: dan@client.example\n\nBody', 'carol@client.example', ['dan@client.example']],
    ['thunderbird', 'Fwd: Invoice', '\n\n-------- Forwarded Message --------\nSubject: \tInvoice\nDate: \tMon, 30 Nov 2026 09:00:00 +0000\nFrom: \tCarol Client <carol@client.example>\nTo: \talice@acme.example\nCC: \tdan@client.example\n\nBody', 'carol@client.example', ['dan@client.example']],
    ['outlook', 'FW: Invoice', 'Please handle\n\n________________________________\nFrom: Carol Client <carol@client.example>\nSent: Monday, November 30, 2026 9:00 AM\nTo: Alice <alice@acme.example>\nCc: Dan <dan@client.example>\nSubject: Invoice\n\nBody', 'carol@client.example', ['dan@client.example']],
    ['outlook mailto', 'FW: Invoice', '-----Original Message-----\nFrom: Carol Client [mailto:carol@client.example]\nSent: Monday, November 30, 2026 9:00 AM\nTo: alice@acme.example\nSubject: Invoice\n\nBody', 'carol@client.example', []],
    ['outlook-style quote in a reply is not a forward', 'RE: Invoice', 'Thanks!\n\n________________________________\nFrom: Carol Client <carol@client.example>\nSent: Monday\nTo: alice@acme.example\nSubject: Invoice\n\nBody', null, []],
    ['plain reply', 'Re: Invoice', 'On Mon, Carol wrote:\n> hi', null, []],
    ['quoted gmail marker under a forward subject', 'Fwd: Invoice', 'Passing this on\n\n> ---------- Forwarded message ---------\n> From: Carol Client <carol@client.example>\n> Subject: Invoice\n> Cc: dan@client.example\n>\n> Body', 'carol@client.example', ['dan@client.example']],
    ['quoted gmail marker in a reply is not a forward', 'Re: Invoice', 'Thanks!\n\n> ---------- Forwarded message ---------\n> From: Carol Client <carol@client.example>\n>\n> Body', null, []],
  ];
  it.each(cases)('%s', (_n, subject, text, from, cc) => {
    const f = detectForwardInText(subject, text);
    expect(f?.from.address ?? null).toBe(from);
    if (from) expect(f!.cc.map((c) => c.address)).toEqual(cc);
    // What the forwarded message said, without its header block.
    if (from) expect(f!.text).toBe('Body');
  });

  it('keeps what a quoted forward said, without the quote marks', () => {
    const f = detectForwardInText('FW: Invoice', 'See below\n\n> From: Carol <carol@client.example>\n> Sent: Monday, November 30, 2026 9:00 AM\n> Subject: Invoice\n>\n> First line\n> > older quote\n');
    expect(f?.from.address).toBe('carol@client.example');
    expect(f?.text).toBe('First line\nolder quote');
  });
});

describe('identity of a message', () => {
  it('hashes content without trace fields, so a relayed copy is the same message', () => {
    const m = Buffer.from('From: a@b.c\r\nSubject: x\r\n\r\nbody\r\n');
    const relayed = Buffer.from('Received: from a by b;\r\n  Mon, 30 Nov 2026\r\nReturn-Path: <a@b.c>\r\nFrom: a@b.c\r\nSubject: x\r\n\r\nbody\r\n');
    expect(contentHashOf(relayed)).toBe(contentHashOf(m));
    // Gmail forwarding to a second of our addresses re-signs the message and says where it went.
    const forwardedByGmail = Buffer.from(
      'DKIM-Signature: v=1; a=rsa-sha256; d=gmail.com; s=20230601;\r\n  b=AbC\r\nX-Forwarded-To: support@acme.example\r\nX-Forwarded-For: ann@gmail.com support@acme.example\r\nARC-Seal: i=1; cv=none\r\nX-Gm-Message-State: AOJu0Y\r\nFrom: a@b.c\r\nSubject: x\r\n\r\nbody\r\n',
    );
    expect(contentHashOf(forwardedByGmail)).toBe(contentHashOf(m));
    // A client that adds a line break at the end sends the same message.
    expect(contentHashOf(Buffer.from('From: a@b.c\r\nSubject: x\r\n\r\nbody\r\n\r\n'))).toBe(contentHashOf(m));
    expect(contentHashOf(Buffer.from('From: a@b.c\r\nSubject: x\r\n\r\nbody'))).toBe(contentHashOf(m));
    // A field the author wrote still counts.
    expect(contentHashOf(Buffer.from('From: a@b.c\r\nSubject: x\r\nX-Priority: 1\r\n\r\nbody\r\n'))).not.toBe(contentHashOf(m));
    expect(contentHashOf(Buffer.from('From: a@b.c\r\nSubject: x\r\n\r\nbody2\r\n'))).not.toBe(contentHashOf(m));
    expect(syntheticMessageId(contentHashOf(m))).toMatch(/^[0-9a-f]{40}@synthetic\.parley\.invalid$/);
  });
  it('cleans Message-IDs, References, filenames and addresses', () => {
    expect(cleanMessageId(' <abc@x> ')).toBe('abc@x');
    expect(cleanMessageId('<>')).toBeNull();
    expect(cleanMessageId('')).toBeNull();
    expect(parseReferences('<a@x>\r\n <b@x> <c@x>')).toEqual(['a@x', 'b@x', 'c@x']);
    expect(parseReferences(Array.from({ length: 500 }, (_, i) => `<r${i}@x>`).join(' '))).toHaveLength(100);
    const long = `${'x'.repeat(3000)}@evil.example`;
    expect(cleanMessageId(`<${long}>`)).toMatch(/^h-[0-9a-f]{40}@long-id\.parley\.invalid$/);
    expect(parseReferences(`<${long}>`)).toEqual([cleanMessageId(`<${long}>`)]);
    expect(cleanMessageId('<ünïcode@example.com>')).toMatch(/@long-id\.parley\.invalid$/);
    expect(safeFilename('../../etc/passwd', 'f')).toBe('passwd');
    expect(safeFilename('..\\..\\windows\\system.ini', 'f')).toBe('system.ini');
    expect(safeFilename('..', 'fallback')).toBe('fallback');
    // A right-to-left override would show "invoice\u202Egpj.html" as "invoicelmth.jpg".
    expect(safeFilename('invoice\u202Egpj.html', 'f')).toBe('invoicegpj.html');
    expect(safeFilename('a\u2066b\u2069\u200Fc\u0085.pdf', 'f')).toBe('abc.pdf');
    expect(baseAddress('Inbox+c_x@Acme.Test')).toBe('inbox@acme.test');
  });
});
