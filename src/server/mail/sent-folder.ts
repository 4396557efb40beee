// Saves a reply sent through a connected team mailbox into that mailbox's Sent folder over IMAP
// (imapflow), so the team's own mail client shows it too. The folder is the one marked \Sent
// (RFC 6154 special-use); a server without one gets nothing appended. Best effort: the email is
// already sent when this runs, so a failure here is logged, never retried into a second send.
import { ImapFlow } from 'imapflow';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Row } from '../db/schema.ts';
import { openJson, secretKey } from '../core/secrets.ts';
import { resolveMailHost } from './mail-host.ts';

const MailServer = z.object({ host: z.string(), port: z.number(), tls: z.boolean(), user: z.string(), password: z.string() });

/** Returns the folder appended to, or null when the server has no Sent folder. */
export async function appendToSent(deps: Deps, email: Row<'email_channel_settings'>, raw: Buffer): Promise<string | null> {
  if (!email.imap_config) return null;
  const server = MailServer.parse(openJson(secretKey({ secretKey: deps.config.secretKey, dataDir: deps.config.dataDir }), email.imap_config));
  const resolved = await resolveMailHost(server.host, { allowPrivate: deps.config.allowPrivateMailHosts, label: 'IMAP', field: 'imap.host' });
  const client = new ImapFlow({
    host: resolved.address,
    servername: resolved.host,
    port: server.port,
    secure: server.tls,
    auth: { user: server.user, pass: server.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  client.on('error', () => {}); // surfaced through the rejected promises below
  await client.connect();
  try {
    const boxes = await client.list();
    const sent = boxes.find((b) => b.specialUse === '\\Sent');
    if (!sent) return null;
    await client.append(sent.path, raw, ['\\Seen']);
    return sent.path;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
