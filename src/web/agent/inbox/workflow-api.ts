// The assignment/workflow/ticket calls of the agent app, with their React Query keys, so the
// actions bar, the contact panel, the bell and the settings screens refetch the same data.
import { useQuery } from '@tanstack/react-query';
import type { AutomationT, ConversationT, NotificationT, Page, PipelineT, TicketT, TimelineEntryT } from '../../../shared/api.ts';
import { request } from '../api/client.ts';

export const workflowKeys = {
  tickets: (filter: Record<string, string>) => ['tickets', filter] as const,
  follow: (conversationId: string) => ['follow', conversationId] as const,
  pipelines: ['pipelines'] as const,
  automation: (inboxId: string) => ['automation', inboxId] as const,
  timeline: (contactId: string) => ['timeline', contactId] as const,
  notifications: ['notifications'] as const,
  unread: ['notifications', 'unread'] as const,
};

const enc = encodeURIComponent;

export const workflow = {
  assign: (id: string, assigneeId: string | null) => request<ConversationT>('POST', `/conversations/${enc(id)}/assign`, { assigneeId }),
  close: (id: string) => request<ConversationT>('POST', `/conversations/${enc(id)}/close`, {}),
  reopen: (id: string) => request<ConversationT>('POST', `/conversations/${enc(id)}/reopen`, {}),
  snooze: (id: string, until: Date) => request<ConversationT>('POST', `/conversations/${enc(id)}/snooze`, { until: until.toISOString() }),
  move: (id: string, inboxId: string) => request<ConversationT>('POST', `/conversations/${enc(id)}/move`, { inboxId }),
  remove: (id: string) => request<void>('DELETE', `/conversations/${enc(id)}`),
  follow: (id: string, on: boolean) => request<{ following: boolean; followerIds: string[] }>(on ? 'PUT' : 'DELETE', `/conversations/${enc(id)}/follow`),
  following: (id: string) => request<{ following: boolean; followerIds: string[] }>('GET', `/conversations/${enc(id)}/follow`),
  tickets: (filter: Record<string, string>) => request<Page<TicketT>>('GET', `/tickets?${new URLSearchParams({ limit: '50', ...filter }).toString()}`),
  createTicket: (conversationId: string) => request<TicketT>('POST', '/tickets', { conversationId }),
  updateTicket: (id: string, patch: { stageId?: string; priority?: TicketT['priority']; ownerId?: string | null }) => request<TicketT>('PATCH', `/tickets/${enc(id)}`, patch),
  pipelines: () => request<{ items: PipelineT[] }>('GET', '/pipelines'),
  automation: (inboxId: string) => request<AutomationT>('GET', `/inboxes/${enc(inboxId)}/automation`),
  saveAutomation: (inboxId: string, body: Omit<AutomationT, 'inboxId'>) => request<AutomationT>('PUT', `/inboxes/${enc(inboxId)}/automation`, body),
  timeline: (contactId: string) => request<Page<TimelineEntryT>>('GET', `/contacts/${enc(contactId)}/timeline?limit=20`),
  notifications: () => request<Page<NotificationT>>('GET', '/notifications?limit=20'),
  unreadCount: () => request<{ count: number }>('GET', '/notifications/unread-count'),
  markRead: (id: string) => request<NotificationT>('POST', `/notifications/${enc(id)}/read`, {}),
  markAllRead: () => request<{ count: number }>('POST', '/notifications/read-all', {}),
};

export function usePipelines() {
  return useQuery({ queryKey: workflowKeys.pipelines, queryFn: async () => (await workflow.pipelines()).items, staleTime: 60_000 });
}

export function useTickets(filter: Record<string, string>, enabled = true) {
  return useQuery({ queryKey: workflowKeys.tickets(filter), queryFn: async () => (await workflow.tickets(filter)).items, enabled });
}
