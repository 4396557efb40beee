import { describe, expect, it } from 'vitest';
import { checkSubdomain } from './subdomain.ts';

describe('checkSubdomain', () => {
  it.each(['acme', 'acme-corp', 'a1b2', 'ACME'])('accepts %s', (s) => {
    expect(checkSubdomain(s)).toBe(s.toLowerCase());
  });
  it.each([
    ['ab', 'subdomain_invalid'],
    ['-acme', 'subdomain_invalid'],
    ['acme-', 'subdomain_invalid'],
    ['ac_me', 'subdomain_invalid'],
    ['ac.me', 'subdomain_invalid'],
    ['xn--acme', 'subdomain_invalid'],
    ['a'.repeat(41), 'subdomain_invalid'],
    ['www', 'subdomain_reserved'],
    ['postmaster', 'subdomain_reserved'],
    ['admin', 'subdomain_reserved'],
  ])('refuses %s with %s', (s, code) => {
    expect(() => checkSubdomain(s)).toThrow(expect.objectContaining({ code }));
  });
});
