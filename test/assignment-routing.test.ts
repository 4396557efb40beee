// routing.ts is pure and deterministic: a table of cases, each the rules, the candidates and the
// contact owner in, the decision out. Plus the mentions parser, also pure.
import { describe, expect, it } from 'vitest';
import { decideAssignee, type Candidate, type RoutingDecision, type RoutingSettings } from '../src/server/core/routing.ts';
import { parseMentions, type MentionTarget } from '../src/server/core/mentions.ts';

const c = (id: string, over: Partial<Candidate> = {}): Candidate => ({
  id,
  seat: 'paid',
  availability: 'available',
  active: true,
  canAct: true,
  teamIds: [],
  openCount: 0,
  lastAssignedAt: null,
  ...over,
});
const specific = (over: Partial<RoutingSettings> = {}): RoutingSettings => ({ autoAssign: true, assignTo: 'specific', availableOnly: true, targetUserIds: [], targetTeamIds: [], ...over });
const owner = (over: Partial<RoutingSettings> = {}): RoutingSettings => ({ ...specific(over), assignTo: 'contact_owner', ...over });

type Case = [name: string, settings: RoutingSettings, candidates: Candidate[], contactOwnerId: string | null, expected: Partial<RoutingDecision>];

const cases: Case[] = [
  ['off: nobody, whatever the targets', specific({ autoAssign: false, targetUserIds: ['a'] }), [c('a')], null, { assigneeId: null, reason: 'disabled' }],
  ['no targets: unassigned', specific(), [c('a')], null, { assigneeId: null, reason: 'no_eligible_target' }],
  ['one target', specific({ targetUserIds: ['a'] }), [c('a')], null, { assigneeId: 'a', reason: 'least_loaded' }],
  ['fewest open conversations wins', specific({ targetUserIds: ['a', 'b', 'c'] }), [c('a', { openCount: 3 }), c('b', { openCount: 1 }), c('c', { openCount: 2 })], null, { assigneeId: 'b' }],
  [
    'tie on open: idle longest (oldest last assignment) wins',
    specific({ targetUserIds: ['a', 'b'] }),
    [c('a', { openCount: 1, lastAssignedAt: '2026-01-02T00:00:00.000Z' }), c('b', { openCount: 1, lastAssignedAt: '2026-01-01T00:00:00.000Z' })],
    null,
    { assigneeId: 'b' },
  ],
  ['tie on open: never assigned beats assigned', specific({ targetUserIds: ['a', 'b'] }), [c('a', { lastAssignedAt: '2020-01-01T00:00:00.000Z' }), c('b')], null, { assigneeId: 'b' }],
  ['full tie: smallest id, whatever the order given', specific({ targetUserIds: ['b', 'a'] }), [c('b'), c('a')], null, { assigneeId: 'a' }],
  ['fewer open beats idle longer', specific({ targetUserIds: ['a', 'b'] }), [c('a', { openCount: 2 }), c('b', { openCount: 1, lastAssignedAt: '2026-06-01T00:00:00.000Z' })], null, { assigneeId: 'b' }],
  ['free seats are never picked', specific({ targetUserIds: ['a', 'b'] }), [c('a', { seat: 'free' }), c('b', { openCount: 9 })], null, { assigneeId: 'b' }],
  ['only free seats: unassigned', specific({ targetUserIds: ['a'] }), [c('a', { seat: 'free' })], null, { assigneeId: null, reason: 'no_eligible_target' }],
  ['away users skipped with "available only"', specific({ targetUserIds: ['a', 'b'] }), [c('a', { availability: 'away' }), c('b', { openCount: 5 })], null, { assigneeId: 'b' }],
  ['everyone away: unassigned', specific({ targetUserIds: ['a'] }), [c('a', { availability: 'away' })], null, { assigneeId: null, reason: 'no_eligible_target' }],
  ['away users eligible without "available only"', specific({ targetUserIds: ['a', 'b'], availableOnly: false }), [c('a', { availability: 'away' }), c('b', { openCount: 5 })], null, { assigneeId: 'a' }],
  ['deactivated users skipped', specific({ targetUserIds: ['a', 'b'] }), [c('a', { active: false }), c('b', { openCount: 1 })], null, { assigneeId: 'b' }],
  ['users who cannot act in the inbox skipped', specific({ targetUserIds: ['a', 'b'] }), [c('a', { canAct: false }), c('b', { openCount: 1 })], null, { assigneeId: 'b' }],
  ['team members are targets', specific({ targetTeamIds: ['t1'] }), [c('a', { teamIds: ['t2'] }), c('b', { teamIds: ['t1'], openCount: 4 })], null, { assigneeId: 'b' }],
  ['users and teams together', specific({ targetUserIds: ['a'], targetTeamIds: ['t1'] }), [c('a', { openCount: 2 }), c('b', { teamIds: ['t1'], openCount: 1 })], null, { assigneeId: 'b' }],
  ['non-targets in the list are ignored', specific({ targetUserIds: ['a'] }), [c('a', { openCount: 5 }), c('z')], null, { assigneeId: 'a' }],
  ['contact owner: assigned', owner(), [c('o', { openCount: 50 })], 'o', { assigneeId: 'o', reason: 'contact_owner', emailOwnerId: null }],
  ['contact owner: no owner', owner(), [c('o')], null, { assigneeId: null, reason: 'no_contact_owner' }],
  ['contact owner: owner not among candidates', owner(), [], 'o', { assigneeId: null, reason: 'no_contact_owner' }],
  ['contact owner away: unassigned and emailed', owner(), [c('o', { availability: 'away' })], 'o', { assigneeId: null, reason: 'contact_owner_ineligible', emailOwnerId: 'o' }],
  ['contact owner away without "available only": assigned and emailed', owner({ availableOnly: false }), [c('o', { availability: 'away' })], 'o', { assigneeId: 'o', emailOwnerId: 'o' }],
  ['contact owner on a free seat: unassigned, not emailed', owner(), [c('o', { seat: 'free', availability: 'away' })], 'o', { assigneeId: null, reason: 'contact_owner_ineligible', emailOwnerId: null }],
  ['contact owner without access: unassigned', owner(), [c('o', { canAct: false })], 'o', { assigneeId: null, reason: 'contact_owner_ineligible' }],
  ['contact owner mode ignores targets', owner({ targetUserIds: ['a'] }), [c('a'), c('o', { openCount: 9 })], 'o', { assigneeId: 'o' }],
];

