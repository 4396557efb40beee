// Rows to API objects for automation settings, pipelines, tickets and notifications (issue 5).
// Kept beside presenters.ts rather than in it, so the shared file stays small.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { AutomationT, NotificationT, PipelineT, TicketT } from '../../shared/api.ts';
import type { AutomationSettings } from '../core/automation-settings.ts';
import { presentConversation } from './presenters.ts';
import { unreadAmong } from '../core/conversation-reads.ts';
import type { ConversationT } from '../../shared/api.ts';

export function presentAutomation(inboxId: string, s: AutomationSettings): AutomationT {
  return { inboxId, ...s, tickets: { ...s.tickets } };
}

export function presentPipeline(p: Row<'pipelines'>, stages: Row<'pipeline_stages'>[]): PipelineT {
  return {
    id: p.id,
    name: p.name,
    isDefault: p.is_default === 1,
    position: p.position,
    stages: stages
      .filter((s) => s.pipeline_id === p.id)
      .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1))
      .map((s) => ({ id: s.id, name: s.name, position: s.position, isClosed: s.is_closed === 1 })),
    createdAt: p.created_at,
  };
}

export async function loadPipelines(db: Kysely<Database>, accountId: string, only?: string): Promise<PipelineT[]> {
  let q = db.selectFrom('pipelines').selectAll().where('account_id', '=', accountId);
  if (only) q = q.where('id', '=', only);
  const pipelines = await q.orderBy('position').orderBy('id').execute();
  if (pipelines.length === 0) return [];
  const stages = await db.selectFrom('pipeline_stages').selectAll().where('pipeline_id', 'in', pipelines.map((p) => p.id)).execute();
  return pipelines.map((p) => presentPipeline(p, stages));
}

const PRIORITIES = new Set(['low', 'medium', 'high', 'urgent']);

export function presentTicket(t: Row<'tickets'>, stageName: string): TicketT {
  return {
    id: t.id,
    number: t.number,
    conversationId: t.conversation_id,
    contactId: t.contact_id,
    pipelineId: t.pipeline_id,
    stageId: t.stage_id,
    stageName,
    ownerId: t.owner_id,
    subject: t.subject,
    priority: t.priority && PRIORITIES.has(t.priority) ? (t.priority as TicketT['priority']) : null,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}

export async function presentTickets(db: Kysely<Database>, tickets: Row<'tickets'>[]): Promise<TicketT[]> {
  const stageIds = [...new Set(tickets.map((t) => t.stage_id))];
  const stages = stageIds.length ? await db.selectFrom('pipeline_stages').select(['id', 'name']).where('id', 'in', stageIds).execute() : [];
  const names = new Map(stages.map((s) => [s.id, s.name]));
  return tickets.map((t) => presentTicket(t, names.get(t.stage_id) ?? ''));
}

type NotificationRow = Row<'notifications'> & { number: number | null; subject: string | null; inbox_id: string | null; first_name: string | null; last_name: string | null };

const KINDS = new Set(['assigned', 'mentioned', 'followed_reply']);

export function presentNotification(n: NotificationRow): NotificationT {
  return {
    id: n.id,
    kind: KINDS.has(n.kind) ? (n.kind as NotificationT['kind']) : 'assigned',
    conversationId: n.conversation_id,
    conversationNumber: n.number,
    conversationSubject: n.subject,
    inboxId: n.inbox_id,
    messageId: n.message_id,
    actorUserId: n.actor_user_id,
    actorName: n.first_name === null ? null : `${n.first_name} ${n.last_name ?? ''}`.trim(),
    readAt: n.read_at,
    createdAt: n.created_at,
  };
}

/** The conversation as `userId` sees it (its unread state is theirs). */
export async function presentConversationRow(db: Kysely<Database>, c: Row<'conversations'>, userId: string): Promise<ConversationT> {
  const [contact, unread] = await Promise.all([
    c.contact_id ? db.selectFrom('contacts').selectAll().where('id', '=', c.contact_id).executeTakeFirst() : undefined,
    unreadAmong(db, userId, [c.id]),
  ]);
  return presentConversation(c, contact, unread.has(c.id));
}
