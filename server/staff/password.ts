import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters; stored in every hash so they can be raised without breaking old ones. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const KEY_LEN = 32;
const SALT_LEN = 16;
const PREFIX = 'scrypt';
/** Hashes are only read from our own table, but bound the parameters anyway: a corrupted row must not exhaust memory. */
const MAX_N = 2 ** 24;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem must cover 128·N·r (Node refuses otherwise), with room for the p lanes.
  const opts: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.r * (params.N + params.p + 2) + (1 << 20) };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * At most two derivations at a time per process: each takes 128·N·r bytes (128 MiB at the
 * default) and a libuv thread, so a burst of sign-ins must queue rather than exhaust memory or
 * starve file and DNS work that shares the pool.
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await limited(() => derive(password, salt, params));
  return [PREFIX, params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

type Parsed = ScryptParams & { salt: Buffer; key: Buffer };

export function parseHash(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const ok = (x: number, max: number) => Number.isInteger(x) && x >= 1 && x <= max;
  if (!ok(N, MAX_N) || (N & (N - 1)) !== 0 || N < 2 || !ok(r, 64) || !ok(p, 16)) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || key.length !== KEY_LEN) return undefined;
  return { N, r, p, salt, key };
}

/** Constant-time comparison of the derived key; a malformed hash never verifies. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await limited(() => derive(password, parsed.salt, parsed));
  return timingSafeEqual(key, parsed.key);
}

/** True when the hash was made with weaker parameters than the current ones (rehash on next sign-in). */
export function needsRehash(stored: string, current: ScryptParams): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.N < current.N || parsed.r < current.r || parsed.p < current.p;
}

/**
 * A hash of a random password with the current parameters, verified against when the username
 * is unknown, so an unknown user costs the same time as a wrong password.
 */
export function dummyHash(params: ScryptParams): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => (cached ??= hashPassword(randomBytes(16).toString('hex'), params));
}
