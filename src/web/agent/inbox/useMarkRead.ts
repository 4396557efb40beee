// Opening a conversation marks it read, once its thread is on screen; a customer message that
// arrives while it stays open is shown, so it is marked read too. Keyed by the customer messages
// shown rather than by the unread flag alone: "Mark as unread" in another tab flips the flag
// without showing anything new, and must not be undone here.
import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ConversationT, MessageT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { showReadState } from '../api/queries.ts';

export function useMarkReadWhenShown(conversation: ConversationT | undefined, messages: MessageT[] | undefined): void {
  const client = useQueryClient();
  const shownAt = useRef<number | null>(null);
  const unread = conversation?.unread;
  const id = conversation?.id;
  const shownMessages = messages?.filter((m) => m.direction === 'in' && m.kind === 'message');
  const customerMessages = shownMessages?.length;
  const newestShown = shownMessages?.at(-1)?.id;
  useEffect(() => {
    if (id === undefined || customerMessages === undefined) return;
    const first = shownAt.current === null;
    if (!first && customerMessages <= shownAt.current!) return;
    if (!unread) {
      // Read already: remember what was on screen, so only something new marks it read later.
      if (first) shownAt.current = customerMessages;
      return;
    }
    shownAt.current = customerMessages;
    // A failure leaves it unread, which is what the list then says; nothing to tell the user.
    api.markRead(id, newestShown).then((c) => showReadState(client, c), () => undefined);
  }, [client, id, unread, customerMessages, newestShown]);
}
