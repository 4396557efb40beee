// /pipelines: ticket pipelines with ordered stages. Everyone reads them (to file tickets);
// admins create and rename pipelines and add, rename and reorder stages (audited).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Pipeline, id } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { IdParams } from './inboxes.routes.ts';
import { notFound } from '../core/errors.ts';
import { addStage, createPipeline, renamePipeline, reorderStages, updateStage } from '../core/pipelines.ts';
import { loadPipelines } from './workflow-presenters.ts';

const tags = ['pipelines'];
const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const StageParams = z.strictObject({ id, stageId: id });

export const pipelineRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;
    const one = async (accountId: string, pipelineId: string) => {
      const [p] = await loadPipelines(db, accountId, pipelineId);
      if (!p) throw notFound('Pipeline');
      return p;
    };

    app.get('/pipelines', { schema: { tags, summary: 'Pipelines with their stages in order', response: { 200: z.object({ items: z.array(Pipeline), nextCursor: z.null() }) } } }, async (request) => ({
      items: await loadPipelines(db, actorOf(request).account.id),
      nextCursor: null,
    }));

    app.get('/pipelines/:id', { schema: { tags, params: IdParams, response: { 200: Pipeline } } }, async (request) => one(actorOf(request).account.id, request.params.id));

    app.post(
      '/pipelines',
      {
        schema: {
          tags,
          summary: 'Create a pipeline with its stages in order (admins)',
          body: z.strictObject({ name, stages: z.array(z.strictObject({ name, isClosed: z.boolean().default(false) })).min(1).max(50) }),
          response: { 201: Pipeline },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const p = await deps.run(actor, (ctx) => createPipeline(ctx, request.body));
        return reply.status(201).send(await one(actor.account.id, p.id));
      },
    );

    app.patch('/pipelines/:id', { schema: { tags, summary: 'Rename a pipeline (admins)', params: IdParams, body: z.strictObject({ name }), response: { 200: Pipeline } } }, async (request) => {
      const actor = actorOf(request);
      await deps.run(actor, (ctx) => renamePipeline(ctx, { pipelineId: request.params.id, name: request.body.name }));
      return one(actor.account.id, request.params.id);
    });

    app.post(
      '/pipelines/:id/stages',
      {
        schema: {
          tags,
          summary: 'Add a stage, at the end or at `position` (0-based) (admins)',
          params: IdParams,
          body: z.strictObject({ name, isClosed: z.boolean().default(false), position: z.number().int().min(0).optional() }),
          response: { 201: Pipeline },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        await deps.run(actor, (ctx) => addStage(ctx, { pipelineId: request.params.id, ...request.body }));
        return reply.status(201).send(await one(actor.account.id, request.params.id));
      },
    );

    app.patch(
      '/pipelines/:id/stages/:stageId',
      { schema: { tags, summary: 'Rename a stage or mark it closed (admins)', params: StageParams, body: z.strictObject({ name: name.optional(), isClosed: z.boolean().optional() }), response: { 200: Pipeline } } },
      async (request) => {
        const actor = actorOf(request);
        await deps.run(actor, (ctx) => updateStage(ctx, { pipelineId: request.params.id, stageId: request.params.stageId, ...request.body }));
        return one(actor.account.id, request.params.id);
      },
    );

    app.put(
      '/pipelines/:id/stages/order',
      {
        schema: { tags, summary: 'Reorder the stages: list every stage id once, in the new order (admins)', params: IdParams, body: z.strictObject({ stageIds: z.array(id).min(1).max(50) }), response: { 200: Pipeline } },
      },
      async (request) => {
        const actor = actorOf(request);
        await deps.run(actor, (ctx) => reorderStages(ctx, { pipelineId: request.params.id, stageIds: request.body.stageIds }));
        return one(actor.account.id, request.params.id);
      },
    );
  };
