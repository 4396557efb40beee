// @mentions in internal notes: "@Jane Doe", "@jane@acme.test", "@Jane" (when only one active
// user has that first name) or "@Billing" (a team: every member is mentioned). The longest name
// that matches after an "@" wins, and it must end at a word boundary, so "@Jane Doe" is Jane
// Doe and not some "Jane". An "@" inside a word (an email address in the text) is no mention.
// Mentioned users who may see the conversation are notified (core/notify.ts).
import type { Ctx } from './context.ts';
import type { Row } from '../db/schema.ts';
import { notifyUser } from './notify.ts';

export interface MentionTarget {
  kind: 'user' | 'team';
  id: string;
  /** The names the target answers to, any case. */
  names: string[];
}

export interface Mentions {
  userIds: string[];
  teamIds: string[];
}

const WORD = /[\p{L}\p{N}_]/u;

/** Pure: finds the targets mentioned in `text`. */
export function parseMentions(text: string, targets: readonly MentionTarget[]): Mentions {
  // Names that name exactly one target; an ambiguous first name mentions nobody.
  const owners = new Map<string, MentionTarget[]>();
  for (const t of targets) {
    for (const raw of new Set(t.names.map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0))) {
      const list = owners.get(raw) ?? [];
      list.push(t);
      owners.set(raw, list);
    }
  }
  const names = [...owners.entries()].filter(([, list]) => list.length === 1).sort((a, b) => b[0].length - a[0].length);
  const lower = text.toLowerCase();
  const users = new Set<string>();
  const teams = new Set<string>();
  for (let i = lower.indexOf('@'); i !== -1; i = lower.indexOf('@', i + 1)) {
    if (i > 0 && WORD.test(lower[i - 1]!)) continue;
    const rest = lower.slice(i + 1);
    for (const [name, [target]] of names) {
      if (!rest.startsWith(name)) continue;
      const next = rest[name.length];
      if (next !== undefined && WORD.test(next)) continue;
      if (target!.kind === 'user') users.add(target!.id);
      else teams.add(target!.id);
      break;
    }
  }
  return { userIds: [...users], teamIds: [...teams] };
}

export async function mentionTargets(ctx: Ctx, accountId: string): Promise<MentionTarget[]> {
  const users = await ctx.db.selectFrom('users').select(['id', 'first_name', 'last_name', 'email']).where('account_id', '=', accountId).where('deactivated_at', 'is', null).execute();
  const teams = await ctx.db.selectFrom('teams').select(['id', 'name']).where('account_id', '=', accountId).execute();
  return [
    ...users.map((u) => ({ kind: 'user' as const, id: u.id, names: [`${u.first_name} ${u.last_name}`, u.first_name, u.email] })),
    ...teams.map((t) => ({ kind: 'team' as const, id: t.id, names: [t.name] })),
  ];
}

/**
 * Called for each new internal note (POST /conversations/{id}/messages with kind "note"):
 * notifies every mentioned user and every member of a mentioned team, except the author.
 * Returns who was mentioned and who was told.
 */
export async function recordMentions(ctx: Ctx, input: { conversation: Row<'conversations'>; message: Row<'messages'> }): Promise<Mentions & { notifiedUserIds: string[] }> {
  const found = parseMentions(input.message.text, await mentionTargets(ctx, input.conversation.account_id));
  const people = new Set(found.userIds);
  if (found.teamIds.length) {
    const members = await ctx.db.selectFrom('team_members').select('user_id').where('team_id', 'in', found.teamIds).execute();
    for (const m of members) people.add(m.user_id);
  }
  const notified: string[] = [];
  for (const userId of people) {
    if (userId === input.message.author_user_id) continue;
    if (await notifyUser(ctx, { userId, kind: 'mentioned', conversation: input.conversation, messageId: input.message.id })) notified.push(userId);
  }
  return { ...found, notifiedUserIds: notified };
}
