import { describe, expect, it } from 'vitest';
import { REPLY_SCAN_CHARS, quoteStart } from './quoted-text.ts';

describe('quoteStart', () => {
  const reply = 'Thanks, that makes sense now.\n';
  const quoted = `${reply}\n________________________________\nFrom: Acme Support <support@acme.example>\n\nPremium support is billed yearly.\n`;

  it('is where the visible reply ends, when a quote follows it', () => {
    expect(quoteStart(quoted, reply)).toBe(reply.length);
    expect(quoted.slice(0, quoteStart(quoted, reply)!)).toBe(reply);
  });

  it('is null when the reply is the whole text, or only whitespace follows it', () => {
    expect(quoteStart(reply, reply)).toBeNull();
    expect(quoteStart(`${reply}\n\n  \n`, reply)).toBeNull();
  });

  it('is null when the parser saw no quote in the part it looked at', () => {
    const long = 'x'.repeat(REPLY_SCAN_CHARS + 1000);
    expect(quoteStart(long, long.slice(0, REPLY_SCAN_CHARS))).toBeNull();
  });

  it('is null when the visible reply is empty or not a prefix of the text', () => {
    expect(quoteStart(quoted, '')).toBeNull();
    expect(quoteStart(quoted, '  \n')).toBeNull();
    expect(quoteStart(quoted, 'Something else\n')).toBeNull();
  });
});
