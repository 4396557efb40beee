// React Query keys and hooks over the API: one place that knows what to refetch after a change.
import { canManageSettings } from '../../../shared/roles.ts';
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import type { ConversationT, MeT } from '../../../shared/api.ts';
import { ApiError, setCsrfToken } from './client.ts';
import { api, type ConversationFilter } from './endpoints.ts';

export const keys = {
  me: ['me'] as const,
  inboxes: ['inboxes'] as const,
  users: ['users'] as const,
  teams: ['teams'] as const,
  conversations: (filter: ConversationFilter) => ['conversations', filter] as const,
  contacts: (q: string) => ['contacts', q] as const,
  contact: (id: string) => ['contact', id] as const,
  conversation: (id: string) => ['conversation', id] as const,
  /** Under 'conversations', so whatever refreshes the lists refreshes the counts too. */
  viewCounts: (inboxId: string) => ['conversations', 'counts', inboxId] as const,
  messages: (id: string) => ['messages', id] as const,
};

/** The signed-in user, or null when nobody is signed in (401). */
export function useMe() {
  return useQuery<MeT | null>({
    queryKey: keys.me,
    queryFn: async () => {
      try {
        const me = await api.me();
        setCsrfToken(me.csrfToken);
        return me;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

/** Whether the signed-in user may change settings (admins); others see settings read-only. */
export function useCanManageSettings(): boolean {
  const role = useMe().data?.user.role;
  return role !== undefined && canManageSettings(role);
}

export function useInboxes() {
  return useQuery({ queryKey: keys.inboxes, queryFn: async () => (await api.inboxes()).items });
}

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: async () => (await api.users()).items, staleTime: 60_000 });
}

export function useTeams() {
  return useQuery({ queryKey: keys.teams, queryFn: async () => (await api.teams()).items, staleTime: 60_000 });
}

export function useConversations(filter: ConversationFilter, enabled = true) {
  return useInfiniteQuery({
    queryKey: keys.conversations(filter),
    queryFn: ({ pageParam }) => api.conversations({ ...filter, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    // The socket (api/live.ts) marks lists stale as events arrive; this poll is the fallback
    // for a socket that cannot connect (a proxy without WebSocket support).
    refetchInterval: 60_000,
  });
}

/** Search results; under 'conversations' so every refresh of the lists refreshes them too. */
export function useSearch(q: string) {
  return useInfiniteQuery({
    queryKey: ['conversations', 'search', q] as const,
    queryFn: ({ pageParam }) => api.search(q, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: q.trim() !== '',
  });
}

/** Each view's conversations and unread ones, for the caller; kept fresh as the lists are. */
export function useViewCounts(inboxId: string, enabled = true) {
  return useQuery({ queryKey: keys.viewCounts(inboxId), queryFn: () => api.viewCounts(inboxId), enabled, refetchInterval: 60_000 });
}

/**
 * Shows a conversation's new read state at once, in the open conversation and in every cached
 * list row (the server's event then refetches lists and counts).
 */
export function showReadState(client: QueryClient, conversation: ConversationT): void {
  client.setQueryData(keys.conversation(conversation.id), conversation);
  client.setQueriesData<InfiniteData<{ items: ConversationT[] }>>({ queryKey: ['conversations'] }, (data) =>
    data?.pages
      ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map((item) => (item.id === conversation.id ? { ...item, unread: conversation.unread } : item)) })) }
      : data,
  );
}

export function useConversation(id: string | undefined) {
  return useQuery({ queryKey: keys.conversation(id ?? ''), queryFn: () => api.conversation(id!), enabled: Boolean(id) });
}

export function useMessages(conversationId: string | undefined) {
  return useQuery({
    queryKey: keys.messages(conversationId ?? ''),
    enabled: Boolean(conversationId),
    queryFn: async () => {
      // A thread is read whole: follow the cursor until the last page.
      const all = [];
      let cursor: string | undefined;
      do {
        const page = await api.messages(conversationId!, cursor);
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    },
  });
}

/**
 * Takes a conversation out of every cached list and search page at once, so a list shown before
 * the refetch lands (a deletion made here) never shows it again.
 */
export function dropFromConversationLists(client: QueryClient, conversationId: string): void {
  client.setQueriesData<InfiniteData<{ items: Array<{ id: string }> }>>({ queryKey: ['conversations'] }, (data) =>
    data?.pages ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== conversationId) })) } : data,
  );
}

/** Refetches everything that shows inboxes or conversations (after a change made here). */
export function useRefresh() {
  const client = useQueryClient();
  return {
    inboxes: () => client.invalidateQueries({ queryKey: keys.inboxes }),
    conversations: () => client.invalidateQueries({ queryKey: ['conversations'] }),
    conversation: (id: string) =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.conversation(id) }),
        client.invalidateQueries({ queryKey: keys.messages(id) }),
        client.invalidateQueries({ queryKey: ['conversations'] }),
      ]),
    users: () => client.invalidateQueries({ queryKey: keys.users }),
    teams: () => client.invalidateQueries({ queryKey: keys.teams }),
    me: () => client.invalidateQueries({ queryKey: keys.me }),
  };
}

/** Forgets every cached answer of the previous session except "me" itself (which the caller
 *  sets next): clearing the whole cache would detach the App's observer of "me". */
export function resetSessionData(client: QueryClient): void {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
}

export function useContacts(q: string) {
  return useInfiniteQuery({
    queryKey: keys.contacts(q),
    queryFn: ({ pageParam }) => api.contacts(q, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useContact(id: string | undefined) {
  return useQuery({ queryKey: keys.contact(id ?? ''), queryFn: () => api.contact(id!), enabled: Boolean(id) });
}
