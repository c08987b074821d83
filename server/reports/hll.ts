import { createHash } from 'node:crypto';

/**
 * Sketches of citizen sets (docs/evaluation.md §11), one per dimension and day, HLL++-style in two
 * forms:
 * - SPARSE: the sorted set of 64-bit hashes of the citizens' pseudonyms (first 8 bytes of their
 *   MD5). Exact: its size is the count. Stored as a version byte + 8 bytes per hash, at most
 *   SPARSE_CAP hashes (4001 bytes, never more than a dense row). In memory a union of sparse
 *   sketches stays sparse however large it gets, so a range whose every day row is sparse is
 *   counted exactly.
 * - DENSE: a HyperLogLog of 4096 one-byte registers (stored as exactly 4096 bytes, so rows written
 *   before the sparse form still read). Used once a day has more than SPARSE_CAP citizens in a
 *   dimension, and for any union that includes such a day; the union is the register-wise maximum.
 *   Standard error 1.04/√4096 ≈ 1.6 % (measured: 1.3–1.8 % at 200 000, 0.75 % at 10 000).
 * The register index and rank come from the same 64-bit hash, so turning a sparse sketch dense
 * gives the registers that adding its keys directly would have. Sketches only ever hold a hash,
 * never a pseudonym; merging is order-independent and toBuffer is canonical (sparse exactly when
 * the set fits the cap), so incremental runs and a rebuild store identical bytes.
 */

export const HLL_P = 12;
export const HLL_M = 1 << HLL_P;
/** Most hashes a stored sparse sketch holds (1 + 8 × 500 = 4001 bytes < 4096). */
export const SPARSE_CAP = 500;
/** First byte of a stored sparse sketch; a dense one has no header and is exactly HLL_M bytes. */
const SPARSE_VERSION = 1;

export class Sketch {
  /** Sorted distinct hashes while sparse; null once dense. */
  hashes: bigint[] | null = [];
  /** The HyperLogLog registers once dense; null while sparse. */
  registers: Uint8Array | null = null;

  get dense(): boolean {
    return this.registers !== null;
  }
}

/** The 64-bit hash of a citizen pseudonym (hashed: test and bench keys are not random). */
export function citizenHash(key: string): bigint {
  return createHash('md5').update(key).digest().readBigUInt64BE(0);
}

const MASK32 = 0xffffffffn;

/** Register index (top HLL_P bits) and rank of a 64-bit hash. */
export function hashPoint(hash: bigint): [index: number, rank: number] {
  const hi = Number(hash >> 32n);
  const lo = Number(hash & MASK32);
  const index = hi >>> (32 - HLL_P);
  // The 52 bits after the index: rank = position of the first 1 bit (1-based), at most 53.
  const rest = ((hi << HLL_P) >>> 0) >>> HLL_P; // low 20 bits of hi
  if (rest !== 0) return [index, Math.clz32(rest) - HLL_P + 1];
  return [index, 20 + 1 + (lo === 0 ? 32 : Math.clz32(lo))];
}

/** Register index and rank of a citizen pseudonym. */
export const hllPoint = (key: string) => hashPoint(citizenHash(key));

export function emptySketch(kind: 'sparse' | 'dense' = 'sparse'): Sketch {
  const s = new Sketch();
  if (kind === 'dense') {
    s.hashes = null;
    s.registers = new Uint8Array(HLL_M);
  }
  return s;
}

function addHashToRegisters(registers: Uint8Array, hash: bigint): void {
  const [i, r] = hashPoint(hash);
  if (r > registers[i]!) registers[i] = r;
}

function registersOf(hashes: readonly bigint[]): Uint8Array {
  const registers = new Uint8Array(HLL_M);
  for (const h of hashes) addHashToRegisters(registers, h);
  return registers;
}

function makeDense(s: Sketch): Uint8Array {
  if (!s.registers) {
    s.registers = registersOf(s.hashes!);
    s.hashes = null;
  }
  return s.registers;
}