describe('routing: automatic assignment decisions', () => {
  it.each(cases)('%s', (_name, settings, candidates, contactOwnerId, expected) => {
    expect(decideAssignee(settings, candidates, contactOwnerId)).toMatchObject(expected);
  });

  it('is deterministic: every order of the same candidates gives the same answer', () => {
    const people = [c('d', { openCount: 1 }), c('b', { openCount: 1 }), c('a', { openCount: 2 }), c('c', { openCount: 1, lastAssignedAt: '2026-01-01T00:00:00.000Z' })];
    const settings = specific({ targetUserIds: people.map((p) => p.id) });
    const answers = new Set<string | null>();
    const permute = (rest: Candidate[], acc: Candidate[]): void => {
      if (rest.length === 0) {
        answers.add(decideAssignee(settings, acc, null).assigneeId);
        return;
      }
      rest.forEach((p, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, p]));
    };
    permute(people, []);
    expect([...answers]).toEqual(['b']);
  });
});

describe('mentions: parsing @names', () => {
  const targets: MentionTarget[] = [
    { kind: 'user', id: 'u1', names: ['Jane Doe', 'Jane', 'jane@acme.test'] },
    { kind: 'user', id: 'u2', names: ['Jane Roe', 'Jane', 'roe@acme.test'] },
    { kind: 'user', id: 'u3', names: ['Bob Smith', 'Bob', 'bob@acme.test'] },
    { kind: 'team', id: 't1', names: ['Billing'] },
  ];
  const cases2: [string, string[], string[]][] = [
    ['@Jane Doe can you look?', ['u1'], []],
    ['@jane roe and @bob, please', ['u2', 'u3'], []],
    ['ask @Billing', [], ['t1']],
    ['@Jane alone is ambiguous', [], []],
    ['mail bob@acme.test is no mention', [], []],
    ['@bob@acme.test by email', ['u3'], []],
    ['@Bobby is someone else', [], []],
    ['(@Bob) in brackets', ['u3'], []],
    ['no mentions here', [], []],
  ];
  it.each(cases2)('%s', (text, users, teams) => {
    const m = parseMentions(text, targets);
    expect(m.userIds.sort()).toEqual(users);
    expect(m.teamIds).toEqual(teams);
  });
});
