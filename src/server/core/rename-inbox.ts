// Seed: Actions > Rename inbox. Available on every plan; admins only.
import type { Ctx, UserActor } from './context.ts';
import { forbidden, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';
import { requireFreeInboxName } from './create-inbox.ts';

export async function renameInbox(ctx: Ctx<UserActor>, input: { inboxId: string; name: string }): Promise<void> {
  const { user, account } = ctx.actor;
  if (!canManageSettings(user.role)) throw forbidden('Only admins can rename inboxes');
  const inbox = await ctx.db.selectFrom('inboxes').selectAll().where('id', '=', input.inboxId).where('account_id', '=', account.id).executeTakeFirst();
  if (!inbox) throw notFound('Inbox');
  if (inbox.name === input.name) return;
  await requireFreeInboxName(ctx, account.id, input.name, inbox.id);
  await ctx.db.updateTable('inboxes').set({ name: input.name }).where('id', '=', inbox.id).execute();
  await ctx.audit({ accountId: account.id, action: 'inbox.renamed', subjectType: 'inbox', subjectId: inbox.id, changes: { name: { from: inbox.name, to: input.name } } });
  await ctx.emit({ type: 'inbox.updated', accountId: account.id, inboxId: inbox.id, data: { inboxId: inbox.id } });
}