/** Adds a citizen; a sparse sketch that grows past SPARSE_CAP turns dense. */
export function addToSketch(s: Sketch, key: string): void {
  const h = citizenHash(key);
  if (s.registers) return addHashToRegisters(s.registers, h);
  const hashes = s.hashes!;
  let lo = 0;
  let hi = hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hashes[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  if (hashes[lo] === h) return;
  hashes.splice(lo, 0, h);
  if (hashes.length > SPARSE_CAP) makeDense(s);
}

/** Sorted union of two sorted distinct lists. */
function union(a: readonly bigint[], b: readonly bigint[]): bigint[] {
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) (out.push(x), i++);
    else if (y < x) (out.push(y), j++);
    else (out.push(x), i++, j++);
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/**
 * `into` becomes the union of both. Two sparse sketches give an exact sparse union with no cap
 * (the cap only applies to stored rows); if either is dense, the result is dense.
 */
export function mergeSketch(into: Sketch, other: Sketch): void {
  if (other.registers) {
    const r = makeDense(into);
    const o = other.registers;
    for (let i = 0; i < HLL_M; i++) if (o[i]! > r[i]!) r[i] = o[i]!;
  } else if (into.registers) {
    for (const h of other.hashes!) addHashToRegisters(into.registers, h);
  } else {
    into.hashes = union(into.hashes!, other.hashes!);
  }
}

/** Bits of the hash after the register index; a rank is 1..Q+1. */
const Q = 52;

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const before = z;
    z += x * y;
    y += y;
    if (z === before) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const before = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === before) return z / 3;
  }
}

/**
 * The number of distinct citizens: exact for a sparse sketch; for a dense one Ertl's improved
 * estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), unbiased
 * from empty to huge sets without the empirical bias tables of HLL++.
 */
export function estimate(s: Sketch): number {
  if (!s.registers) return s.hashes!.length;
  const registers = s.registers;
  const counts = new Array<number>(Q + 2).fill(0);
  for (let i = 0; i < HLL_M; i++) counts[Math.min(registers[i]!, Q + 1)]!++;
  let z = HLL_M * tau(1 - counts[Q + 1]! / HLL_M);
  for (let k = Q; k >= 1; k--) z = 0.5 * (z + counts[k]!);
  z += HLL_M * sigma(counts[0]! / HLL_M);
  if (!Number.isFinite(z)) return 0; // an empty sketch
  return Math.round((HLL_M * HLL_M) / (2 * Math.LN2) / z);
}

/** Stored form: sparse when the set fits SPARSE_CAP, else the 4096 registers (canonical either way). */
export function toBuffer(s: Sketch): Buffer {
  if (s.registers) return Buffer.from(s.registers);
  const hashes = s.hashes!;
  if (hashes.length > SPARSE_CAP) return Buffer.from(registersOf(hashes));
  const b = Buffer.alloc(1 + 8 * hashes.length);
  b[0] = SPARSE_VERSION;
  hashes.forEach((h, i) => b.writeBigUInt64BE(h, 1 + 8 * i));
  return b;
}

/** Reads a stored sketch (either form; a copy, so the buffer may be reused). */
export function fromBuffer(b: Uint8Array): Sketch {
  const s = new Sketch();
  if (b.byteLength === HLL_M) {
    s.hashes = null;
    s.registers = new Uint8Array(b);
    return s;
  }
  if (b.byteLength < 1 || b[0] !== SPARSE_VERSION || (b.byteLength - 1) % 8 !== 0) {
    throw new Error(`not a citizen sketch (${b.byteLength} bytes, header ${b[0]})`);
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hashes: bigint[] = [];
  for (let off = 1; off < b.byteLength; off += 8) {
    const h = view.getBigUint64(off, false);
    // Written sorted and distinct; anything else is a corrupt row, not a count to trust.
    if (hashes.length > 0 && h <= hashes[hashes.length - 1]!) throw new Error('citizen sketch hashes out of order');
    hashes.push(h);
  }
  s.hashes = hashes;
  return s;
}
