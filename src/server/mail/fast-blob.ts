// postal-mime joins each decoded MIME part by building a Blob from one chunk per line and reading
// it back (`new Blob(lines).arrayBuffer()`). Node 20 reads a many-part Blob one part at a time
// through promises: about 0.5 s for a 1.5 MB plain-text body, most of the parse. The parse worker
// installs this Blob, which joins the parts into one buffer up front; behaviour is otherwise the
// native Blob's.

const encoder = new TextEncoder();
/** postal-mime adds a "\n" part after every line. */
const NEWLINE = encoder.encode('\n');

function toBytes(part: unknown): Uint8Array {
  if (part === '\n') return NEWLINE;
  if (typeof part === 'string') return encoder.encode(part);
  if (part instanceof Uint8Array) return part;
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  return encoder.encode(String(part));
}

/** Replaces globalThis.Blob in this thread with a single-part Blob. Idempotent. */
export function installFastBlob(): void {
  const Native = globalThis.Blob as typeof Blob & { parleyFast?: boolean };
  if (Native.parleyFast) return;
  class SinglePartBlob extends Native {
    static override parleyFast = true;
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      // Native Blobs (and our own) stay parts as they are: they are already one piece each.
      const joined = parts && parts.length > 1 && !parts.some((p) => p instanceof Native) ? [Buffer.concat(parts.map(toBytes))] : parts;
      super(joined, options);
    }
  }
  globalThis.Blob = SinglePartBlob;
}
