// A WebSocket test client for /api/v1/ws: collects every message and waits for the ones a test
// expects, so tests assert on what arrived (and in which order), never on timing.
import WebSocket from 'ws';

export interface SocketMessage {
  type: string;
  seq?: number;
  event?: { type: string; inboxId: string | null; data: Record<string, unknown>; createdAt: string };
  error?: { code: string; message: string };
}

export interface TestSocket {
  messages: SocketMessage[];
  events(): SocketMessage[];
  send(value: unknown): void;
  waitFor(pred: (m: SocketMessage) => boolean, what?: string, timeoutMs?: number): Promise<SocketMessage>;
  subscribe(after?: number): Promise<SocketMessage>;
  close(): Promise<void>;
}

/** Opens a socket; rejects with the HTTP status when the handshake is refused. */
export function openSocket(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: SocketMessage[] = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (data) => {
      messages.push(JSON.parse(String(data)) as SocketMessage);
      for (const w of waiters.splice(0)) w();
    });
    ws.on('close', () => {
      for (const w of waiters.splice(0)) w();
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      // With this listener ws leaves the request to us: destroy it, or the connection stays open.
      res.on('end', () => req.destroy());
      res.on('end', () => reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
    ws.once('open', () => {
      const socket: TestSocket = {
        messages,
        events: () => messages.filter((m) => m.type === 'event'),
        send: (value) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
        waitFor: (pred, what = 'message', timeoutMs = 10_000) =>
          new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no ${what} arrived; got ${JSON.stringify(messages.map((m) => m.event?.type ?? m.type))}`)), timeoutMs);
            const check = () => {
              const found = messages.find(pred);
              if (found) {
                clearTimeout(timer);
                res(found);
              } else if (ws.readyState === WebSocket.CLOSED) {
                clearTimeout(timer);
                rej(new Error(`socket closed before ${what} arrived`));
              } else waiters.push(check);
            };
            check();
          }),
        subscribe: (after) => {
          ws.send(JSON.stringify(after === undefined ? { type: 'subscribe' } : { type: 'subscribe', after }));
          return socket.waitFor((m) => m.type === 'subscribed', 'subscribed');
        },
        close: () =>
          new Promise((res) => {
            if (ws.readyState === WebSocket.CLOSED) return res();
            ws.once('close', () => res());
            ws.close();
          }),
      };
      resolve(socket);
    });
  });
}
