// imapflow costs ~190 ms of start-up and ~25 MB of memory to load, and most installs have no
// connected mailbox yet, so it is loaded on first use rather than when the process starts.
import type { ImapFlow, ImapFlowOptions } from 'imapflow';

let library: Promise<typeof import('imapflow')> | undefined;

export async function newImapClient(options: ImapFlowOptions): Promise<ImapFlow> {
  library ??= import('imapflow');
  const { ImapFlow: Client } = await library;
  return new Client(options);
}
