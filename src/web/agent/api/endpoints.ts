// Typed calls for each API endpoint the agent app uses. Types come from src/shared/api.ts as
// type-only imports, so zod never reaches the browser bundle.
import type { AccountT, ChannelT, ContactT, ConversationT, InboxT, MeT, MessageT, Page, SearchResultT, TeamT, UserT, ViewCountsT } from '../../../shared/api.ts';
import { request } from './client.ts';

export type Plan = AccountT['plan'];
export type ConversationStatus = ConversationT['status'];

export interface SignupInput {
  accountName: string;
  subdomain: string;
  plan: Plan;
  firstName?: string;
  lastName?: string;
  email: string;
  password: string;
}

export interface SignupResult {
  account: AccountT;
  user: UserT;
  inbox: InboxT;
  csrfToken: string;
}

export interface ConversationFilter {
  inboxId?: string;
  status?: ConversationStatus;
  assigneeId?: 'me' | 'unassigned' | string;
  contactId?: string;
  limit?: number;
  cursor?: string;
}

export interface CreateInboxInput {
  name: string;
  access: InboxT['access'];
  userIds: string[];
  teamIds: string[];
}

/** A connected team mailbox's settings as the API shows them (never the passwords). */
export interface MailServerShown {
  host: string;
  port: number;
  tls: boolean;
  user: string;
}
export interface EmailConnection {
  teamAddress: string;
  imap: MailServerShown;
  smtp: MailServerShown | null;
}
export type MailServerEdit = MailServerShown & { password?: string };

export interface ChannelPatch {
  name?: string;
  enabled?: boolean;
  email?: Partial<
    Pick<
      NonNullable<ChannelT['email']>,
      | 'useForSending'
      | 'fromNameMode'
      | 'companyName'
      | 'fromAddressMode'
      | 'customFromAddress'
      | 'signatureEnabled'
      | 'signatureMode'
      | 'signatureHtml'
      | 'originalSenderOfForwards'
    >
  >;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  me: () => request<MeT>('GET', '/me'),
  login: (email: string, password: string) => request<MeT>('POST', '/auth/login', { email, password }),
  signup: (input: SignupInput) => request<SignupResult>('POST', '/signup', input),
  logout: () => request<void>('POST', '/auth/logout'),

  inboxes: () => request<Page<InboxT>>('GET', '/inboxes'),
  inbox: (id: string) => request<InboxT>('GET', `/inboxes/${encodeURIComponent(id)}`),
  renameInbox: (id: string, name: string) => request<InboxT>('PATCH', `/inboxes/${encodeURIComponent(id)}`, { name }),
  createInbox: (input: CreateInboxInput) => request<InboxT>('POST', '/inboxes', input),
  updateChannel: (id: string, patch: ChannelPatch) => request<ChannelT>('PATCH', `/channels/${encodeURIComponent(id)}`, patch),
  emailConnection: (id: string) => request<EmailConnection>('GET', `/channels/${encodeURIComponent(id)}/connection`),
  updateEmailConnection: (id: string, edit: { imap: MailServerEdit; smtp: MailServerEdit | null }) =>
    request<EmailConnection>('PUT', `/channels/${encodeURIComponent(id)}/connection`, edit),
  verifyTeamAddress: (id: string) => request<{ address: string; expiresAt: string }>('POST', `/channels/${encodeURIComponent(id)}/verify-team-address`, {}),
  disconnectChannel: (id: string) => request<{ movedConversations: number }>('DELETE', `/channels/${encodeURIComponent(id)}`),

  users: () => request<Page<UserT>>('GET', '/users?limit=200'),
  teams: () => request<Page<TeamT>>('GET', '/teams'),

  conversations: (filter: ConversationFilter) => request<Page<ConversationT>>('GET', `/conversations${query({ ...filter })}`),
  conversation: (id: string) => request<ConversationT>('GET', `/conversations/${encodeURIComponent(id)}`),
  viewCounts: (inboxId: string) => request<ViewCountsT>('GET', `/conversations/counts${query({ inboxId })}`),
  /** Read up to the newest customer message the agent was shown (mail that arrived since stays unread); without one, all of it. */
  markRead: (id: string, upToMessageId?: string) => request<ConversationT>('POST', `/conversations/${encodeURIComponent(id)}/read`, upToMessageId ? { upToMessageId } : {}),
  markUnread: (id: string) => request<ConversationT>('POST', `/conversations/${encodeURIComponent(id)}/unread`, {}),
  contacts: (q: string, cursor?: string) => request<Page<ContactT>>('GET', `/contacts${query({ q: q || undefined, limit: 50, cursor })}`),
  contact: (id: string) => request<ContactT>('GET', `/contacts/${encodeURIComponent(id)}`),
  createContact: (input: { email: string; name?: string; ownerId?: string | null }) => request<ContactT>('POST', '/contacts', input),
  updateContact: (id: string, edit: { name?: string; ownerId?: string | null }) => request<ContactT>('PATCH', `/contacts/${encodeURIComponent(id)}`, edit),
  search: (q: string, cursor?: string) => request<Page<SearchResultT>>('GET', `/search${query({ q, limit: 50, cursor })}`),
  messages: (conversationId: string, cursor?: string) =>
    request<Page<MessageT>>('GET', `/conversations/${encodeURIComponent(conversationId)}/messages${query({ limit: 200, cursor })}`),
};
