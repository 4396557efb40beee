// The .eml corpus (test/fixtures/email), each file sent over real SMTP to the receiver and read
// back through the API on both stores, with what each must become: conversation or thread,
// contact, subject, text/HTML, attachments, CC, automatic flag, parse error, and the raw bytes.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { crlf, sendRaw, apiAndReceiver } from './email-in-support.ts';

const DIR = path.join(import.meta.dirname, 'fixtures/email');

interface Expectation {
  file: string;
  /** 'new' conversation, or the file whose conversation it joins. */
  conversation: 'new' | { threadOf: string };
  /** The conversation's subject (a forward's is the original message's). */
  subject?: string | RegExp;
  contact?: string | null;
  text?: string[];
  html?: { has?: string[]; not?: string[] } | null;
  parseError?: RegExp;
  attachments?: Array<[string, string, { inline?: boolean; contentId?: string }?]>;
  auto?: boolean;
  cc?: string[];
  /** What the conversation's preview starts with (a forward's: what its original sender wrote). */
  preview?: string;
  /** A forward's original sender, as the API names it beside who forwarded it. */
  forwardedFrom?: string;
  /** Where the plain text's quoted history begins (null: nothing to fold). */
  quoteStart?: number | null;
  toCount?: number;
  syntheticId?: boolean;
  mailFrom?: string;
}

