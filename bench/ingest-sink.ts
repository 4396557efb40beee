// The ingest benchmark's upper bound: an smtp-server that accepts every message and reads the
// bytes off the socket, but parses and stores nothing. Run as its own process by ingest-smtp.ts.
// Usage: tsx bench/ingest-sink.ts PORT
import { serveSink } from './sink-server.ts';

serveSink(Number(process.argv[2]), (stream, _session, callback) => {
  stream.on('data', () => {});
  stream.on('end', () => callback());
});
