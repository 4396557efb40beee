// Large inbound messages on their way to the spool: streamed to a file under DATA_DIR/spool
// during DATA instead of being held whole in memory, then fsynced (file and directory) before
// the spool row that names them is committed. A file without a row (a crash between the two, or
// after processing) is an orphan and is swept once it is old enough not to be in use.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../blobs/fsync-dir.ts';

/** Messages up to this size travel inside the spool row; larger ones go to a file. */
export const INLINE_MAX_BYTES = 128 * 1024;
/** Older than any SMTP session (30 min cap): nobody is still writing such a file. */
const ORPHAN_AGE_MS = 60 * 60_000;
const NAME_RE = /^[0-9a-f]{32}\.eml$/;

export function spoolDir(dataDir: string): string {
  return path.resolve(dataDir, 'spool');
}

export function spoolPath(dataDir: string, name: string): string {
  if (!NAME_RE.test(name)) throw new Error(`Not a spool file name: ${JSON.stringify(name)}`);
  return path.join(spoolDir(dataDir), name);
}

/**
 * Collects one message's bytes: in memory up to INLINE_MAX_BYTES, then in a spool file.
 * `write` answers false when the caller should wait for `drain` (backpressure to the socket).
 */
export class MessageSink {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private file: fs.WriteStream | null = null;
  private fd: number | null = null;
  private name: string | null = null;
  private failure: Error | null = null;
  private drainWaiter: (() => void) | null = null;
  size = 0;

  constructor(private readonly dataDir: string) {}

  write(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.failure) return true;
    if (!this.file && this.buffered + chunk.length <= INLINE_MAX_BYTES) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      return true;
    }
    if (!this.file) {
      try {
        this.openFile();
      } catch (err) {
        // Remembered and answered at the end of DATA (452 or 451), not thrown into the socket.
        this.failure = err as Error;
        this.chunks = [];
        return true;
      }
    }
    return this.file!.write(chunk);
  }

  onDrain(fn: () => void): void {
    if (!this.file || this.failure) return fn();
    this.drainWaiter = fn;
    this.file.once('drain', () => this.drained());
  }

  private drained(): void {
    const fn = this.drainWaiter;
    this.drainWaiter = null;
    fn?.();
  }

  private openFile(): void {
    const dir = spoolDir(this.dataDir);
    fs.mkdirSync(dir, { recursive: true });
    this.name = `${crypto.randomBytes(16).toString('hex')}.eml`;
    // Our own descriptor (the stream leaves it open), for the fsync after the last byte.
    this.fd = fs.openSync(path.join(dir, this.name), 'wx', 0o640);
    this.file = fs.createWriteStream('', { fd: this.fd, autoClose: false });
    this.file.on('error', (err) => {
      this.failure ??= err;
      // A failed stream never drains: let the client finish DATA, then answer 452/451.
      this.drained();
    });
    for (const c of this.chunks) this.file.write(c);
    this.chunks = [];
    this.buffered = 0;
  }

  /** The message, durable if it went to a file: either its bytes or its spool file name. */
  async finish(): Promise<{ raw: Buffer; file: null } | { raw: null; file: string }> {
    if (this.failure && !this.file) throw this.failure;
    if (!this.file) return { raw: Buffer.concat(this.chunks, this.buffered), file: null };
    const file = this.file;
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.failure) return reject(this.failure);
        file.once('error', reject);
        file.end(() => resolve());
      });
      if (this.failure) throw this.failure;
      const fd = this.fd!;
      await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
      await this.closeFd();
      await fsyncDir(spoolDir(this.dataDir));
      return { raw: null, file: this.name! };
    } catch (err) {
      await this.discard();
      throw err;
    }
  }

  /** Drops what was collected (message refused or failed). */
  async discard(): Promise<void> {
    this.chunks = [];
    if (!this.file) return;
    this.file.destroy();
    await this.closeFd();
    await fsp.rm(path.join(spoolDir(this.dataDir), this.name!), { force: true });
  }

  private async closeFd(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return;
    this.fd = null;
    await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }
}

/** Deletes spool files no row refers to and old enough not to be in the middle of a DATA. */
export async function sweepOrphans(dataDir: string, referenced: Set<string>, now = Date.now()): Promise<number> {
  const dir = spoolDir(dataDir);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!NAME_RE.test(name) || referenced.has(name)) continue;
    const st = await fsp.stat(path.join(dir, name)).catch(() => null);
    if (!st || now - st.mtimeMs < ORPHAN_AGE_MS) continue;
    await fsp.rm(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
