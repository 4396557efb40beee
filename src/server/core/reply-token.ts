// The per-conversation reply token we put in Reply-To (`<local>+c_<token>@<domain>`): the
// strongest threading key. Lower-case letters and digits only, because some relays lower-case
// local parts; 16 characters from 36 give about 82 bits, too many to guess.
import crypto from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newReplyToken(length = 16): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[crypto.randomInt(0, ALPHABET.length)];
  return out;
}
