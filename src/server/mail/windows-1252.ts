// Node 20's TextDecoder('windows-1252') (and the latin1/iso-8859-1/ascii labels, which WHATWG
// maps to windows-1252) drops the bytes 0x80–0x9F instead of decoding them to €, “, ”, – and
// friends (nodejs/node#56542). postal-mime decodes charsets through TextDecoder, so the parse
// worker installs this corrected TextDecoder before parsing.

const HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

function hasC1Bytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xe0) === 0x80) return true;
  return false;
}

export function decodeWindows1252(bytes: Uint8Array): string {
  // Without 0x80–0x9F the mapping is Latin-1's, which Buffer decodes natively (plain ASCII mail).
  if (!hasC1Bytes(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let out = '';
  const CHUNK = 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const codes: number[] = [];
    const end = Math.min(bytes.length, start + CHUNK);
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      codes.push(b >= 0x80 && b < 0xa0 ? HIGH[b - 0x80]! : b);
    }
    out += String.fromCharCode(...codes);
  }
  return out;
}

function toBytes(input: unknown): Uint8Array {
  if (input === undefined || input === null) return new Uint8Array(0);
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return new Uint8Array(0);
}

/** Replaces globalThis.TextDecoder with one that decodes windows-1252 correctly. Idempotent. */
export function installWindows1252Fix(): void {
  const Native = globalThis.TextDecoder as typeof TextDecoder & { parleyFixed?: boolean };
  if (Native.parleyFixed) return;
  class FixedTextDecoder extends Native {
    static override parleyFixed = true;
    override decode(input?: Parameters<TextDecoder['decode']>[0], options?: TextDecodeOptions): string {
      if (this.encoding === 'windows-1252') return decodeWindows1252(toBytes(input));
      return super.decode(input, options);
    }
  }
  globalThis.TextDecoder = FixedTextDecoder;
}
