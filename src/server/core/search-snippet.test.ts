import { describe, expect, it } from 'vitest';
import { snippetAround } from './search-snippet.ts';

describe('snippetAround', () => {
  it('shows the words around the first word a term starts, cut at word boundaries', () => {
    const text = `${'lorem ipsum '.repeat(20)}the invoice 2041 is overdue ${'dolor sit '.repeat(20)}`;
    const s = snippetAround(text, ['inv'])!;
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s).toContain('the invoice 2041 is overdue');
    // Whole words at both cuts.
    expect(s.slice(1, -1).split(' ').every((w) => ['lorem', 'ipsum', 'the', 'invoice', '2041', 'is', 'overdue', 'dolor', 'sit'].includes(w))).toBe(true);
    expect(s.length).toBeLessThanOrEqual(40 + 100 + 'invoice'.length + 2);
    expect(s.indexOf('invoice')).toBeLessThanOrEqual(41);
  });

  it('matches at the start of a word only, case-insensitively, across letters of any script', () => {
    expect(snippetAround('Reinvoice later. Invoice now.', ['inv'])).toBe('Reinvoice later. Invoice now.');
    expect(snippetAround('Die Überweisung kam an', ['über'])).toBe('Die Überweisung kam an');
    expect(snippetAround('Reinvoice later', ['inv'])).toBeNull();
  });

  it('keeps short text whole, folds its whitespace, and treats the terms as text', () => {
    expect(snippetAround('Hello\n\n  Marta,\tthanks', ['marta'])).toBe('Hello Marta, thanks');
    expect(snippetAround('a.b (x) c', ['x'])).toBe('a.b (x) c');
    expect(snippetAround('price: 1.5 (eur)', ['1'])).toBe('price: 1.5 (eur)');
    expect(snippetAround('anything', [])).toBeNull();
  });
});
