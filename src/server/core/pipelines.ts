// Ticket pipelines with ordered stages (seed: "the ticket pipeline and stage"). Every account
// starts with the default "Support pipeline" (create-account.ts). Admins create and rename
// pipelines and add, rename and reorder stages; every change is audited. Stages are never
// deleted here (tickets point at them).
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { DomainError, forbidden, invalid, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';

function requireAdmin(ctx: Ctx<UserActor>): void {
  if (!canManageSettings(ctx.actor.user.role)) throw forbidden('Only admins can change ticket pipelines');
}

async function pipelineOf(ctx: Ctx<UserActor>, pipelineId: string): Promise<Row<'pipelines'>> {
  const p = await ctx.db.selectFrom('pipelines').selectAll().where('id', '=', pipelineId).where('account_id', '=', ctx.actor.account.id).executeTakeFirst();
  if (!p) throw notFound('Pipeline');
  return p;
}

async function nameFree(ctx: Ctx<UserActor>, name: string, except?: string): Promise<void> {
  let q = ctx.db.selectFrom('pipelines').select('id').where('account_id', '=', ctx.actor.account.id).where('name', '=', name);
  if (except) q = q.where('id', '!=', except);
  if (await q.executeTakeFirst()) throw new DomainError('conflict', `A pipeline named "${name}" already exists`, 'name');
}

export async function createPipeline(ctx: Ctx<UserActor>, input: { name: string; stages: { name: string; isClosed?: boolean }[] }): Promise<Row<'pipelines'>> {
  requireAdmin(ctx);
  const { account } = ctx.actor;
  if (input.stages.length === 0) throw invalid('stages', 'A pipeline needs at least one stage');
  checkStageNames(input.stages.map((s) => s.name));
  await nameFree(ctx, input.name);
  const last = await ctx.db.selectFrom('pipelines').select('position').where('account_id', '=', account.id).orderBy('position', 'desc').executeTakeFirst();
  const pipeline: Row<'pipelines'> = { id: ctx.newId(), account_id: account.id, name: input.name, is_default: 0, position: (last?.position ?? -1) + 1, created_at: ctx.now.toISOString() };
  await ctx.db.insertInto('pipelines').values(pipeline).execute();
  await ctx.db
    .insertInto('pipeline_stages')
    .values(input.stages.map((s, position) => ({ id: ctx.newId(), pipeline_id: pipeline.id, name: s.name, position, is_closed: s.isClosed ? (1 as const) : (0 as const) })))
    .execute();
  await ctx.audit({ accountId: account.id, action: 'pipeline.created', subjectType: 'pipeline', subjectId: pipeline.id, changes: { name: input.name, stages: input.stages.map((s) => s.name) } });
  await ctx.emit({ type: 'pipeline.updated', accountId: account.id, inboxId: null, data: { pipelineId: pipeline.id } });
  return pipeline;
}

function checkStageNames(names: string[]): void {
  const seen = new Set<string>();
  for (const [i, n] of names.entries()) {
    const key = n.trim().toLowerCase();
    if (seen.has(key)) throw invalid(`stages.${i}.name`, `The stage "${n}" appears twice`);
    seen.add(key);
  }
}

export async function renamePipeline(ctx: Ctx<UserActor>, input: { pipelineId: string; name: string }): Promise<void> {
  requireAdmin(ctx);
  const p = await pipelineOf(ctx, input.pipelineId);
  if (p.name === input.name) return;
  await nameFree(ctx, input.name, p.id);
  await ctx.db.updateTable('pipelines').set({ name: input.name }).where('id', '=', p.id).execute();
  await ctx.audit({ accountId: p.account_id, action: 'pipeline.renamed', subjectType: 'pipeline', subjectId: p.id, changes: { name: { from: p.name, to: input.name } } });
  await ctx.emit({ type: 'pipeline.updated', accountId: p.account_id, inboxId: null, data: { pipelineId: p.id } });
}

export async function addStage(ctx: Ctx<UserActor>, input: { pipelineId: string; name: string; isClosed: boolean; position?: number }): Promise<Row<'pipeline_stages'>> {
  requireAdmin(ctx);
  const p = await pipelineOf(ctx, input.pipelineId);
  const stages = await ctx.db.selectFrom('pipeline_stages').selectAll().where('pipeline_id', '=', p.id).orderBy('position').orderBy('id').execute();
  if (stages.some((s) => s.name.trim().toLowerCase() === input.name.trim().toLowerCase())) throw new DomainError('conflict', `The stage "${input.name}" already exists in this pipeline`, 'name');
  const at = Math.min(Math.max(input.position ?? stages.length, 0), stages.length);
  const stage: Row<'pipeline_stages'> = { id: ctx.newId(), pipeline_id: p.id, name: input.name, position: at, is_closed: input.isClosed ? 1 : 0 };
  const order = [...stages];
  order.splice(at, 0, stage);
  await ctx.db.insertInto('pipeline_stages').values(stage).execute();
  await writePositions(ctx, order);
  await ctx.audit({ accountId: p.account_id, action: 'pipeline.stage_added', subjectType: 'pipeline', subjectId: p.id, changes: { stage: { from: null, to: input.name }, position: at } });
  await ctx.emit({ type: 'pipeline.updated', accountId: p.account_id, inboxId: null, data: { pipelineId: p.id } });
  return stage;
}

export async function updateStage(ctx: Ctx<UserActor>, input: { pipelineId: string; stageId: string; name?: string; isClosed?: boolean }): Promise<void> {
  requireAdmin(ctx);
  const p = await pipelineOf(ctx, input.pipelineId);
  const stage = await ctx.db.selectFrom('pipeline_stages').selectAll().where('id', '=', input.stageId).where('pipeline_id', '=', p.id).executeTakeFirst();
  if (!stage) throw notFound('Stage');
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (input.name !== undefined && input.name !== stage.name) {
    const clash = await ctx.db.selectFrom('pipeline_stages').select('id').where('pipeline_id', '=', p.id).where('name', '=', input.name).where('id', '!=', stage.id).executeTakeFirst();
    if (clash) throw new DomainError('conflict', `The stage "${input.name}" already exists in this pipeline`, 'name');
    changes.name = { from: stage.name, to: input.name };
  }
  if (input.isClosed !== undefined && input.isClosed !== (stage.is_closed === 1)) changes.isClosed = { from: stage.is_closed === 1, to: input.isClosed };
  if (Object.keys(changes).length === 0) return;
  await ctx.db
    .updateTable('pipeline_stages')
    .set({ ...(input.name !== undefined ? { name: input.name } : {}), ...(input.isClosed !== undefined ? { is_closed: input.isClosed ? 1 : 0 } : {}) })
    .where('id', '=', stage.id)
    .execute();
  await ctx.audit({ accountId: p.account_id, action: 'pipeline.stage_updated', subjectType: 'pipeline_stage', subjectId: stage.id, changes });
  await ctx.emit({ type: 'pipeline.updated', accountId: p.account_id, inboxId: null, data: { pipelineId: p.id } });
}

/** Sets the stage order: `stageIds` must list every stage of the pipeline exactly once. */
export async function reorderStages(ctx: Ctx<UserActor>, input: { pipelineId: string; stageIds: string[] }): Promise<void> {
  requireAdmin(ctx);
  const p = await pipelineOf(ctx, input.pipelineId);
  const stages = await ctx.db.selectFrom('pipeline_stages').selectAll().where('pipeline_id', '=', p.id).orderBy('position').orderBy('id').execute();
  const byId = new Map(stages.map((s) => [s.id, s]));
  if (new Set(input.stageIds).size !== input.stageIds.length || input.stageIds.length !== stages.length || input.stageIds.some((id) => !byId.has(id))) {
    throw invalid('stageIds', 'List every stage of the pipeline exactly once, in the new order');
  }
  const before = stages.map((s) => s.id);
  if (before.join() === input.stageIds.join()) return;
  await writePositions(ctx, input.stageIds.map((id) => byId.get(id)!));
  await ctx.audit({ accountId: p.account_id, action: 'pipeline.stages_reordered', subjectType: 'pipeline', subjectId: p.id, changes: { stageIds: { from: before, to: input.stageIds } } });
  await ctx.emit({ type: 'pipeline.updated', accountId: p.account_id, inboxId: null, data: { pipelineId: p.id } });
}

async function writePositions(ctx: Ctx, ordered: Row<'pipeline_stages'>[]): Promise<void> {
  for (const [position, s] of ordered.entries()) {
    if (s.position !== position) await ctx.db.updateTable('pipeline_stages').set({ position }).where('id', '=', s.id).execute();
  }
}
