// Ids are made in the app, not the database: UUIDv7-style, so they sort by creation time
// (useful as a keyset tie-breaker) and can be known before the insert.
import crypto from 'node:crypto';

let lastMs = 0;
let counter = 0;

// Random bytes drawn 4 KB at a time: a draw per id cost a system call each, which sandboxed
// kernels (gVisor) make slow, on paths that make an id per message.
const pool = Buffer.alloc(4096);
let used = pool.length;
function randomBytes16(): Buffer {
  if (used + 16 > pool.length) {
    crypto.randomFillSync(pool);
    used = 0;
  }
  const bytes = Buffer.from(pool.subarray(used, used + 16));
  used += 16;
  return bytes;
}

/** RFC 9562 §6.2 method 1: a 26-bit counter, 12 bits in rand_a and 14 at the top of rand_b. */
const COUNTER_MAX = 2 ** 26 - 1;

export function newId(): string {
  const now = Date.now();
  const bytes = randomBytes16();
  // Monotonic: a new millisecond starts the counter at a random value below half its range (room
  // to count up); within one, or while the clock stands behind the last id's time, it counts on.
  // Only if it ever ran out would the time move a millisecond ahead of the clock.
  if (now > lastMs) {
    lastMs = now;
    counter = bytes.readUIntBE(12, 4) & (COUNTER_MAX >>> 1);
  } else if (++counter > COUNTER_MAX) {
    lastMs++;
    counter = 0;
  }
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >>> 22);
  bytes[7] = (counter >>> 14) & 0xff;
  bytes[8] = 0x80 | ((counter >>> 8) & 0x3f);
  bytes[9] = counter & 0xff;
  return uuidOf(bytes.toString('hex'));
}

/** 32 hex digits in the 8-4-4-4-12 form. */
function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The smallest id newId() makes in the millisecond `ms`: `id < idFloorAt(t)` selects rows made
 * before t through the primary key alone.
 */
export function idFloorAt(ms: number): string {
  return uuidOf(Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0') + '70008000000000000000');
}

/** A URL-safe secret, for tokens that are shown once and stored hashed. */
export function newSecret(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256(value: string | Buffer): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}
