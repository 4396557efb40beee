// Recognises a forwarded email so it can be logged to the original sender (the channel setting
// "Choose original sender of email forwards"). Mail clients write forwards as text, not as
// structure: Gmail, Apple Mail and Thunderbird put a marker line and a little header block in
// the body; Outlook a rule or "-----Original Message-----" and a From/Sent/To/Subject block.
// A message/rfc822 attachment is the structured case and is read by the parser (parse-worker).
// Pure: text in, the original sender and CC out.
import { addressParser } from 'postal-mime';
import type { EmailAddr, ForwardedFrom } from '../core/inbound-email.ts';

/** What a forward's header block says, and the start of the forwarded message's own text. */
export interface ForwardInfo extends ForwardedFrom {
  date: string | null;
}

/** How much of the forwarded message's text is kept: enough for a conversation's preview. */
export const FORWARD_TEXT_CHARS = 2_000;

const FORWARD_SUBJECT = /^\s*(fwd?|fw|tr|wg|rv|i)\s*:/i;

/** The marker lines that introduce a forwarded message, per client. */
const MARKER_LINES: Array<{ format: string; line: string }> = [
  { format: 'gmail', line: String.raw`-{5,}\s*Forwarded message\s*-{5,}` },
  { format: 'thunderbird', line: String.raw`-{5,}\s*(Forwarded Message|Original Message|Weitergeleitete Nachricht|Message transféré)\s*-{5,}` },
  { format: 'apple', line: String.raw`Begin forwarded message:` },
];
/** Markers that always introduce a forwarded message, whatever the subject. */
const EXPLICIT_MARKERS = MARKER_LINES.map(({ format, line }) => ({ format, re: new RegExp(String.raw`^[ \t]*${line}\s*$`, 'im') }));
/**
 * The same markers quoted ("> ---------- Forwarded message"), as when a forward is itself
 * forwarded or sent on from a reply: under a forward subject only, since a reply that quotes an
 * earlier forward is not one. [ \t>]* rather than (\s*>)+: see below.
 */
const QUOTED_MARKERS = MARKER_LINES.map(({ format, line }) => ({ format, re: new RegExp(String.raw`^[ \t>]*${line}\s*$`, 'im') }));
/** Outlook's separators also start quoted replies, so they count only under a forward subject. */
const OUTLOOK_MARKERS: RegExp[] = [/^\s*_{10,}\s*$/m, /^\s*-{3,}\s*Original Message\s*-{3,}\s*$/im];

const KEYS: Record<string, 'from' | 'to' | 'cc' | 'subject' | 'date'> = {
  from: 'from',
  von: 'from',
  de: 'from',
  to: 'to',
  an: 'to',
  'à': 'to',
  cc: 'cc',
  subject: 'subject',
  betreff: 'subject',
  objet: 'subject',
  date: 'date',
  sent: 'date',
  gesendet: 'date',
  'envoyé': 'date',
  datum: 'date',
};

function parseAddresses(value: string): EmailAddr[] {
  // Outlook writes `Name [mailto:a@b]`; make it the standard `Name <a@b>`.
  const normalized = value.replace(/\[mailto:([^\]]+)\]/gi, '<$1>');
  const out: EmailAddr[] = [];
  for (const a of addressParser(normalized, { flatten: true })) {
    if (a.address && a.address.includes('@')) out.push({ name: (a.name ?? '').trim(), address: a.address.trim().toLowerCase() });
  }
  return out;
}

/**
 * Reads the "Key: value" block that follows a marker (skipping blank lines before it); `end` is
 * the index of the first line after the block.
 */
function readHeaderBlock(lines: string[]): { found: Partial<Record<'from' | 'to' | 'cc' | 'subject' | 'date', string>>; end: number } {
  const found: Partial<Record<'from' | 'to' | 'cc' | 'subject' | 'date', string>> = {};
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  let last: keyof typeof found | null = null;
  for (let n = 0; i < lines.length && n < 20; i++, n++) {
    // Quoted forwards ("> From: …") and bold labels from HTML ("*From:*").
    const line = lines[i]!.replace(/^(\s*>)+\s?/, '').replace(/\*/g, '');
    if (line.trim() === '') break;
    const m = /^\s*([A-Za-zÀ-ÿ]+)\s*:\s*(.*)$/.exec(line);
    const key = m ? KEYS[m[1]!.toLowerCase()] : undefined;
    if (m && key) {
      found[key] = m[2]!.trim();
      last = key;
    } else if (last && /^\s+\S/.test(lines[i]!)) {
      found[last] = `${found[last] ?? ''} ${line.trim()}`;
    } else if (!m) {
      break;
    }
  }
  return { found, end: i };
}

/** The forwarded message's sender and recipients, or null when the text is not a forward. */
export function detectForwardInText(subject: string | null | undefined, text: string): ForwardInfo | null {
  // Forward headers sit near the top; a bounded window keeps hostile bodies cheap.
  const body = text.length > 20_000 ? text.slice(0, 20_000) : text;
  const candidates: Array<{ format: string; index: number; length: number }> = [];
  for (const { format, re } of EXPLICIT_MARKERS) {
    const m = re.exec(body);
    if (m) candidates.push({ format, index: m.index, length: m[0].length });
  }
  if (FORWARD_SUBJECT.test(subject ?? '')) {
    for (const { format, re } of QUOTED_MARKERS) {
      const m = re.exec(body);
      if (m) candidates.push({ format, index: m.index, length: m[0].length });
    }
    for (const re of OUTLOOK_MARKERS) {
      const m = re.exec(body);
      if (m) candidates.push({ format: 'outlook', index: m.index, length: m[0].length });
    }
    // Outlook on the web sometimes writes no separator at all: the block starts the quoted part.
    // [ \t>]* rather than (\s*>)*: nested quantifiers backtrack exponentially on hostile input.
    const bare = /^[ \t>]*\*?From:\*?[ \t][^\n]*\n[ \t>]*\*?(Sent|Date):\*?[ \t]/im.exec(body);
    if (bare) candidates.push({ format: 'outlook', index: bare.index, length: 0 });
  }
  candidates.sort((a, b) => a.index - b.index);
  for (const c of candidates) {
    const rest = body.slice(c.index + c.length);
    // After a marker, drop the rest of the marker's own line; a bare block starts right here.
    const after = c.length > 0 ? rest.replace(/^[^\n]*\n/, '') : rest;
    const lines = after.split(/\r?\n/);
    const { found: block, end } = readHeaderBlock(lines);
    const from = block.from ? parseAddresses(block.from)[0] : undefined;
    if (!from) continue;
    return {
      format: c.format,
      from,
      to: block.to ? parseAddresses(block.to) : [],
      cc: block.cc ? parseAddresses(block.cc) : [],
      subject: block.subject ?? null,
      date: block.date ?? null,
      // Quoted forwards carry "> " on every line; [ \t>]* rather than (\s*>)+ (see above).
      text: lines
        .slice(end)
        .join('\n')
        .slice(0, FORWARD_TEXT_CHARS)
        .replace(/^[ \t>]*/gm, '')
        .trim(),
    };
  }
  return null;
}

export function looksForwardedSubject(subject: string | null | undefined): boolean {
  return FORWARD_SUBJECT.test(subject ?? '');
}
