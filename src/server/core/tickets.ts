// Support tickets: created from a conversation by hand ("Create ticket") or automatically for
// each new conversation when the inbox "Treat incoming conversations as support tickets" is on,
// with the inbox's "Edit ticket" defaults (pipeline, stage, owner). Numbers come from the
// account's ticket counter in the same transaction. Changing stage, owner and priority is
// checked against the conversation's inbox (act) when the ticket belongs to one.
import type { Ctx, UserActor } from './context.ts';
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import { invalid, notFound } from './errors.ts';
import { conversationFor, rightInInbox, requireRight } from './inbox-access.ts';
import { nextTicketNumber } from './conversation-numbers.ts';
import { actorName, recordActivity, userName } from './activity.ts';
import type { AutomationSettings } from './automation-settings.ts';

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** The account's default pipeline (or its first) and that pipeline's first stage. */
export async function defaultPipelineAndStage(ctx: Ctx, accountId: string, pipelineId?: string | null): Promise<{ pipeline: Row<'pipelines'>; stage: Row<'pipeline_stages'> }> {
  let q = ctx.db.selectFrom('pipelines').selectAll().where('account_id', '=', accountId);
  q = pipelineId ? q.where('id', '=', pipelineId) : q.orderBy('is_default', 'desc').orderBy('position').orderBy('id');
  const pipeline = await q.executeTakeFirst();
  if (!pipeline) throw pipelineId ? invalid('pipelineId', 'No such pipeline in this account') : notFound('Pipeline');
  const stage = await ctx.db.selectFrom('pipeline_stages').selectAll().where('pipeline_id', '=', pipeline.id).orderBy('position').orderBy('id').executeTakeFirst();
  if (!stage) throw invalid('pipelineId', `The pipeline "${pipeline.name}" has no stages`);
  return { pipeline, stage };
}

async function stageIn(ctx: Ctx, pipelineId: string, stageId: string, field: string): Promise<Row<'pipeline_stages'>> {
  const stage = await ctx.db.selectFrom('pipeline_stages').selectAll().where('id', '=', stageId).where('pipeline_id', '=', pipelineId).executeTakeFirst();
  if (!stage) throw invalid(field, 'The stage is not in the ticket’s pipeline');
  return stage;
}

async function activeUser(ctx: Ctx, accountId: string, userId: string, field: string): Promise<Row<'users'>> {
  const u = await ctx.db.selectFrom('users').selectAll().where('id', '=', userId).where('account_id', '=', accountId).where('deactivated_at', 'is', null).executeTakeFirst();
  if (!u) throw invalid(field, 'The owner must be an active user of this account');
  return u;
}

export interface NewTicket {
  pipelineId: string;
  stageId: string;
  ownerId: string | null;
  priority: Priority | null;
  subject: string;
}

/** Inserts the ticket for a conversation (no access checks), logs it on the timeline and thread. */
/** A ticket needs a name: its conversation's subject, or its number when the mail had none. */
function ticketSubjectOf(conversation: Row<'conversations'>): string {
  return conversation.subject || `Conversation #${conversation.number}`;
}

export async function insertTicket(ctx: Ctx, conversation: Row<'conversations'>, t: NewTicket): Promise<Row<'tickets'>> {
  const now = ctx.now.toISOString();
  const ticket: Row<'tickets'> = {
    id: ctx.newId(),
    account_id: conversation.account_id,
    number: await nextTicketNumber(ctx, conversation.account_id),
    conversation_id: conversation.id,
    contact_id: conversation.contact_id,
    pipeline_id: t.pipelineId,
    stage_id: t.stageId,
    owner_id: t.ownerId,
    subject: t.subject,
    priority: t.priority,
    created_at: now,
    updated_at: now,
  };
  await ctx.db.insertInto('tickets').values(ticket).execute();
  if (conversation.contact_id) {
    await ctx.db
      .insertInto('timeline_entries')
      .values({ id: ctx.newId(), account_id: ticket.account_id, contact_id: conversation.contact_id, kind: 'ticket_created', conversation_id: conversation.id, message_id: null, summary: `Ticket #${ticket.number} created: ${ticket.subject}`, created_at: now })
      .execute();
  }
  await recordActivity(ctx, conversation, { type: 'ticket_created', ticketId: ticket.id, number: ticket.number }, `${ctx.actor.kind === 'user' ? actorName(ctx) : 'Parley'} created ticket #${ticket.number}`);
  await ctx.emit({ type: 'ticket.created', accountId: ticket.account_id, inboxId: conversation.inbox_id, data: { ticketId: ticket.id, conversationId: conversation.id } });
  return ticket;
}

