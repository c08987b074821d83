import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: a code read aloud at the counter or typed from a screenshot is unambiguous. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;

export function newConfirmationCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}
