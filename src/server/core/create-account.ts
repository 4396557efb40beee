// Signing up: the account, its owner (super admin on a paid seat), an API token for the owner,
// the default "Support pipeline", and the default inbox with its fallback email address.
import type { Ctx } from './context.ts';
import type { Plan, Row } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { checkSubdomain } from './subdomain.ts';
import { hashPassword } from './passwords.ts';
import { provisionInbox, type ProvisionedInbox } from './provision-inbox.ts';
import type { MailDomains } from './mail-addresses.ts';
import { issueApiToken } from './api-tokens.ts';

export interface CreateAccountInput {
  name: string;
  subdomain: string;
  plan: Plan;
  companyName?: string;
  owner: { email: string; password: string; firstName?: string; lastName?: string };
}

export interface CreatedAccount extends ProvisionedInbox {
  account: Row<'accounts'>;
  owner: Row<'users'>;
  token: string;
}

export const DEFAULT_PIPELINE = { name: 'Support pipeline', stages: ['New', 'Waiting on contact', 'Waiting on us', 'Closed'] };

export async function createAccount(ctx: Ctx, input: CreateAccountInput, domains: MailDomains): Promise<CreatedAccount> {
  const subdomain = checkSubdomain(input.subdomain);
  const taken = await ctx.db.selectFrom('accounts').select('id').where('subdomain', '=', subdomain).executeTakeFirst();
  if (taken) throw new DomainError('subdomain_taken', `The subdomain "${subdomain}" is already taken`, 'subdomain');
  const email = input.owner.email.trim().toLowerCase();
  const emailTaken = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (emailTaken) throw new DomainError('email_taken', `A user with the email ${email} already exists`, 'ownerEmail');

  const now = ctx.now.toISOString();
  const account: Row<'accounts'> = {
    id: ctx.newId(),
    name: input.name.trim(),
    subdomain,
    plan: input.plan,
    company_name: (input.companyName ?? input.name).trim(),
    conversation_counter: 0,
    ticket_counter: 0,
    event_seq: 0,
    created_at: now,
    access_version: 0,
  };
  await ctx.db.insertInto('accounts').values(account).execute();

  const [localPart] = email.split('@');
  const owner: Row<'users'> = {
    id: ctx.newId(),
    account_id: account.id,
    email,
    first_name: input.owner.firstName?.trim() || capitalise(localPart ?? 'Owner'),
    last_name: input.owner.lastName?.trim() ?? '',
    password_hash: await hashPassword(input.owner.password),
    role: 'super_admin',
    seat: 'paid',
    availability: 'available',
    notify_in_app: 1,
    notify_email: 1,
    created_at: now,
    deactivated_at: null,
  };
  await ctx.db.insertInto('users').values(owner).execute();

  const pipelineId = ctx.newId();
  await ctx.db
    .insertInto('pipelines')
    .values({ id: pipelineId, account_id: account.id, name: DEFAULT_PIPELINE.name, is_default: 1, position: 0, created_at: now })
    .execute();
  await ctx.db
    .insertInto('pipeline_stages')
    .values(
      DEFAULT_PIPELINE.stages.map((name, position) => ({
        id: ctx.newId(),
        pipeline_id: pipelineId,
        name,
        position,
        is_closed: name === 'Closed' ? (1 as const) : (0 as const),
      })),
    )
    .execute();

  const provisioned = await provisionInbox(ctx, { account, name: 'Inbox', access: 'everyone', isDefault: true, domains });
  const { token } = await issueApiToken(ctx, { user: owner, name: 'Owner token' });
  await ctx.emit({ type: 'account.created', accountId: account.id, inboxId: null, data: { accountId: account.id } });
  return { account, owner, token, ...provisioned };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
