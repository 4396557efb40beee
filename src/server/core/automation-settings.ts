// The inbox's Automation tab: automatic assignment rules and ticket defaults. Reading falls back
// to the defaults (assignment off, "Specific users and teams", "Assign to available users only"
// on; tickets off, the default pipeline's first stage, owner = the conversation's assignee), so
// an inbox without rows behaves as a new one. Updating is for admins, validated (a free-seat user
// can never be an assignment target) and audited with from/to values.
import { sql, type Kysely } from 'kysely';
import type { Ctx, UserActor } from './context.ts';
import type { Database, Row } from '../db/schema.ts';
import { forbidden, invalid, notFound } from './errors.ts';
import { canAct, canManageSettings } from './policies.ts';
import { rightInInbox } from './inbox-access.ts';
import type { AssignTo } from './routing.ts';
import { userName } from './activity.ts';
import { keepAutomation } from './automation-cache.ts';

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

/** Every settings column may be null: all three tables are left-joined. */
type SettingsRow = { [K in keyof SettingsColumns]: SettingsColumns[K] | null } & Pick<Row<'inboxes'>, 'automation_revision'>;
type SettingsColumns = Pick<Row<'automation_settings'>, 'auto_assign' | 'assign_to' | 'available_only'> &
  Pick<Row<'ticket_settings'>, 'treat_as_tickets' | 'pipeline_id' | 'stage_id' | 'owner_mode' | 'owner_user_id'> &
  Pick<Row<'automation_targets'>, 'user_id' | 'team_id'>;

/**
 * One query, as every automatic assignment reads this: the inbox's settings rows (null when
 * never saved) joined with its targets, a row per target, and the inbox's automation_revision
 * read with them, under which this process keeps them (automation-cache.ts): the object is
 * shared, do not modify it. The sql tag, because building it with the query builder cost more
 * than running it (bench/assignment-decision.ts).
 */
export async function loadAutomation(db: Kysely<Database>, inboxId: string): Promise<AutomationSettings> {
  const { rows } = await sql<SettingsRow>`select i.automation_revision, a.auto_assign, a.assign_to, a.available_only,
      t.treat_as_tickets, t.pipeline_id, t.stage_id, t.owner_mode, t.owner_user_id, g.user_id, g.team_id
    from inboxes i
    left join automation_settings a on a.inbox_id = i.id
    left join ticket_settings t on t.inbox_id = i.id
    left join automation_targets g on g.inbox_id = i.id
    where i.id = ${inboxId}
    order by g.id`.execute(db);
  const r = rows[0];
  const settings: AutomationSettings = {
    autoAssign: r?.auto_assign === 1,
    assignTo: r?.assign_to === 'contact_owner' ? 'contact_owner' : 'specific',
    availableOnly: (r?.available_only ?? 1) === 1, // on unless saved off
    targetUserIds: rows.flatMap((g) => (g.user_id ? [g.user_id] : [])),
    targetTeamIds: rows.flatMap((g) => (g.team_id ? [g.team_id] : [])),
    tickets: {
      enabled: r?.treat_as_tickets === 1,
      pipelineId: r?.pipeline_id ?? null,
      stageId: r?.stage_id ?? null,
      ownerMode: r?.owner_mode === 'user' ? 'user' : 'assignee',
      ownerUserId: r?.owner_user_id ?? null,
    },
  };
  if (r) keepAutomation(inboxId, { revision: r.automation_revision, settings });
  return settings;
}

export interface AutomationInput {
  autoAssign: boolean;
  assignTo: AssignTo;
  availableOnly: boolean;
  targetUserIds: string[];
  targetTeamIds: string[];
  tickets: { enabled: boolean; pipelineId: string | null; stageId: string | null; ownerMode: TicketOwnerMode; ownerUserId: string | null };
}

/** Whether the team has someone automatic assignment could pick here: active, paid seat, able to act in the inbox. */
async function teamCanTakeConversations(ctx: Ctx<UserActor>, teamId: string, inboxId: string): Promise<boolean> {
  const members = await ctx.db
    .selectFrom('team_members')
    .innerJoin('users', 'users.id', 'team_members.user_id')
    .select(['users.id', 'users.role', 'users.account_id'])
    .where('team_members.team_id', '=', teamId)
    .where('users.deactivated_at', 'is', null)
    .where('users.seat', '=', 'paid')
    .execute();
  for (const m of members) if (canAct(await rightInInbox(ctx.db, m, inboxId))) return true;
  return false;
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
      // Routing skips whoever cannot act in the inbox: a rule naming them would assign nothing.
      if (!canAct(await rightInInbox(ctx.db, u, inbox.id))) throw invalid(`targetUserIds.${i}`, `${userName(u)} (${u.email}) cannot act in this inbox: add them in its Access settings first`);
    }
  }
  if (teamIds.length) {
    const found = await ctx.db.selectFrom('teams').select(['id', 'name']).where('account_id', '=', account.id).where('id', 'in', teamIds).execute();
    const byId = new Map(found.map((t) => [t.id, t]));
    for (const [i, id] of teamIds.entries()) {
      const team = byId.get(id);
      if (!team) throw invalid(`targetTeamIds.${i}`, `Team ${id} does not exist in this account`);
      if (!(await teamCanTakeConversations(ctx, team.id, inbox.id))) {
        throw invalid(`targetTeamIds.${i}`, `No one in ${team.name} could be assigned: it needs an active member with a paid seat who can act in this inbox`);
      }
    }
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
    const owner = await ctx.db.selectFrom('users').select(['id', 'role', 'account_id', 'deactivated_at']).where('id', '=', t.ownerUserId).where('account_id', '=', account.id).executeTakeFirst();
    if (!owner || owner.deactivated_at) throw invalid('tickets.ownerUserId', 'The ticket owner must be an active user of this account');
    // An owner who cannot act in the inbox could never open the tickets they own.
    if (!canAct(await rightInInbox(ctx.db, owner, inbox.id))) throw invalid('tickets.ownerUserId', 'The ticket owner cannot act in this inbox: add them in its Access settings first');
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
