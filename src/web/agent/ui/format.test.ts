import { describe, expect, it } from 'vitest';
import { relativeTime } from './format.tsx';

describe('relativeTime', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

  it('says a moment ago and a moment ahead apart', () => {
    expect(relativeTime(at(-10), now)).toBe('just now');
    expect(relativeTime(at(2), now)).toBe('in a few seconds');
  });

  it('counts minutes, hours and days both ways', () => {
    expect(relativeTime(at(-5 * 60), now)).toBe('5 min. ago');
    expect(relativeTime(at(3 * 3600), now)).toBe('in 3 hr.');
    expect(relativeTime(at(-2 * 86400), now)).toBe('2 days ago');
  });
});
