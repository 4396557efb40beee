// What one SMTP client may hold of the receiver: at most N concurrent connections from one IP
// (Postfix's smtpd_client_connection_count_limit), and time caps on a connection, because the
// idle timeout resets on every byte and a client trickling bytes would otherwise keep its slot.
// Without the per-IP limit one host could fill every maxClients slot and shut everyone else out.
//
// Sockets are tracked where they are accepted (the only place that can destroy them) and found
// again from smtp-server's session by the peer's address and port.
import net from 'node:net';
import type { Socket } from 'node:net';
import type { SMTPServerSession } from 'smtp-server';

export interface SmtpClientLimitOptions {
  maxConnectionsPerIp: number;
  /** Cap on a whole connection. */
  sessionLimitMs: number;
  /** Shorter cap on a connection that has not yet delivered a message (probes, tricklers). */
  firstMessageLimitMs: number;
}

/** One spelling per IP: IPv4-mapped IPv6 as plain IPv4, IPv6 in its canonical compressed form. */
export function canonicalIp(address: string): string {
  const a = address.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return net.isIPv6(a) ? new URL(`http://[${a}]`).hostname.slice(1, -1) : a;
}

const peerKey = (address: string, port: number) => `${canonicalIp(address)}|${port}`;

interface Tracked {
  socket: Socket;
  firstMessageTimer: NodeJS.Timeout;
}

export class SmtpClientLimits {
  private readonly perIp = new Map<string, number>();
  private readonly byPeer = new Map<string, Tracked>();
  /** Sockets accepted over their IP's limit, waiting for onConnect to answer them 421. */
  private readonly refused = new Set<string>();

  constructor(private readonly opts: SmtpClientLimitOptions) {}

  /**
   * Decides, as the socket is accepted, whether its IP has room, in accept order: the sockets of a
   * burst are admitted up to the limit and only the ones beyond it are refused (deciding later, in
   * onConnect, compared each against a count that already held the burst's later sockets). A
   * refused socket takes no slot. Arms the admitted socket's time caps.
   */
  track(socket: Socket): void {
    const ip = canonicalIp(socket.remoteAddress ?? '');
    const key = peerKey(socket.remoteAddress ?? '', socket.remotePort ?? 0);
    const open = this.perIp.get(ip) ?? 0;
    if (open >= this.opts.maxConnectionsPerIp) {
      this.refused.add(key);
      socket.once('close', () => this.refused.delete(key));
      return;
    }
    this.perIp.set(ip, open + 1);
    const sessionTimer = setTimeout(() => socket.destroy(), this.opts.sessionLimitMs).unref();
    const firstMessageTimer = setTimeout(() => socket.destroy(), this.opts.firstMessageLimitMs).unref();
    this.byPeer.set(key, { socket, firstMessageTimer });
    socket.once('close', () => {
      clearTimeout(sessionTimer);
      clearTimeout(firstMessageTimer);
      if (this.byPeer.get(key)?.socket === socket) this.byPeer.delete(key);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    });
  }

  /** False when the session's socket was accepted over its IP's limit. */
  admits(session: SMTPServerSession): boolean {
    return !this.refused.has(peerKey(session.remoteAddress, session.remotePort));
  }

  /** A message was accepted: the connection has proved itself and keeps only the whole-session cap. */
  delivered(session: SMTPServerSession): void {
    const tracked = this.byPeer.get(peerKey(session.remoteAddress, session.remotePort));
    if (tracked) clearTimeout(tracked.firstMessageTimer);
  }
}
