// A new or renamed file survives a crash only once its directory entry is on disk too: fsync the
// directory after the file (blobs, spool files).
import fsp from 'node:fs/promises';

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
