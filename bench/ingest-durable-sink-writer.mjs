// Writer thread of ingest-durable-sink.ts: appends every message that reached it, fdatasyncs once,
// then answers each. In: { seq, bytes }. Out: seq, once its bytes are on disk.
import fs from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

const fd = fs.openSync(workerData, 'a');
parentPort.on('message', (first) => {
  const group = [first];
  for (let next; (next = receiveMessageOnPort(parentPort)); ) group.push(next.message);
  fs.writeSync(fd, Buffer.concat(group.map(({ bytes }) => bytes)));
  fs.fdatasyncSync(fd);
  for (const { seq } of group) parentPort.postMessage(seq);
});
