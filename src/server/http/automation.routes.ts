// GET/PUT /inboxes/{id}/automation: the Automation tab (automatic assignment rules and the
// "Edit ticket" defaults). Admins only; changes are audited with from/to values.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { Automation, assignTo, id, ticketOwnerMode } from '../../shared/api.ts';
import { actorOf } from './auth.ts';
import { IdParams } from './inboxes.routes.ts';
import { inboxForSettings } from '../core/inbox-access.ts';
import { loadAutomation, updateAutomation } from '../core/automation-settings.ts';
import { presentAutomation } from './workflow-presenters.ts';

const RULES = [
  'Automatic assignment of each new incoming conversation.',
  '"specific": the targets are the users in targetUserIds plus the members of the teams in targetTeamIds. Only active users with a paid seat who can act in the inbox are eligible (and, with availableOnly, only those whose availability is "available"). The eligible user with the fewest open conversations (status open, across the account) gets the conversation; a tie goes to the one idle longest, meaning the one whose last assignment (by hand or automatically) is oldest, a user never assigned counting as oldest; a remaining tie goes to the smallest user id.',
  '"contact_owner": the contact\'s owner when eligible by the same test, otherwise the conversation stays unassigned. When the owner is away, the owner is also emailed the message.',
  'No eligible user: the conversation stays unassigned.',
  'Naming a user with a free seat in targetUserIds is refused with 400 validation_failed whose field names the user (targetUserIds.N).',
  'tickets: "Treat incoming conversations as support tickets" and its defaults; ownerMode "assignee" makes the conversation\'s assignee the ticket owner, "user" makes ownerUserId the owner. Omitted fields keep their current values.',
].join(' ');

export const automationRoutes =
  (deps: Deps): FastifyPluginAsync =>
  async (app0) => {
    const app = app0.withTypeProvider<ZodTypeProvider>();
    const db = deps.store.db;

    app.get(
      '/inboxes/:id/automation',
      { schema: { tags: ['automation'], summary: 'The inbox’s automatic assignment rules and ticket defaults (admins)', description: RULES, params: IdParams, response: { 200: Automation } } },
      async (request) => {
        const inbox = await inboxForSettings(db, actorOf(request).user, request.params.id, 'see automation settings');
        return presentAutomation(inbox.id, await loadAutomation(db, inbox.id));
      },
    );

    app.put(
      '/inboxes/:id/automation',
      {
        schema: {
          tags: ['automation'],
          summary: 'Change the inbox’s automatic assignment rules and ticket defaults (admins; audited)',
          description: RULES,
          params: IdParams,
          body: z.strictObject({
            autoAssign: z.boolean().optional(),
            assignTo: assignTo.optional(),
            availableOnly: z.boolean().optional(),
            targetUserIds: z.array(id).max(1000).optional(),
            targetTeamIds: z.array(id).max(200).optional(),
            tickets: z
              .strictObject({
                enabled: z.boolean().optional(),
                pipelineId: id.nullable().optional(),
                stageId: id.nullable().optional(),
                ownerMode: ticketOwnerMode.optional(),
                ownerUserId: id.nullable().optional(),
              })
              .optional(),
          }),
          response: { 200: Automation },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const inbox = await inboxForSettings(db, actor.user, request.params.id, 'change automation settings');
        const current = await loadAutomation(db, inbox.id);
        const b = request.body;
        const settings = {
          autoAssign: b.autoAssign ?? current.autoAssign,
          assignTo: b.assignTo ?? current.assignTo,
          availableOnly: b.availableOnly ?? current.availableOnly,
          targetUserIds: b.targetUserIds ?? current.targetUserIds,
          targetTeamIds: b.targetTeamIds ?? current.targetTeamIds,
          tickets: {
            enabled: b.tickets?.enabled ?? current.tickets.enabled,
            pipelineId: b.tickets?.pipelineId !== undefined ? b.tickets.pipelineId : current.tickets.pipelineId,
            stageId: b.tickets?.stageId !== undefined ? b.tickets.stageId : current.tickets.stageId,
            ownerMode: b.tickets?.ownerMode ?? current.tickets.ownerMode,
            ownerUserId: b.tickets?.ownerUserId !== undefined ? b.tickets.ownerUserId : current.tickets.ownerUserId,
          },
        };
        const saved = await deps.run(actor, (ctx) => updateAutomation(ctx, { inboxId: inbox.id, settings }));
        return presentAutomation(inbox.id, saved);
      },
    );
  };
