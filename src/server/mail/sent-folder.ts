// Saves a reply sent through a connected team mailbox into that mailbox's Sent folder over IMAP
// (imapflow), so the team's own mail client shows it too. The folder is the one marked \Sent
// (RFC 6154 special-use), else one with a conventional name (Sent, Sent Items, …); a server with
// neither gets nothing appended. Best effort: the email is
// already sent when this runs, so a failure here is logged, never retried into a second send.
import { newImapClient } from './imap-client.ts';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Row } from '../db/schema.ts';
import { openJson, secretKey } from '../core/secrets.ts';
import { resolveMailHost } from './mail-host.ts';

const SENT_NAMES = new Set(['sent', 'sent items', 'sent messages', 'sent mail', 'inbox.sent', '[gmail]/sent mail']);

const MailServer = z.object({ host: z.string(), port: z.number(), tls: z.boolean(), user: z.string(), password: z.string() });

/** Returns the folder appended to, or null when the server has no Sent folder. */
export async function appendToSent(deps: Deps, email: Row<'email_channel_settings'>, raw: Buffer): Promise<string | null> {
  if (!email.imap_config) return null;
  const server = MailServer.parse(openJson(secretKey({ secretKey: deps.config.secretKey, dataDir: deps.config.dataDir }), email.imap_config));
  const resolved = await resolveMailHost(server.host, { allowPrivate: deps.config.allowPrivateMailHosts, label: 'IMAP', field: 'imap.host' });
  const client = await newImapClient({
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
    // RFC 6154's \Sent first; servers without special-use get the conventional names.
    const sent = boxes.find((b) => b.specialUse === '\\Sent') ?? boxes.find((b) => SENT_NAMES.has(b.path.toLowerCase()));
    if (!sent) return null;
    await client.append(sent.path, raw, ['\\Seen']);
    return sent.path;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
