// Snoozed conversations reopen by themselves: snoozing enqueues one `snooze_wake` job due at
// the snooze's end (core/conversation-workflow.ts); this handler reopens the conversation unless
// it was reopened, closed or snoozed again since (then the job is a no-op). Idempotent, so a
// retried or duplicated run changes nothing twice.
import type { JobHandler } from './runner.ts';
import { PermanentJobError } from './runner.ts';
import { SNOOZE_WAKE_JOB, wakeSnoozedConversation } from '../core/conversation-workflow.ts';

export { SNOOZE_WAKE_JOB };

export const snoozeWakeHandler: JobHandler = {
  async run(deps, job, payload) {
    const conversationId = payload.conversationId;
    const until = payload.until;
    if (typeof conversationId !== 'string' || typeof until !== 'string') throw new PermanentJobError('snooze_wake payload needs conversationId and until');
    await deps.run({ kind: 'system', accountId: job.account_id, reason: 'snooze ended' }, (ctx) => wakeSnoozedConversation(ctx, { conversationId, until }));
  },
};
