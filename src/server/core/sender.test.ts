// The pure sender rules, table-tested: From name modes, default usernames, plain addresses
// (quoted local parts refused), signature tokens escaped, one "Re:", header-safe text.
import { describe, expect, it } from 'vitest';
import { defaultUsername, fillSignature, fromName, headerText, isPlainAddress, replySubject, replyToAddress, senderIdentity } from './sender.ts';
import { mailOptions, UnsafeHeaderError } from '../mail/compose.ts';

const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test' };

describe('sender rules', () => {
  it('builds the From name for both modes', () => {
    expect(fromName({ fromNameMode: 'agent_and_company', companyName: 'Acme' }, ada, 'Fallback Co')).toBe('Ada Lovelace at Acme');
    expect(fromName({ fromNameMode: 'company', companyName: 'Acme' }, ada, 'Fallback Co')).toBe('Acme');
    expect(fromName({ fromNameMode: 'company', companyName: '' }, ada, 'Fallback Co')).toBe('Fallback Co');
    expect(fromName({ fromNameMode: 'agent_and_company', companyName: '' }, ada, '')).toBe('Ada Lovelace');
  });

  it.each([
    [{ firstName: 'Ada', lastName: 'Lovelace', email: 'x@y.z' }, 'ada.lovelace'],
    [{ firstName: 'Zoë', lastName: "O'Brien", email: 'x@y.z' }, 'zoe.o.brien'],
    [{ firstName: '李', lastName: '', email: 'li.wei+tag@y.z' }, 'li.wei.tag'],
    [{ firstName: '', lastName: '', email: '"weird"@y.z' }, 'weird'],
    [{ firstName: '!!!', lastName: '', email: '@@' }, 'team'],
  ])('derives a valid username from %o', (agent, expected) => {
    const username = defaultUsername(agent);
    expect(username).toBe(expected);
    expect(isPlainAddress(`${username}@acme.parley.localhost`)).toBe(true);
  });

  it.each([
    ['a@b.test', true],
    ['first.last+tag@sub.example.com', true],
    ['"a@evil.com"@ours.test', false],
    ['a@evil.com@ours.test', false],
    ['a..b@x.test', false],
    ['a@localhost', false],
    ['a\r\n@x.test', false],
    ['a@x.test\r\nBcc: v@evil.test', false],
    ['', false],
  ])('isPlainAddress(%j) is %s', (address, ok) => {
    expect(isPlainAddress(address)).toBe(ok);
  });

  it('fills signature tokens HTML-escaped', () => {
    const html = fillSignature('<p>{{agent.fullName}} / {{agent.firstName}} / {{agent.lastName}}</p>', { firstName: '<b>Eve</b>', lastName: '"&"', email: 'e@x.test' });
    expect(html).toBe('<p>&lt;b&gt;Eve&lt;/b&gt; &quot;&amp;&quot; / &lt;b&gt;Eve&lt;/b&gt; / &quot;&amp;&quot;</p>');
  });

  it.each([
    ['Hello', 'Re: Hello'],
    ['Re: Hello', 'Re: Hello'],
    ['RE: re: Aw: Hello', 'Re: Hello'],
    ['Re[2]: Hello', 'Re: Hello'],
    ['', 'Re: (no subject)'],
    ['Hi\r\nBcc: x@evil.test', 'Re: Hi Bcc: x@evil.test'],
  ])('replySubject(%j) = %j', (subject, expected) => {
    expect(replySubject(subject)).toBe(expected);
  });

  it('keeps headers on one line and refuses unsafe addresses when composing', () => {
    expect(headerText('a\r\nb\u0000c')).toBe('a b c');
    const base = { from: { name: 'A', address: 'a@acme.test' }, to: [{ name: 'G', address: 'g@c.test' }], cc: [], bcc: [], subject: 's', messageId: 'x.y@acme.test', text: 't', date: new Date() };
    expect(() => mailOptions({ ...base, to: [{ name: '', address: '"g@evil.test"@c.test' }] })).toThrow(UnsafeHeaderError);
    expect(() => mailOptions({ ...base, messageId: 'bad id\r\nX: y@acme.test' })).toThrow(UnsafeHeaderError);
    const options = mailOptions({ ...base, references: ['ok@c.test', 'bad\r\nX-Evil: 1@c.test'], inReplyTo: 'bad>@x' });
    expect(options.references).toEqual(['<ok@c.test>']);
    expect(options.inReplyTo).toBeUndefined();
    expect(options.disableFileAccess).toBe(true);
    expect(options.disableUrlAccess).toBe(true);
  });

  it('shows the default address until a custom one is verified', () => {
    const settings = { fromNameMode: 'company' as const, companyName: 'Acme', fromAddressMode: 'custom' as const, customFromAddress: 'help@acme-corp.test', customFromVerified: false, signatureEnabled: false, signatureHtml: '' };
    const account = { companyName: 'Acme', mailDomain: 'acme.parley.localhost' };
    expect(senderIdentity(settings, ada, account)).toMatchObject({ fromAddress: 'ada.lovelace@acme.parley.localhost', notice: expect.stringContaining('not verified') });
    expect(senderIdentity({ ...settings, customFromVerified: true }, ada, account)).toMatchObject({ fromAddress: 'help@acme-corp.test', notice: null });
    expect(replyToAddress('inbox@acme.parley.localhost', 'abc123def4')).toBe('inbox+c_abc123def4@acme.parley.localhost');
  });
});
