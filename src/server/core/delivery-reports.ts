// What a delivery-status report (RFC 3464) says about one of our outbound messages. Only a
// failure marks it failed: a "delayed" notice says the remote server is still trying (shown as a
// note on a sent message), and "delivered" (or "relayed", "expanded") clears such a note.
import type { Ctx } from './context.ts';
import type { DeliveryReport } from './inbound-email.ts';

const DELAYED_PREFIX = 'Delayed: ';

/**
 * Applies the report to the outbound message it names (in the account); returns that message's
 * id, or null when the report names none of ours.
 */
export async function applyDeliveryReport(ctx: Ctx, accountId: string, report: DeliveryReport): Promise<string | null> {
  if (!report.originalMessageId) return null;
  const original = await ctx.db
    .selectFrom('messages')
    .select(['id', 'inbox_id', 'conversation_id', 'delivery_status', 'delivery_error'])
    .where('account_id', '=', accountId)
    .where('message_id', '=', report.originalMessageId)
    .where('direction', '=', 'out')
    .executeTakeFirst();
  if (!original) return null;
  const change = changeFor(report, original);
  if (change) {
    await ctx.db.updateTable('messages').set(change).where('id', '=', original.id).execute();
    await ctx.emit({ type: 'message.updated', accountId, inboxId: original.inbox_id, data: { conversationId: original.conversation_id, messageId: original.id } });
  }
  return original.id;
}

function changeFor(
  report: DeliveryReport,
  current: { delivery_status: string | null; delivery_error: string | null },
): { delivery_status?: 'failed'; delivery_error: string | null } | null {
  if (report.action === 'failed') return { delivery_status: 'failed', delivery_error: `Bounced: ${report.reason}` };
  // A later notice never undoes a failure, nor speaks for a message not yet handed over.
  if (current.delivery_status !== 'sent') return null;
  if (report.action === 'delayed') return { delivery_error: `${DELAYED_PREFIX}${report.reason}` };
  if (current.delivery_error?.startsWith(DELAYED_PREFIX)) return { delivery_error: null };
  return null;
}
