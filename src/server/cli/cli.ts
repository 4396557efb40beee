// `parley` command line: start, migrate, account create, user create, token create, blobs sweep.
// Each command prints one JSON object on stdout; errors print one line on stderr and exit 1.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createAccount } from '../core/create-account.ts';
import { createUser } from '../core/create-user.ts';
import { createApiToken } from '../core/api-tokens.ts';
import { actorForUserEmail } from '../core/authenticate.ts';
import { DomainError } from '../core/errors.ts';
import { startParley } from '../main.ts';
import { presentAccount, presentUser } from '../http/presenters.ts';
import { channelView } from '../http/channel-view.ts';
import { plan as planSchema, role as roleSchema, seat as seatSchema } from '../../shared/api.ts';
import { ensureWebBuild } from './ensure-web-build.ts';
import { sweepBlobs } from '../blobs/blob-sweeper.ts';
import pino from 'pino';
import { z } from 'zod';

const USAGE = `Usage:
  parley start
  parley migrate
  parley account create --name NAME --subdomain SUB --plan free|starter|professional|enterprise --owner-email E --owner-password P [--company NAME]
  parley user create --account SUB --email E --password P --role super_admin|admin|agent --seat paid|free [--first-name F] [--last-name L]
  parley token create --email E [--name NAME]
  parley blobs sweep      (deletes stored files no message or attachment refers to, untouched for an hour)`;

class UsageError extends Error {}

function need(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function pick<T extends z.ZodType>(schema: T, value: string, flag: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--${flag} "${value}" is not one of the allowed values`);
  return parsed.data;
}

async function withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const deps = await createDeps(config, { logger: pino({ level: 'silent' }) });
  try {
    return await fn(deps);
  } finally {
    await deps.close();
  }
}

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    if (command === 'start' || command === undefined) {
      const config = loadConfig();
      await ensureWebBuild();
      const running = await startParley(config);
      const stop = async () => {
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1; // keep running
    }
    if (command === 'migrate') {
      await withDeps(async (deps) => print({ migrated: true, database: deps.store.dialect }));
      return 0;
    }
    if (command === 'blobs' && sub === 'sweep') {
      await withDeps(async (deps) => print(await sweepBlobs(deps)));
      return 0;
    }
    const { values } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        subdomain: { type: 'string' },
        plan: { type: 'string' },
        company: { type: 'string' },
        'owner-email': { type: 'string' },
        'owner-password': { type: 'string' },
        account: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        role: { type: 'string' },
        seat: { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
      },
      strict: true,
    });
    if (command === 'account' && sub === 'create') {
      const input = {
        name: need(values, 'name'),
        subdomain: need(values, 'subdomain'),
        plan: pick(planSchema, need(values, 'plan'), 'plan'),
        companyName: values.company,
        owner: { email: pick(z.email(), need(values, 'owner-email'), 'owner-email'), password: need(values, 'owner-password') },
      };
      if (input.owner.password.length < 8) throw new UsageError('--owner-password must be at least 8 characters');
      await withDeps(async (deps) => {
        const created = await deps.run({ kind: 'system', accountId: null, reason: 'cli' }, (ctx) => createAccount(ctx, input, deps.domains));
        print({
          account: presentAccount(created.account, deps.domains),
          owner: presentUser(created.owner, []),
          token: created.token,
          inbox: { id: created.inbox.id, name: created.inbox.name, isDefault: true, access: created.inbox.access },
          channel: await channelView(deps.store.db, created.channel),
          fallbackEmail: created.email.inbound_address,
          forwardingAddress: created.email.forwarding_address,
        });
      });
      return 0;
    }
    if (command === 'user' && sub === 'create') {
      const subdomain = need(values, 'account');
      await withDeps(async (deps) => {
        const account = await deps.store.db.selectFrom('accounts').selectAll().where('subdomain', '=', subdomain.toLowerCase()).executeTakeFirst();
        if (!account) throw new UsageError(`No account with subdomain "${subdomain}"`);
        const password = need(values, 'password');
        if (password.length < 8) throw new UsageError('--password must be at least 8 characters');
        const user = await deps.run({ kind: 'system', accountId: account.id, reason: 'cli' }, (ctx) =>
          createUser(ctx, {
            accountId: account.id,
            email: pick(z.email(), need(values, 'email'), 'email'),
            password,
            role: pick(roleSchema, need(values, 'role'), 'role'),
            seat: pick(seatSchema, need(values, 'seat'), 'seat'),
            firstName: values['first-name'],
            lastName: values['last-name'],
            teamIds: [],
          }),
        );
        print({ user: presentUser(user, []), account: presentAccount(account, deps.domains) });
      });
      return 0;
    }
    if (command === 'token' && sub === 'create') {
      const email = need(values, 'email');
      await withDeps(async (deps) => {
        const actor = await actorForUserEmail(deps.store.db, email);
        if (!actor) throw new UsageError(`No user with email "${email}"`);
        const { token, row } = await deps.run(actor, (ctx) => createApiToken(ctx, { name: values.name ?? 'CLI token' }));
        print({ token, id: row.id, userId: actor.user.id, accountId: actor.account.id });
      });
      return 0;
    }
    throw new UsageError(`Unknown command "${[command, sub].filter(Boolean).join(' ')}"`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`parley: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`parley: configuration error: ${err.message}\n`);
      return 1;
    }
    if (err instanceof DomainError) {
      process.stderr.write(`parley: ${err.code}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`parley: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
