// The seam every new inbound conversation passes through after it is created and before the
// transaction commits: automatic assignment (routing.ts) and ticket creation (ticket settings).
// Called by every channel's receive path (email, IMAP, chat, API) so the rules apply alike.
import type { Ctx } from './context.ts';
import type { Row } from '../db/schema.ts';

export async function afterConversationCreated(_ctx: Ctx, _input: { conversation: Row<'conversations'>; contact: Row<'contacts'> | null }): Promise<void> {
  // Filled in by automatic assignment and tickets (issue: inboxes, access, assignment, tickets).
}
