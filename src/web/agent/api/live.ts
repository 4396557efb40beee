// Live updates: one socket to /api/v1/ws per signed-in tab. The server pushes only events this
// user may see; we don't apply them ourselves, we tell React Query which lists are stale, so
// the same fetch paths serve both first load and updates. On reconnect we resubscribe from the
// last seq seen, so nothing committed while the socket was down is missed. A socket that dies
// without a close is noticed by its heartbeat (heartbeat.ts) and reconnected the same way.
import { useEffect } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { checkServer, startWitness } from './connection.ts';
import { startHeartbeat, type Heartbeat } from './heartbeat.ts';

type ServerMessage =
  | { type: 'event'; seq: number; event: { type: string; inboxId: string | null; data: Record<string, unknown> } }
  | { type: 'subscribed'; seq: number }
  | { type: 'pong' }
  | { type: 'error'; error: { code: string; message: string } };

/** Which cached queries an event makes stale (query keys are prefixes). */
function staleKeys(type: string, data: Record<string, unknown>): unknown[][] {
  const conversationId = typeof data.conversationId === 'string' ? data.conversationId : undefined;
  // A deletion also takes the conversation's ticket, timeline lines and notifications with it.
  if (type === 'conversation.deleted') return [['conversations'], ['tickets'], ['timeline'], ['notifications'], ...(conversationId ? [['conversation', conversationId], ['messages', conversationId]] : [])];
  // The user's own read marker (another tab of theirs): lists, counts and the flag, not the thread.
  if (type === 'conversation.read' || type === 'conversation.unread') return [['conversations'], ...(conversationId ? [['conversation', conversationId]] : [])];
  if (type.startsWith('message.') || type.startsWith('conversation.')) {
    return [['conversations'], ...(conversationId ? [['conversation', conversationId], ['messages', conversationId], ['follow', conversationId]] : [])];
  }
  if (type.startsWith('ticket.')) return [['tickets'], ['timeline']];
  if (type.startsWith('notification.')) return [['notifications']];
  if (type.startsWith('pipeline.')) return [['pipelines']];
  // Conversations embed their contact's name and owner.
  if (type.startsWith('contact.')) return [['timeline'], ['contacts'], ['contact'], ['conversations'], ['conversation']];
  if (type.startsWith('inbox.') || type.startsWith('channel.')) return [['inboxes'], ['automation']];
  if (type.startsWith('user.') || type.startsWith('team.')) return [['users'], ['teams'], ['inboxes']];
  return [];
}

export function applyEvent(client: QueryClient, type: string, data: Record<string, unknown>): void {
  for (const queryKey of staleKeys(type, data)) void client.invalidateQueries({ queryKey });
}

export function useLiveUpdates(enabled: boolean): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | null = null;
    let lastSeq: number | undefined;
    let retry = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const connect = () => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws`;
      const ws = new WebSocket(url);
      socket = ws;
      let opened = false;
      let heartbeat: Heartbeat | undefined;
      const lost = () => {
        heartbeat?.stop();
        socket = null;
        if (stopped) return;
        // A reconnect that never opened: is the server gone (the banner says so) or only the socket?
        if (!opened) void checkServer();
        // Back off 1 s, 2 s, 4 s … up to 30 s; the fallback polling keeps lists fresh meanwhile.
        retry++;
        timer = setTimeout(connect, Math.min(30_000, 1000 * 2 ** Math.min(retry - 1, 5)));
      };
      // Gone silent (heartbeat.ts): close it, but reconnect now rather than on its close event,
      // which on a dead connection comes only once the browser gives up on the closing handshake.
      const silent = () => {
        ws.onclose = null;
        ws.onmessage = null;
        ws.close();
        lost();
      };
      ws.onopen = () => {
        opened = true;
        heartbeat = startHeartbeat(() => ws.send(JSON.stringify({ type: 'ping' })), silent);
        ws.send(JSON.stringify(lastSeq === undefined ? { type: 'subscribe' } : { type: 'subscribe', after: lastSeq }));
      };
      ws.onmessage = (message) => {
        heartbeat?.heard();
        let parsed: ServerMessage;
        try {
          parsed = JSON.parse(String(message.data)) as ServerMessage;
        } catch {
          return;
        }
        if (parsed.type === 'subscribed') {
          startWitness()(true);
          // Anything may have changed while we were away: refresh what is on screen once.
          if (retry > 0 || lastSeq === undefined) void client.invalidateQueries({ queryKey: ['conversations'] });
          lastSeq = parsed.seq;
          retry = 0;
        } else if (parsed.type === 'event') {
          lastSeq = parsed.seq;
          applyEvent(client, parsed.event.type, parsed.event.data ?? {});
        }
      };
      ws.onclose = lost;
    };
    // Back online: reconnect now rather than at the end of a backoff of up to 30 s.
    const reconnectNow = () => {
      if (socket || stopped) return;
      clearTimeout(timer);
      connect();
    };
    window.addEventListener('online', reconnectNow);
    connect();
    return () => {
      stopped = true;
      window.removeEventListener('online', reconnectNow);
      if (timer) clearTimeout(timer);
      socket?.close();
    };
  }, [enabled, client]);
}
