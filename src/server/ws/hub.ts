// The agents' socket hub. Each socket belongs to one user; after `subscribe` it gets, in order,
// every event of the user's account from its cursor that the user may see (events with an inbox
// are checked against core/inbox-access, account-wide ones go to everyone in the account).
// The bus only says "account X has new events"; the hub reads the journal itself, so a lost or
// duplicated notice costs a query, never an event, and a reconnecting client resyncs from its
// last seq. Transport-free: a Subscriber is anything that can `send` a string and `close`.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { Bus } from '../bus/bus.ts';
import { inboxRights } from '../core/inbox-access.ts';
import type { InboxRight } from '../core/policies.ts';
import { READ_EVENTS } from '../core/conversation-reads.ts';

/** What the server sends. `seq` is the client's cursor: resubscribe with `after: seq`. */
export type ServerMessage =
  | { type: 'event'; seq: number; event: { type: string; inboxId: string | null; data: unknown; createdAt: string } }
  | { type: 'subscribed'; seq: number }
  | { type: 'pong' }
  | { type: 'error'; error: { code: string; message: string } };

export interface Subscriber {
  send(message: string): void;
  close(code: number, reason: string): void;
}

const BATCH = 500;

interface Client {
  userId: string;
  accountId: string;
  socket: Subscriber;
  /** Last seq considered (sent or filtered out); null until the client subscribes. */
  cursor: number | null;
  pumping: boolean;
  again: boolean;
  closed: boolean;
}

export interface SocketHub {
  /** Registers an authenticated socket; returns the handlers for its messages and its close. */
  connect(user: Pick<Row<'users'>, 'id' | 'account_id'>, socket: Subscriber): { subscribe(after: number | undefined): Promise<void>; ping(): void; disconnect(): void };
  close(): void;
  /** Open sockets, for tests and metrics. */
  size(): number;
}

export function createSocketHub(db: Kysely<Database>, bus: Bus, log: { warn(obj: object, msg: string): void }): SocketHub {
  const byAccount = new Map<string, Set<Client>>();

  const send = (client: Client, message: ServerMessage) => {
    if (!client.closed) client.socket.send(JSON.stringify(message));
  };

  /** Sends the client everything after its cursor that it may see; one pump at a time per client. */
  async function pump(client: Client): Promise<void> {
    if (client.cursor === null || client.closed) return;
    if (client.pumping) {
      client.again = true;
      return;
    }
    client.pumping = true;
    try {
      do {
        client.again = false;
        // The user is re-read on every pump: a role change, a deactivation or a new team
        // membership takes effect on the next event, with no cache to invalidate.
        const user = await db.selectFrom('users').select(['id', 'account_id', 'role', 'deactivated_at']).where('id', '=', client.userId).executeTakeFirst();
        if (!user || user.deactivated_at !== null) {
          client.socket.close(4401, 'user deactivated');
          drop(client);
          return;
        }
        let rights: Map<string, InboxRight> | undefined;
        for (;;) {
          const rows = await db
            .selectFrom('events')
            .select(['seq', 'type', 'inbox_id', 'payload', 'created_at'])
            .where('account_id', '=', client.accountId)
            .where('seq', '>', client.cursor)
            .orderBy('seq')
            .limit(BATCH)
            .execute();
          if (rows.length === 0 || client.closed) break;
          // Rights are loaded once per batch and again after any event that may change them.
          for (const row of rows) {
            if (isPersonal(row.type)) {
              // One user's own (a notification): theirs alone, whoever else sees the inbox.
              const message = eventMessage(row);
              if (addresseeOf(message.event) === user.id) send(client, message);
            } else if (row.inbox_id !== null) {
              rights ??= await inboxRights(db, user);
              if (rights.has(row.inbox_id)) send(client, eventMessage(row));
            } else {
              send(client, eventMessage(row));
            }
            client.cursor = Number(row.seq);
            if (changesAccess(row.type)) rights = undefined;
          }
          if (rows.length < BATCH) break;
        }
      } while (client.again && !client.closed);
    } catch (err) {
      // A store hiccup: the next notice (or a reconnect from the client's seq) picks up from the cursor.
      log.warn({ err, userId: client.userId }, 'socket pump failed');
    } finally {
      client.pumping = false;
    }
  }

  function drop(client: Client): void {
    client.closed = true;
    const set = byAccount.get(client.accountId);
    set?.delete(client);
    if (set && set.size === 0) byAccount.delete(client.accountId);
  }

  const unsubscribe = bus.subscribe((accountId) => {
    const clients = byAccount.get(accountId);
    if (!clients) return;
    for (const client of clients) void pump(client);
  });

  return {
    connect(user, socket) {
      const client: Client = { userId: user.id, accountId: user.account_id, socket, cursor: null, pumping: false, again: false, closed: false };
      let set = byAccount.get(user.account_id);
      if (!set) byAccount.set(user.account_id, (set = new Set()));
      set.add(client);
      return {
        subscribe: async (after) => {
          if (after === undefined) {
            // No cursor: start at the head of the journal (only new events from now on).
            const head = await db.selectFrom('accounts').select('event_seq').where('id', '=', user.account_id).executeTakeFirst();
            client.cursor = Number(head?.event_seq ?? 0);
          } else {
            client.cursor = after;
          }
          // Catch up first, then confirm; events committed meanwhile arrive through the notice.
          await pump(client);
          send(client, { type: 'subscribed', seq: client.cursor });
          void pump(client);
        },
        ping: () => send(client, { type: 'pong' }),
        disconnect: () => drop(client),
      };
    },
    close() {
      unsubscribe();
      for (const set of byAccount.values()) for (const client of set) {
        client.closed = true;
        client.socket.close(1001, 'server shutting down');
      }
      byAccount.clear();
    },
    size: () => [...byAccount.values()].reduce((n, s) => n + s.size, 0),
  };
}

/**
 * Events for one user rather than for whoever may see their inbox (or account): notifications
 * are their recipient's (naming who was mentioned or assigned is theirs to know), and so is a read
 * marker (what one agent has read is nobody else's state). Told by type, so the other events'
 * payloads are parsed only for the clients they are sent to.
 */
const isPersonal = (type: string): boolean => type.startsWith('notification.') || READ_EVENTS.has(type);

/** The user a personal event is for (its data's userId), or null if it names none: then nobody's. */
function addresseeOf(event: { data: unknown }): string | null {
  const userId = (event.data as { userId?: unknown } | null)?.userId;
  return typeof userId === 'string' ? userId : null;
}

function eventMessage(row: { seq: number | string; type: string; inbox_id: string | null; payload: string; created_at: string }): Extract<ServerMessage, { type: 'event' }> {
  let data: unknown = null;
  try {
    data = JSON.parse(row.payload);
  } catch {
    data = null;
  }
  return { type: 'event', seq: Number(row.seq), event: { type: row.type, inboxId: row.inbox_id, data, createdAt: row.created_at } };
}

/** Events after which the user's inbox rights may differ (access settings, teams, roles). */
function changesAccess(type: string): boolean {
  return type.startsWith('inbox.') || type.startsWith('team.') || type.startsWith('user.');
}
