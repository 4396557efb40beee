// Notices a live socket that died without a close. A proxy or NAT that drops a connection tells
// neither end, so the socket stays "open" and the app would wait for events that never come.
// While it is open we ping (the server answers {"type":"pong"}, ws/hub.ts); anything the server
// sends proves it alive, and silence for a while after a ping means the connection is gone.

export interface HeartbeatTiming {
  /** How often to ping. */
  everyMs: number;
  /** How long a ping may go unanswered, by its pong or any other message. */
  silentAfterMs: number;
}

/** Under the usual 60-second idle timeouts of proxies (nginx, AWS ALB), which the pings also keep at bay. */
export const HEARTBEAT: HeartbeatTiming = { everyMs: 25_000, silentAfterMs: 10_000 };

export interface Heartbeat {
  /** The server sent something: the connection is alive. */
  heard(): void;
  stop(): void;
}

/** Calls `ping` every `everyMs`, and `onSilent` (once, then stops) when nothing is heard in time. */
export function startHeartbeat(ping: () => void, onSilent: () => void, timing: HeartbeatTiming = HEARTBEAT): Heartbeat {
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const pinger = setInterval(() => {
    ping();
    // Still waiting on an earlier ping: its deadline stands.
    deadline ??= setTimeout(() => {
      stop();
      onSilent();
    }, timing.silentAfterMs);
  }, timing.everyMs);
  const stop = () => {
    clearInterval(pinger);
    clearTimeout(deadline);
  };
  return {
    heard: () => {
      clearTimeout(deadline);
      deadline = undefined;
    },
    stop,
  };
}