/**
 * At creation, when the inbox treats incoming conversations as tickets: a ticket with the
 * inbox's defaults (`settings`: as the assignment decision read them, which saves a read). The
 * owner is the conversation's assignee (after routing) unless the settings name a user.
 */
export async function createTicketForNewConversation(ctx: Ctx, conversation: Row<'conversations'>, settings: AutomationSettings['tickets']): Promise<Row<'tickets'> | null> {
  if (!settings.enabled) return null;
  const { pipeline, stage: firstStage } = await defaultPipelineAndStage(ctx, conversation.account_id, settings.pipelineId);
  let stageId = firstStage.id;
  if (settings.stageId) {
    const chosen = await ctx.db.selectFrom('pipeline_stages').select('id').where('id', '=', settings.stageId).where('pipeline_id', '=', pipeline.id).executeTakeFirst();
    if (chosen) stageId = chosen.id;
  }
  let ownerId = conversation.assignee_id;
  if (settings.ownerMode === 'user' && settings.ownerUserId) {
    const owner = await ctx.db.selectFrom('users').select('id').where('id', '=', settings.ownerUserId).where('deactivated_at', 'is', null).executeTakeFirst();
    ownerId = owner?.id ?? conversation.assignee_id;
  }
  return insertTicket(ctx, conversation, { pipelineId: pipeline.id, stageId, ownerId, priority: null, subject: ticketSubjectOf(conversation) });
}

export interface CreateTicketInput {
  conversationId: string;
  pipelineId?: string;
  stageId?: string;
  ownerId?: string | null;
  priority?: Priority | null;
  subject?: string;
}

/** "Create ticket" on a conversation the actor can act on. One open ticket per conversation. */
export async function createTicket(ctx: Ctx<UserActor>, input: CreateTicketInput): Promise<Row<'tickets'>> {
  const { user } = ctx.actor;
  const { conversation } = await conversationFor(ctx.db, user, input.conversationId, 'act');
  const existing = await ctx.db.selectFrom('tickets').select('number').where('conversation_id', '=', conversation.id).executeTakeFirst();
  if (existing) throw invalid('conversationId', `This conversation already has ticket #${existing.number}`);
  const { pipeline, stage } = await defaultPipelineAndStage(ctx, user.account_id, input.pipelineId);
  const stageId = input.stageId ? (await stageIn(ctx, pipeline.id, input.stageId, 'stageId')).id : stage.id;
  const ownerId = input.ownerId === undefined ? (conversation.assignee_id ?? user.id) : input.ownerId === null ? null : (await activeUser(ctx, user.account_id, input.ownerId, 'ownerId')).id;
  return insertTicket(ctx, conversation, { pipelineId: pipeline.id, stageId, ownerId, priority: input.priority ?? null, subject: input.subject?.trim() || ticketSubjectOf(conversation) });
}