const CORPUS: Expectation[] = [
  { file: 'gmail-new.eml', conversation: 'new', subject: 'Order #1001 never arrived', contact: 'maria.garcia@gmail.com', text: ['order #1001'], html: { has: ['<div dir="ltr">'] } },
  { file: 'gmail-reply.eml', conversation: { threadOf: 'gmail-new.eml' }, subject: 'Re: Order #1001 never arrived', contact: 'maria.garcia@gmail.com', text: ['Any news on this?'], html: { has: ['gmail_quote'] } },
  { file: 'reply-no-references-subject-only.eml', conversation: 'new', subject: 'Re: Order #1001 never arrived', contact: 'maria.garcia@gmail.com' },
  { file: 'gmail-forward.eml', conversation: 'new', preview: 'Please refund my order #2002', forwardedFrom: 'ken.ito@example.jp', subject: 'Refund request', contact: 'ken.ito@example.jp', cc: ['yuki@example.jp'], text: ['Please refund my order #2002'] },
  { file: 'outlook-new.eml', conversation: 'new', subject: 'Invoice INV-3003 question', contact: 'john.smith@contoso.com', text: ['Premium support'], html: { has: ['don’t recognize'], not: ['<style', 'MsoNormal'] } },
  { file: 'outlook-reply.eml', quoteStart: 'Thanks, that makes sense now.\n'.length, conversation: { threadOf: 'outlook-new.eml' }, contact: 'john.smith@contoso.com', text: ['Thanks, that makes sense now.'], html: null },
  // Outlook on the web / new Outlook: HTML only, its quoted history after #appendonsend and #divRplyFwdMsg (kept for the view to fold).
  { file: 'outlook-web-html-reply.eml', conversation: { threadOf: 'outlook-new.eml' }, contact: 'john.smith@contoso.com', preview: 'One more thing: can the invoice go to ap@contoso.com from now on?', text: ['One more thing: can the invoice go to ap@contoso.com', 'on our billing page.'], html: { has: ['<div id="appendonsend"></div>', '<div id="divRplyFwdMsg" dir="ltr">', 'OLD QUOTED HISTORY'], not: ['[https://', 'elementToProof'] } },
  { file: 'outlook-forward.eml', conversation: 'new', preview: 'Our contract ends next month.', forwardedFrom: 'olga.novak@fabrikam.example', subject: 'Contract renewal', contact: 'olga.novak@fabrikam.example', cc: ['legal@fabrikam.example'] },
  { file: 'apple-new.eml', conversation: 'new', subject: 'App crashes on launch', contact: 'lucas.martin@icloud.com', text: ['Sent from my iPhone'] },
  { file: 'apple-reply.eml', conversation: { threadOf: 'apple-new.eml' }, text: ['Reinstalling fixed it'] },
  { file: 'apple-forward.eml', conversation: 'new', preview: 'I ordered size M but got XL.', forwardedFrom: 'sven.olsen@example.no', contact: 'sven.olsen@example.no', cc: ['ingrid@example.no'] },
  { file: 'thunderbird-new.eml', conversation: 'new', subject: 'Password reset link expired', contact: 'anna.kowalska@posteo.de', text: ['Could you send a new one?'] },
  { file: 'thunderbird-reply.eml', conversation: { threadOf: 'thunderbird-new.eml' }, text: ['It still doesn’t work.'] },
  { file: 'thunderbird-forward.eml', conversation: 'new', preview: 'The zipper of my jacket broke', forwardedFrom: 'eva.novakova@seznam.example', contact: 'eva.novakova@seznam.example', cc: ['jan@seznam.example'] },
  { file: 'rfc822-forward.eml', conversation: 'new', preview: 'Do you ship to Mexico City?', forwardedFrom: 'rosa.diaz@example.mx', subject: 'Shipping to Mexico', contact: 'rosa.diaz@example.mx', cc: ['carlos@example.mx'], text: ['Do you ship to Mexico City?'], attachments: [['Shipping to Mexico.eml', 'message/rfc822']] },
  { file: 'html-only.eml', conversation: 'new', text: ['HELLO TEAM', 'only an HTML part'], html: { has: ['<table>', '<b>only</b>'] } },
  { file: 'text-only.eml', quoteStart: null, conversation: 'new', contact: 'plain@example.org', text: ['Just plain text'], html: null },
  { file: 'related-inline-image.eml', conversation: 'new', html: { has: ['/api/v1/attachments/'], not: ['cid:'] }, attachments: [['logo.png', 'image/png', { inline: true, contentId: 'logo123@studio.example' }]] },
  { file: 'calendar-invite.eml', conversation: 'new', subject: /^Invitation: Onboarding call/, text: ['You have been invited'], attachments: [['attachment-1', 'text/calendar'], ['invite.ics', 'application/ics']] },
  // A bounce of a message that is not ours (linked bounces: email-in-smtp.test.ts) is kept, as automatic mail.
  { file: 'dsn-bounce.eml', conversation: 'new', mailFrom: '', auto: true, text: ['could not be delivered'] },
  { file: 'auto-reply-ooo.eml', conversation: 'new', auto: true },
  { file: 'precedence-bulk.eml', conversation: 'new', auto: true },
  { file: 'mailing-list.eml', conversation: 'new', auto: true },
  { file: 'x-loop.eml', conversation: 'new', auto: true },
  { file: 'mailer-daemon-plain.eml', conversation: 'new', auto: true },
  { file: 'eight-bit-headers.eml', conversation: 'new', subject: 'Größe passt nicht – Rücksendung', text: ['Rücksendung'] },
  { file: 'broken-boundary.eml', conversation: 'new', subject: 'Broken boundary', parseError: /boundary "declared-boundary" never appears/ },
  { file: 'no-message-id.eml', conversation: 'new', syntheticId: true, text: ['no Message-ID header'] },
  { file: 'long-header-line.eml', conversation: 'new', subject: 'A very long header line', text: ['20,000 characters'] },
  { file: 'thousand-recipients.eml', conversation: 'new', toCount: 1000, cc: ['support@acme.example'] },
  { file: 'path-traversal-attachment.eml', conversation: 'new', attachments: [['passwd', 'text/plain'], ['win.ini', 'application/octet-stream']] },
  { file: 'truncated.eml', conversation: 'new', parseError: /truncated/, text: ['whose end never arrived'] },
  { file: 'binary-garbage.eml', conversation: 'new', parseError: /Not an email/, contact: 'sender@relay.example' },
  { file: 'iso-8859-1.eml', conversation: 'new', subject: 'Pregunta sobre envío', contact: 'jose@example.es', text: ['¿Cuándo llega mi pedido? Gracias, José.'] },
  { file: 'shift-jis.eml', conversation: 'new', subject: '注文について', text: ['注文した商品がまだ届きません。'] },
  // A legacy client's raw Latin-1 bytes in a part's filename (not RFC 2231, not UTF-8): read as windows-1252.
  { file: 'latin1-attachment-name.eml', conversation: 'new', subject: 'CV pour le poste', text: ['Voici mon résumé, merci.'], attachments: [['résumé été.pdf', 'application/pdf']] },
  { file: 'windows-1252.eml', conversation: 'new', subject: 'Facture €', text: ['49€ est “incorrect” – merci de vérifier'] },
  { file: 'encoded-word-subject.eml', conversation: 'new', subject: 'Fråga om leverans å ä ö', contact: 'asa@example.se' },
  { file: 'base64-text.eml', conversation: 'new', text: ['This body was base64 encoded — with a dash.'] },
  { file: 'quoted-printable-soft-breaks.eml', conversation: 'new', text: ['must disappear, and café is decoded'] },
  { file: 'deep-nesting.eml', conversation: 'new', parseError: /nesting depth/ },
  { file: 'cc-multiple.eml', conversation: 'new', cc: ['jane.doe@bigco.example', 'bob@bigco.example', 'renee@bigco.example'] },
  { file: 'undisclosed-recipients.eml', conversation: 'new', toCount: 0, text: ['You got this as Bcc.'] },
  { file: 'winmail-dat.eml', conversation: 'new', attachments: [['winmail.dat', 'application/ms-tnef']] },
  { file: 'pdf-attachment.eml', conversation: 'new', attachments: [['Q3 statement.pdf', 'application/pdf']] },
  { file: 'utf8-emoji.eml', conversation: 'new', subject: 'Thank you 🎉', text: ['🎉🙏'] },
  { file: 'multiple-from.eml', conversation: 'new', contact: 'first@example.com' },
  { file: 'empty-body.eml', conversation: 'new', subject: 'Nothing inside' },
  { file: 'html-hostile.eml', conversation: 'new', preview: 'Hello click and a real link', html: { has: ['https://example.com/ok'], not: ['<script', 'alert(', 'onerror', 'onload', 'javascript:', '<iframe', '<form', '<svg', '<style'] } },
  { file: 'format-flowed-long.eml', conversation: 'new', text: ['word word word'] },
  { file: 'base64-html-with-charset-in-meta.eml', conversation: 'new', text: ['Café crème'] },
];

