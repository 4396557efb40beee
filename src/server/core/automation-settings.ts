// The inbox's Automation tab: automatic assignment rules and ticket defaults. Reading falls back
// to the defaults (assignment off, "Specific users and teams", "Assign to available users only"
// on; tickets off, the default pipeline's first stage, owner = the conversation's assignee), so
// an inbox without rows behaves as a new one. Updating is for admins, validated (a free-seat user
// can never be an assignment target) and audited with from/to values.
import type { Kysely } from 'kysely';
import type { Ctx, UserActor } from './context.ts';
import type { Database, Row } from '../db/schema.ts';
import { forbidden, invalid, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';
import type { AssignTo } from './routing.ts';
import { userName } from './activity.ts';

export type TicketOwnerMode = 'assignee' | 'user';

export interface AutomationSettings {
  autoAssign: boolean;
  assignTo: AssignTo;
  availableOnly: boolean;
  targetUserIds: string[];
  targetTeamIds: string[];
  tickets: {
    enabled: boolean;
    pipelineId: string | null;
    stageId: string | null;
    ownerMode: TicketOwnerMode;
    ownerUserId: string | null;
  };
}

export async function loadAutomation(db: Kysely<Database>, inboxId: string): Promise<AutomationSettings> {
  const a = await db.selectFrom('automation_settings').selectAll().where('inbox_id', '=', inboxId).executeTakeFirst();
  const targets = await db.selectFrom('automation_targets').select(['user_id', 'team_id']).where('inbox_id', '=', inboxId).orderBy('id').execute();
  const t = await db.selectFrom('ticket_settings').selectAll().where('inbox_id', '=', inboxId).executeTakeFirst();
  return {
    autoAssign: a?.auto_assign === 1,
    assignTo: a?.assign_to === 'contact_owner' ? 'contact_owner' : 'specific',
    availableOnly: a ? a.available_only === 1 : true,
    targetUserIds: targets.flatMap((r) => (r.user_id ? [r.user_id] : [])),
    targetTeamIds: targets.flatMap((r) => (r.team_id ? [r.team_id] : [])),
    tickets: {
      enabled: t?.treat_as_tickets === 1,
      pipelineId: t?.pipeline_id ?? null,
      stageId: t?.stage_id ?? null,
      ownerMode: t?.owner_mode === 'user' ? 'user' : 'assignee',
      ownerUserId: t?.owner_user_id ?? null,
    },
  };
}

export interface AutomationInput {
  autoAssign: boolean;
  assignTo: AssignTo;
  availableOnly: boolean;
  targetUserIds: string[];
  targetTeamIds: string[];
  tickets: { enabled: boolean; pipelineId: string | null; stageId: string | null; ownerMode: TicketOwnerMode; ownerUserId: string | null };
}

export async function updateAutomation(ctx: Ctx<UserActor>, input: { inboxId: string; settings: AutomationInput }): Promise<AutomationSettings> {
  const { user, account } = ctx.actor;
  if (!canManageSettings(user.role)) throw forbidden('Only admins can change an inbox’s automation');
  const inbox = await ctx.db.selectFrom('inboxes').select('id').where('id', '=', input.inboxId).where('account_id', '=', account.id).executeTakeFirst();
  if (!inbox) throw notFound('Inbox');
  const s = input.settings;
  const userIds = [...new Set(s.targetUserIds)];
  const teamIds = [...new Set(s.targetTeamIds)];

  if (userIds.length) {
    const found = await ctx.db.selectFrom('users').selectAll().where('account_id', '=', account.id).where('id', 'in', userIds).execute();
    const byId = new Map(found.map((u) => [u.id, u]));
    for (const [i, id] of userIds.entries()) {
      const u = byId.get(id);
      if (!u) throw invalid(`targetUserIds.${i}`, `User ${id} does not exist in this account`);
      if (u.deactivated_at) throw invalid(`targetUserIds.${i}`, `${userName(u)} has been deactivated and cannot be assigned conversations`);
      // Seed: "If the user does not have access to a paid seat, you cannot include them in your
      // automatic assignment rules."
      if (u.seat !== 'paid') throw invalid(`targetUserIds.${i}`, `${userName(u)} (${u.email}) has a free seat: only users with a paid seat can be assigned conversations automatically`);
    }
  }
  if (teamIds.length) {
    const found = await ctx.db.selectFrom('teams').select('id').where('account_id', '=', account.id).where('id', 'in', teamIds).execute();
    const known = new Set(found.map((t) => t.id));
    for (const [i, id] of teamIds.entries()) if (!known.has(id)) throw invalid(`targetTeamIds.${i}`, `Team ${id} does not exist in this account`);
  }
  const t = s.tickets;
  if (t.pipelineId) {
    const p = await ctx.db.selectFrom('pipelines').select('id').where('id', '=', t.pipelineId).where('account_id', '=', account.id).executeTakeFirst();
    if (!p) throw invalid('tickets.pipelineId', 'No such pipeline in this account');
  }
  if (t.stageId) {
    if (!t.pipelineId) throw invalid('tickets.stageId', 'Choose the pipeline the stage belongs to');
    const st = await ctx.db.selectFrom('pipeline_stages').select('id').where('id', '=', t.stageId).where('pipeline_id', '=', t.pipelineId).executeTakeFirst();
    if (!st) throw invalid('tickets.stageId', 'The stage is not in the chosen pipeline');
  }
  if (t.ownerMode === 'user') {
    if (!t.ownerUserId) throw invalid('tickets.ownerUserId', 'Choose the ticket owner');
    const owner = await ctx.db.selectFrom('users').select(['id', 'deactivated_at']).where('id', '=', t.ownerUserId).where('account_id', '=', account.id).executeTakeFirst();
    if (!owner || owner.deactivated_at) throw invalid('tickets.ownerUserId', 'The ticket owner must be an active user of this account');
  }

  const before = await loadAutomation(ctx.db, inbox.id);
  const assignmentRow: Row<'automation_settings'> = { inbox_id: inbox.id, auto_assign: s.autoAssign ? 1 : 0, assign_to: s.assignTo, available_only: s.availableOnly ? 1 : 0 };
  await ctx.db
    .insertInto('automation_settings')
    .values(assignmentRow)
    .onConflict((oc) => oc.column('inbox_id').doUpdateSet({ auto_assign: assignmentRow.auto_assign, assign_to: assignmentRow.assign_to, available_only: assignmentRow.available_only }))
    .execute();
  await ctx.db.deleteFrom('automation_targets').where('inbox_id', '=', inbox.id).execute();
  const targetRows = [
    ...userIds.map((user_id) => ({ id: ctx.newId(), inbox_id: inbox.id, user_id, team_id: null })),
    ...teamIds.map((team_id) => ({ id: ctx.newId(), inbox_id: inbox.id, user_id: null, team_id })),
  ];
  if (targetRows.length) await ctx.db.insertInto('automation_targets').values(targetRows).execute();
  const ticketRow: Row<'ticket_settings'> = {
    inbox_id: inbox.id,
    treat_as_tickets: t.enabled ? 1 : 0,
    pipeline_id: t.pipelineId,
    stage_id: t.stageId,
    owner_mode: t.ownerMode,
    owner_user_id: t.ownerMode === 'user' ? t.ownerUserId : null,
  };
  const { inbox_id: _inboxId, ...ticketUpdate } = ticketRow;
  await ctx.db.insertInto('ticket_settings').values(ticketRow).onConflict((oc) => oc.column('inbox_id').doUpdateSet(ticketUpdate)).execute();

  const after = await loadAutomation(ctx.db, inbox.id);
  const changes = diff(before, after);
  if (Object.keys(changes).length) {
    await ctx.audit({ accountId: account.id, action: 'inbox.automation_updated', subjectType: 'inbox', subjectId: inbox.id, changes });
    await ctx.emit({ type: 'inbox.updated', accountId: account.id, inboxId: inbox.id, data: { inboxId: inbox.id } });
  }
  return after;
}

/** Field-by-field from/to of two settings objects (tickets.* flattened). */
function diff(a: AutomationSettings, b: AutomationSettings): Record<string, { from: unknown; to: unknown }> {
  const flat = (s: AutomationSettings): Record<string, unknown> => {
    const { tickets, ...rest } = s;
    return { ...rest, ...Object.fromEntries(Object.entries(tickets).map(([k, v]) => [`tickets.${k}`, v])) };
  };
  const fa = flat(a);
  const fb = flat(b);
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(fb)) {
    if (JSON.stringify(fa[key]) !== JSON.stringify(fb[key])) out[key] = { from: fa[key], to: fb[key] };
  }
  return out;
}