/** The ticket, if the user may see it (its conversation's inbox) and, for 'act', change it. */
export async function ticketFor(db: Kysely<Database>, user: Row<'users'>, ticketId: string, need: 'view' | 'act'): Promise<{ ticket: Row<'tickets'>; conversation: Row<'conversations'> | null }> {
  const ticket = await db.selectFrom('tickets').selectAll().where('id', '=', ticketId).where('account_id', '=', user.account_id).executeTakeFirst();
  if (!ticket) throw notFound('Ticket');
  if (!ticket.conversation_id) return { ticket, conversation: null };
  const conversation = await db.selectFrom('conversations').selectAll().where('id', '=', ticket.conversation_id).executeTakeFirst();
  if (!conversation) return { ticket, conversation: null };
  requireRight(await rightInInbox(db, user, conversation.inbox_id), need, 'Ticket');
  return { ticket, conversation };
}

export interface UpdateTicketInput {
  ticketId: string;
  pipelineId?: string;
  stageId?: string;
  ownerId?: string | null;
  priority?: Priority | null;
  subject?: string;
}

export async function updateTicket(ctx: Ctx<UserActor>, input: UpdateTicketInput): Promise<Row<'tickets'>> {
  const { user } = ctx.actor;
  const { ticket, conversation } = await ticketFor(ctx.db, user, input.ticketId, 'act');
  const set: Partial<Row<'tickets'>> = {};
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const pipelineId = input.pipelineId ?? ticket.pipeline_id;
  if (input.pipelineId && input.pipelineId !== ticket.pipeline_id) {
    const p = await ctx.db.selectFrom('pipelines').select('id').where('id', '=', input.pipelineId).where('account_id', '=', user.account_id).executeTakeFirst();
    if (!p) throw invalid('pipelineId', 'No such pipeline in this account');
    if (!input.stageId) throw invalid('stageId', 'Moving a ticket to another pipeline needs a stage in that pipeline');
    set.pipeline_id = p.id;
    changes.pipelineId = { from: ticket.pipeline_id, to: p.id };
  }
  let stageName: string | null = null;
  if (input.stageId && (input.stageId !== ticket.stage_id || set.pipeline_id)) {
    const stage = await stageIn(ctx, pipelineId, input.stageId, 'stageId');
    set.stage_id = stage.id;
    stageName = stage.name;
    changes.stageId = { from: ticket.stage_id, to: stage.id };
  }
  let ownerName: string | null = null;
  if (input.ownerId !== undefined && input.ownerId !== ticket.owner_id) {
    if (input.ownerId !== null) ownerName = userName(await activeUser(ctx, user.account_id, input.ownerId, 'ownerId'));
    set.owner_id = input.ownerId;
    changes.ownerId = { from: ticket.owner_id, to: input.ownerId };
  }
  if (input.priority !== undefined && input.priority !== ticket.priority) {
    set.priority = input.priority;
    changes.priority = { from: ticket.priority, to: input.priority };
  }
  if (input.subject !== undefined && input.subject.trim() !== ticket.subject) {
    set.subject = input.subject.trim();
    changes.subject = { from: ticket.subject, to: set.subject };
  }
  if (Object.keys(changes).length === 0) return ticket;
  set.updated_at = ctx.now.toISOString();
  await ctx.db.updateTable('tickets').set(set).where('id', '=', ticket.id).execute();
  const updated = { ...ticket, ...set };
  if (conversation) {
    const parts: string[] = [];
    if (stageName) parts.push(`stage to ${stageName}`);
    if ('ownerId' in changes) parts.push(ownerName ? `owner to ${ownerName}` : 'no owner');
    if ('priority' in changes) parts.push(`priority to ${updated.priority ?? 'none'}`);
    if ('subject' in changes) parts.push(`subject to “${updated.subject}”`);
    await recordActivity(ctx, conversation, { type: 'ticket_updated', ticketId: ticket.id, number: ticket.number, changes }, `${actorName(ctx)} changed ticket #${ticket.number}: ${parts.join(', ') || 'pipeline'}`);
  }
  await ctx.emit({ type: 'ticket.updated', accountId: ticket.account_id, inboxId: conversation?.inbox_id ?? null, data: { ticketId: ticket.id, changes } });
  return updated;
}
