// The pure access rules (core/policies.ts), table-driven: inbox rights by role and grant, seats
// and assignment targets, and which journal events a user may see.
import { describe, expect, it } from 'vitest';
import { assignRefusal, canSeeEvent, inboxRight, isPaidSeat, manualAssignRefusal, rightFrom, type InboxRight } from '../src/server/core/policies.ts';
import type { Role } from '../src/server/db/schema.ts';

const inbox = (access: 'everyone' | 'specific', users: string[] = [], teams: string[] = []) => ({ access, grantedUserIds: new Set(users), grantedTeamIds: new Set(teams) });
const user = (id: string, role: Role, teams: string[] = []) => ({ id, role, teamIds: new Set(teams) });

describe('inboxRight', () => {
  const cases: Array<[string, ReturnType<typeof user>, ReturnType<typeof inbox>, InboxRight]> = [
    ['everyone: agent acts', user('u1', 'agent'), inbox('everyone'), 'act'],
    ['everyone: admin acts', user('u1', 'admin'), inbox('everyone'), 'act'],
    ['specific, named agent acts', user('u1', 'agent'), inbox('specific', ['u1']), 'act'],
    ['specific, agent through a team acts', user('u1', 'agent', ['t1', 't2']), inbox('specific', [], ['t2']), 'act'],
    ['specific, other agent sees nothing', user('u1', 'agent', ['t1']), inbox('specific', ['u2'], ['t9']), 'none'],
    ['specific, admin not named views only', user('u1', 'admin'), inbox('specific', ['u2']), 'view'],
    ['specific, super admin not named views only', user('u1', 'super_admin'), inbox('specific'), 'view'],
    ['specific, named super admin acts', user('u1', 'super_admin'), inbox('specific', ['u1']), 'act'],
    ['specific, admin in a granted team acts', user('u1', 'admin', ['t1']), inbox('specific', [], ['t1']), 'act'],
  ];
  it.each(cases)('%s', (_name, u, i, want) => {
    expect(inboxRight(u, i)).toBe(want);
    const granted = i.grantedUserIds.has(u.id) || [...u.teamIds].some((t) => i.grantedTeamIds.has(t));
    expect(rightFrom(i.access, granted, u.role)).toBe(want);
  });
});

describe('seats and assignment targets', () => {
  const candidate = (seat: 'paid' | 'free', right: InboxRight, deactivated = false) => ({ id: 'c', seat, right, deactivated });
  it.each([
    ['paid member, auto', candidate('paid', 'act'), 'auto', null],
    ['paid member, manual', candidate('paid', 'act'), 'manual', null],
    ['free member, manual', candidate('free', 'act'), 'manual', null],
    ['free member, auto', candidate('free', 'act'), 'auto', 'free_seat'],
    ['paid view-only admin', candidate('paid', 'view'), 'manual', 'not_member'],
    ['paid without access', candidate('paid', 'none'), 'auto', 'not_member'],
    ['deactivated', candidate('paid', 'act', true), 'manual', 'deactivated'],
  ] as const)('%s', (_name, c, how, code) => {
    expect(assignRefusal(c, how)?.code ?? null).toBe(code);
  });
  it('free seats assign by hand only unassigned conversations and their own (to hand it over or let it go); paid seats any', () => {
    expect(manualAssignRefusal({ id: 'fran', seat: 'free' }, { assigneeId: null })).toBeNull();
    expect(manualAssignRefusal({ id: 'fran', seat: 'free' }, { assigneeId: 'fran' })).toBeNull();
    expect(manualAssignRefusal({ id: 'fran', seat: 'free' }, { assigneeId: 'someone' })).toEqual({ code: 'free_seat', message: 'With a free seat you can assign only unassigned conversations or your own' });
    expect(manualAssignRefusal({ id: 'paula', seat: 'paid' }, { assigneeId: 'someone' })).toBeNull();
    expect(isPaidSeat({ seat: 'paid' })).toBe(true);
    expect(isPaidSeat({ seat: 'free' })).toBe(false);
  });
});

describe('canSeeEvent', () => {
  const rights = new Map<string, InboxRight>([['i1', 'act'], ['i2', 'view']]);
  it.each([
    [null, true],
    ['i1', true],
    ['i2', true],
    ['i3', false],
  ] as const)('inbox %s -> %s', (inboxId, want) => {
    expect(canSeeEvent({ inboxId }, rights)).toBe(want);
  });
});
