// PATCH /channels/{id}: channel status (seed: "Manage channel status") and the email channel's
// settings (seed: "Edit the fallback email address"). One use case so every change is audited
// the same way, field by field, with old and new values.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import { requireSettingsRight } from './inbox-access.ts';

export interface ChannelPatch {
  name?: string;
  enabled?: boolean;
  email?: {
    useForSending?: boolean;
    fromNameMode?: 'agent_and_company' | 'company';
    companyName?: string;
    fromAddressMode?: 'default' | 'custom';
    customFromAddress?: string | null;
    signatureEnabled?: boolean;
    signatureMode?: 'simple' | 'html';
    signatureHtml?: string;
    originalSenderOfForwards?: boolean;
  };
}

type EmailColumns = Partial<Omit<Row<'email_channel_settings'>, 'channel_id'>>;

const flag = (b: boolean | undefined) => (b === undefined ? undefined : b ? (1 as const) : (0 as const));

/** Hook for the sending settings (signature sanitising, From checks) to refine the column changes. */
export type EmailPatchRefiner = (ctx: Ctx<UserActor>, current: Row<'email_channel_settings'>, changes: EmailColumns) => Promise<EmailColumns>;

export async function updateChannel(
  ctx: Ctx<UserActor>,
  input: { channelId: string; patch: ChannelPatch },
  refine: EmailPatchRefiner = async (_c, _cur, changes) => changes,
): Promise<void> {
  const { user, account } = ctx.actor;
  const channel = await ctx.db.selectFrom('channels').selectAll().where('id', '=', input.channelId).where('account_id', '=', account.id).executeTakeFirst();
  if (!channel) throw notFound('Channel');
  // Admins only; 404 (not 403) for users who cannot see the channel's inbox at all.
  await requireSettingsRight(ctx.db, user, channel.inbox_id, 'change channel settings', 'Channel');
  const changes: Record<string, { from: unknown; to: unknown }> = {};

  const channelSet: Partial<Row<'channels'>> = {};
  if (input.patch.name !== undefined && input.patch.name !== channel.name) {
    channelSet.name = input.patch.name;
    changes.name = { from: channel.name, to: input.patch.name };
  }
  const enabled = flag(input.patch.enabled);
  if (enabled !== undefined && enabled !== channel.enabled) {
    channelSet.enabled = enabled;
    changes.enabled = { from: channel.enabled === 1, to: enabled === 1 };
  }
  if (Object.keys(channelSet).length) await ctx.db.updateTable('channels').set(channelSet).where('id', '=', channel.id).execute();

  if (input.patch.email) {
    const current = await ctx.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channel.id).executeTakeFirst();
    if (!current) throw new DomainError('validation_failed', 'This channel has no email settings', 'email');
    const e = input.patch.email;
    const proposed: EmailColumns = {
      use_for_sending: flag(e.useForSending),
      from_name_mode: e.fromNameMode,
      company_name: e.companyName,
      from_address_mode: e.fromAddressMode,
      custom_from_address: e.customFromAddress === undefined ? undefined : e.customFromAddress?.trim().toLowerCase() ?? null,
      signature_enabled: flag(e.signatureEnabled),
      signature_mode: e.signatureMode,
      signature_html: e.signatureHtml,
      original_sender_of_forwards: flag(e.originalSenderOfForwards),
    };
    const defined = Object.fromEntries(Object.entries(proposed).filter(([, v]) => v !== undefined)) as EmailColumns;
    // A new custom From address must be verified again before it is used.
    if (defined.custom_from_address !== undefined && defined.custom_from_address !== current.custom_from_address) {
      defined.custom_from_verified_at = null;
    }
    const refined = await refine(ctx, current, defined);
    const emailSet: EmailColumns = {};
    for (const [key, value] of Object.entries(refined) as Array<[keyof EmailColumns, unknown]>) {
      if (current[key] !== value) {
        (emailSet as Record<string, unknown>)[key] = value;
        changes[`email.${key}`] = { from: current[key], to: value };
      }
    }
    if (Object.keys(emailSet).length) await ctx.db.updateTable('email_channel_settings').set(emailSet).where('channel_id', '=', channel.id).execute();
  }

  if (Object.keys(changes).length === 0) return;
  await ctx.audit({ accountId: account.id, action: 'channel.updated', subjectType: 'channel', subjectId: channel.id, changes });
  await ctx.emit({ type: 'channel.updated', accountId: account.id, inboxId: channel.inbox_id, data: { channelId: channel.id } });
}