describeEachStore('email-in corpus', (store) => {
  const live = apiAndReceiver(store);

  it('covers every fixture file, and there are at least 40', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(CORPUS.map((c) => c.file).sort()).toEqual(files);
  });

  it('turns each file into what it should become', { timeout: 240_000 }, async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(live.app, acct.token);
    const to = acct.email.inbound_address;
    const conversationOf = new Map<string, string>();
    const db = store().deps.store.db;
    for (const e of CORPUS) {
      const data = crlf(fs.readFileSync(path.join(DIR, e.file)));
      const before = await db.selectFrom('conversations').select(db.fn.countAll().as('n')).where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
      const r = await sendRaw(live.smtp.port, { from: e.mailFrom ?? 'sender@relay.example', to: [to], data });
      expect(r.final, e.file).toMatch(/^250 2\.0\.0 Queued as /);
      await live.smtp.settled();
      const after = await db.selectFrom('conversations').select(db.fn.countAll().as('n')).where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
      // Ids are time-ordered: the newest inbound message is the one this file became.
      const row = await db.selectFrom('messages').selectAll().where('account_id', '=', acct.account.id).where('direction', '=', 'in').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      const messageId = row.id;
      conversationOf.set(e.file, row.conversation_id);
      if (e.conversation === 'new') expect(Number(after.n), `${e.file} opens a conversation`).toBe(Number(before.n) + 1);
      else {
        expect(Number(after.n), `${e.file} joins a thread`).toBe(Number(before.n));
        expect(row.conversation_id, `${e.file} threads into ${e.conversation.threadOf}`).toBe(conversationOf.get(e.conversation.threadOf));
      }
      const conv = (await api.get(`/conversations/${row.conversation_id}`)).body;
      const m = ((await api.get(`/conversations/${row.conversation_id}/messages?limit=100`)).body.items as any[]).find((x) => x.id === messageId);
      expect(m, e.file).toBeTruthy();
      expect(m.direction).toBe('in');
      expect(m.authorUserId).toBeNull();
      if (e.conversation === 'new' && e.subject !== undefined) {
        if (typeof e.subject === 'string') expect(conv.subject, e.file).toBe(e.subject);
        else expect(conv.subject, e.file).toMatch(e.subject);
      }
      if (e.contact !== undefined) expect(conv.contact?.email ?? null, e.file).toBe(e.contact);
      if (e.preview !== undefined) expect(conv.preview.slice(0, e.preview.length), e.file).toBe(e.preview);
      for (const t of e.text ?? []) expect(m.text, e.file).toContain(t);
      if (e.html === null) expect(m.html, e.file).toBeNull();
      for (const h of e.html?.has ?? []) expect(m.html, e.file).toContain(h);
      for (const h of e.html?.not ?? []) expect(m.html ?? '', e.file).not.toContain(h);
      if (e.parseError) expect(m.parseError, e.file).toMatch(e.parseError);
      else expect(m.parseError, e.file).toBeNull();
      if (e.attachments) {
        expect(m.attachments.map((a: any) => [a.filename, a.contentType]), e.file).toEqual(e.attachments.map(([n, t]) => [n, t]));
        for (const [i, [, , extra]] of e.attachments.entries()) if (extra) expect(m.attachments[i], e.file).toMatchObject(extra);
        for (const a of m.attachments) {
          const got = await api.get(a.url);
          expect(got.status).toBe(200);
          expect(got.headers['content-disposition']).toMatch(/^attachment;/);
          expect(Number(got.headers['content-length'])).toBe(a.size);
        }
        const keys = await db.selectFrom('attachments').select('storage_key').where('message_id', '=', messageId).execute();
        for (const k of keys) expect(k.storage_key).toMatch(/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
      }
      expect(m.email.autoSubmitted, e.file).toBe(e.auto ?? false);
      if (e.cc) expect(m.email.cc.map((c: any) => c.address), e.file).toEqual(e.cc);
      expect(m.email.forwardedFrom?.address ?? null, e.file).toBe(e.forwardedFrom ?? null);
      if (e.quoteStart !== undefined) expect(m.email.quoteStart, e.file).toBe(e.quoteStart);
      // A fold always leaves a reply above it and hides something below it; a forward is never folded.
      if (m.email.quoteStart !== null) {
        expect(m.text.slice(0, m.email.quoteStart).trim(), e.file).not.toBe('');
        expect(m.text.slice(m.email.quoteStart).trim(), e.file).not.toBe('');
        expect(e.forwardedFrom, e.file).toBeUndefined();
      }
      if (e.toCount !== undefined) expect(m.email.to, e.file).toHaveLength(e.toCount);
      if (e.syntheticId) expect(m.email.messageId).toMatch(/@synthetic\.parley\.invalid$/);
      const raw = await api.get(`/messages/${messageId}/raw`);
      expect(raw.status).toBe(200);
      expect(Buffer.from((await live.app.inject({ method: 'GET', url: `/api/v1/messages/${messageId}/raw`, headers: { authorization: `Bearer ${acct.token}` } })).rawPayload).equals(data.subarray(-2).toString() === '\r\n' ? data : Buffer.concat([data, Buffer.from('\r\n')])), `${e.file} raw bytes`).toBe(true);
    }
    // Attachment names never became paths: every blob is under DATA_DIR/blobs, named by its hash.
    const files = fs.readdirSync(path.join(store().config.dataDir, 'blobs', 'sha256'), { recursive: true }) as string[];
    expect(files.some((f) => f.includes('passwd') || f.includes('win.ini'))).toBe(false);
  });
});
