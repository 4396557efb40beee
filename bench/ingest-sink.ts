// The ingest benchmark's upper bound: an smtp-server that accepts every message and reads the
// bytes off the socket, but parses and stores nothing. Run as its own process by ingest-smtp.ts.
// Usage: tsx bench/ingest-sink.ts PORT
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2]);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  size: 64 * 1024 * 1024,
  maxClients: 1000,
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => callback());
  },
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
