// What the ingest benchmark's two smtp-server baselines share (ingest-sink.ts, ingest-durable-sink.ts):
// the same server options as each other, listening on loopback, "ready" on stdout once it
// listens, and a clean stop on SIGTERM. They differ only in what they do with each message.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export function serveSink(port: number, onData: NonNullable<SMTPServerOptions['onData']>): SMTPServer {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: 64 * 1024 * 1024,
    maxClients: 1000,
    logger: false,
    // As Parley: the client's host name is never used, so no reverse lookup per connection.
    disableReverseLookup: true,
    onData,
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  return server;
}
