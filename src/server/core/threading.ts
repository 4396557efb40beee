// Which conversation an inbound email belongs to. Pure: the caller looks the keys up (always
// within the receiving inbox) and this module decides, in DESIGN.md's order, first hit wins:
//   1. our reply token in a recipient address (…+c_<token>@…), which we put in Reply-To;
//   2. In-Reply-To, then References newest first, against stored Message-IDs;
//   3. our own Message-ID pattern in In-Reply-To/References (`<uuid>.<random>@<account mail
//      domain>`, uuid being one of our conversation or message ids), for replies to mail
//      whose stored row we cannot match by Message-ID;
//   4. the message's own Message-ID, when a reply that overtook it already named it (so a
//      message and its reply arriving at the same moment make one conversation).
// Never by subject: a subject match would thread customer B's mail into customer A's thread.

export type ThreadVia = 'reply_token' | 'message_id' | 'own_message_id' | 'claimed_by_reply';

export interface ThreadingInput {
  recipients: string[];
  inReplyTo: string | null;
  references: string[];
  /** The account's mail domain, lower-case (e.g. acme.parley.localhost). */
  accountMailDomain: string;
}

export interface ThreadingPlan {
  replyTokens: string[];
  /** Message-IDs to look up, in priority order. */
  messageIds: string[];
  /** Ids (conversation or message) taken from our own Message-ID pattern, in priority order. */
  ownIds: string[];
}

export interface ThreadingFacts {
  /** reply token -> conversation id, only conversations of the receiving inbox. */
  byToken: ReadonlyMap<string, string>;
  /** Message-ID -> conversation id, only messages of the receiving inbox. */
  byMessageId: ReadonlyMap<string, string>;
  /** conversation or message id -> conversation id, only within the receiving inbox. */
  byOwnId: ReadonlyMap<string, string>;
  /** The conversation whose earlier-arrived reply named this message's own Message-ID. */
  claimedBy?: string | null;
}

const TOKEN_RE = /\+c_([a-z0-9]{8,64})@/i;
const UUID_PREFIX = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[.@_-]|$)/i;

/** The reply token in an address such as `inbox+c_k3j4h5g6f7d8s9a0@acme.parley.localhost`. */
export function replyTokenOf(address: string): string | null {
  const m = TOKEN_RE.exec(address);
  return m ? m[1]!.toLowerCase() : null;
}

/** The id in one of our Message-IDs, when it is at the account's mail domain. */
export function ownIdOf(messageId: string, accountMailDomain: string): string | null {
  const at = messageId.lastIndexOf('@');
  if (at <= 0) return null;
  if (messageId.slice(at + 1).toLowerCase() !== accountMailDomain.toLowerCase()) return null;
  const m = UUID_PREFIX.exec(messageId.slice(0, at));
  return m ? m[1]!.toLowerCase() : null;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

export function threadingPlan(input: ThreadingInput): ThreadingPlan {
  const replyTokens = unique(input.recipients.map(replyTokenOf).filter((t): t is string => t !== null));
  // In-Reply-To names the message answered; References newest last (RFC 5322 §3.6.4).
  const messageIds = unique([...(input.inReplyTo ? [input.inReplyTo] : []), ...[...input.references].reverse()]);
  const ownIds = unique(messageIds.map((id) => ownIdOf(id, input.accountMailDomain)).filter((t): t is string => t !== null));
  return { replyTokens, messageIds, ownIds };
}

export function chooseThread(plan: ThreadingPlan, facts: ThreadingFacts): { conversationId: string; via: ThreadVia } | null {
  for (const token of plan.replyTokens) {
    const hit = facts.byToken.get(token);
    if (hit) return { conversationId: hit, via: 'reply_token' };
  }
  for (const id of plan.messageIds) {
    const hit = facts.byMessageId.get(id);
    if (hit) return { conversationId: hit, via: 'message_id' };
  }
  for (const id of plan.ownIds) {
    const hit = facts.byOwnId.get(id);
    if (hit) return { conversationId: hit, via: 'own_message_id' };
  }
  if (facts.claimedBy) return { conversationId: facts.claimedBy, via: 'claimed_by_reply' };
  return null;
}

/**
 * Keys that name the thread a message may start or join: its own Message-ID and every id it
 * refers to. Concurrent receivers lock these (sorted, so never in opposite orders) so a message
 * and its reply arriving at the same moment see each other and make one conversation.
 */
export function threadLockKeys(inboxId: string, messageId: string, inReplyTo: string | null, references: string[]): string[] {
  return unique([messageId, ...(inReplyTo ? [inReplyTo] : []), ...references].map((id) => `${inboxId}|${id}`)).sort();
}
