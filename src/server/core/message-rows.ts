// A message row with every column given: the one place that knows the defaults, so activity
// lines, notes, replies and inbound mail only state what is particular to them.
import type { Ctx } from './context.ts';
import type { Row } from '../db/schema.ts';

type Required = Pick<Row<'messages'>, 'direction' | 'kind'>;

export function messageRow(
  ctx: Ctx,
  conversation: Pick<Row<'conversations'>, 'id' | 'account_id' | 'inbox_id'>,
  fields: Required & Partial<Row<'messages'>>,
): Row<'messages'> {
  return {
    id: ctx.newId(),
    account_id: conversation.account_id,
    inbox_id: conversation.inbox_id,
    conversation_id: conversation.id,
    author_user_id: null,
    author_contact_id: null,
    text: '',
    html: null,
    subject: null,
    message_id: null,
    in_reply_to: null,
    references_json: null,
    from_json: null,
    to_json: null,
    cc_json: null,
    bcc_json: null,
    forwarded_from_json: null,
    quote_start: null,
    email_date: null,
    content_hash: null,
    raw_key: null,
    raw_inline: 0,
    parse_error: null,
    auto_submitted: 0,
    delivery_status: null,
    delivery_error: null,
    activity_json: null,
    created_at: ctx.now.toISOString(),
    ...fields,
  };
}
