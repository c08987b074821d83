import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addToSketch,
  emptySketch,
  estimate,
  fromBuffer,
  hllPoint,
  HLL_M,
  mergeSketch,
  SPARSE_CAP,
  toBuffer,
  type Sketch,
} from '../../../server/reports/hll';

const keys = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i.toString(36).padStart(8, '0')}`);

const sketchOf = (ks: string[], kind: 'sparse' | 'dense' = 'sparse') => {
  const s = emptySketch(kind);
  for (const k of ks) addToSketch(s, k);
  return s;
};

const unionOf = (parts: Sketch[]) => {
  const u = emptySketch();
  for (const p of parts) mergeSketch(u, p);
  return u;
};

/** Registers as the 4096-byte-only code wrote them (before the sparse form): max rank per index. */
const legacyRegisters = (ks: string[]) => {
  const r = new Uint8Array(HLL_M);
  for (const k of ks) {
    const [i, rank] = hllPoint(k);
    if (rank > r[i]!) r[i] = rank;
  }
  return r;
};

describe('citizen sketches: sparse (exact) sets', () => {
  it('counts exactly up to the cap, repeats once, and stays sparse', () => {
    expect(estimate(emptySketch())).toBe(0);
    expect(estimate(sketchOf([...keys(7, 'a'), ...keys(7, 'a')]))).toBe(7);
    const full = sketchOf([...keys(SPARSE_CAP, 'b'), ...keys(SPARSE_CAP, 'b')]);
    expect(full.dense).toBe(false);
    expect(estimate(full)).toBe(SPARSE_CAP);
    // Stored at most as big as a dense row, and still sparse at the cap.
    expect(toBuffer(full).byteLength).toBeLessThan(HLL_M);
  });

  it('a union of 90 sparse days of 400 citizens each is exact far beyond the cap', () => {
    const pool = keys(20_000, 'p');
    const days: Sketch[] = [];
    const everyone = new Set<string>();
    for (let d = 0; d < 90; d++) {
      // Overlapping windows: day d has citizens 173·d … 173·d + 399 (mod the pool).
      const ks = Array.from({ length: 400 }, (_, i) => pool[(173 * d + i) % pool.length]!);
      ks.forEach((k) => everyone.add(k));
      // Through storage, as a report reads them.
      const stored = toBuffer(sketchOf(ks));
      expect(stored.byteLength).toBe(1 + 8 * 400);
      days.push(fromBuffer(stored));
    }
    const u = unionOf(days);
    expect(u.dense).toBe(false);
    expect(everyone.size).toBeGreaterThan(10_000);
    expect(estimate(u)).toBe(everyone.size);
    // Order-independent.
    expect(unionOf([...days].reverse())).toEqual(u);
  });

  it('passing the cap turns a sketch dense with the registers of adding every key directly', () => {
    const ks = keys(SPARSE_CAP + 100, 'c');
    const grown = sketchOf(ks);
    expect(grown.dense).toBe(true);
    const direct = sketchOf(ks, 'dense');
    expect(grown.registers).toEqual(direct.registers);
    expect(grown.registers).toEqual(legacyRegisters(ks));
    // A large sparse union stored as one row is written dense, with the same registers.
    const halves = unionOf([sketchOf(ks.slice(0, 350)), sketchOf(ks.slice(250))]);
    expect(halves.dense).toBe(false);
    expect(estimate(halves)).toBe(ks.length);
    expect(toBuffer(halves)).toEqual(toBuffer(direct));
    expect(toBuffer(halves).byteLength).toBe(HLL_M);
  });

  it('one dense day in a union makes the union dense, whatever the order', () => {
    const sparseDays = [sketchOf(keys(300, 'd1')), sketchOf(keys(300, 'd2'))];
    const bigDay = sketchOf(keys(2_000, 'd3'));
    expect(bigDay.dense).toBe(true);
    const a = unionOf([...sparseDays, bigDay]);
    const b = unionOf([bigDay, ...sparseDays]);
    expect(a.dense).toBe(true);
    expect(a).toEqual(b);
    expect(a.registers).toEqual(legacyRegisters([...keys(300, 'd1'), ...keys(300, 'd2'), ...keys(2_000, 'd3')]));
    expect(Math.abs(estimate(a) - 2_600) / 2_600).toBeLessThan(0.05);
  });

  it('round-trips both forms through toBuffer/fromBuffer', () => {
    const sparse = sketchOf(keys(123, 'e'));
    const sb = toBuffer(sparse);
    expect(sb[0]).toBe(1);
    expect(fromBuffer(sb)).toEqual(sparse);
    expect(toBuffer(fromBuffer(sb))).toEqual(sb);
    expect(toBuffer(emptySketch()).byteLength).toBe(1);
    expect(estimate(fromBuffer(toBuffer(emptySketch())))).toBe(0);

    const dense = sketchOf(keys(5_000, 'f'));
    const db = toBuffer(dense);
    expect(db.byteLength).toBe(HLL_M);
    expect(fromBuffer(db)).toEqual(dense);
    expect(estimate(fromBuffer(db))).toBe(estimate(dense));
    // fromBuffer copies: changing the read sketch leaves the stored bytes alone.
    const read = fromBuffer(db);
    addToSketch(read, 'someone new');
    expect(toBuffer(fromBuffer(db))).toEqual(db);
  });

  it('reads 4096-byte rows written before the sparse form, and merges new citizens into them', () => {
    const ks = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    const old = Buffer.from(legacyRegisters(ks));
    // Fingerprint of these registers as the previous hll.ts computed them: the hash is unchanged.
    expect(createHash('sha256').update(old).digest('hex')).toBe('7861d1a2fa25a8eec121b783c685ca7ce1ea2c422e2d542171f336360355ce0b');
    const read = fromBuffer(old);
    expect(read.dense).toBe(true);
    expect(Math.abs(estimate(read) - 1000)).toBeLessThan(50);
    mergeSketch(read, sketchOf(['k1000', 'k1001']));
    expect(read.registers).toEqual(legacyRegisters([...ks, 'k1000', 'k1001']));
  });

  it('refuses bytes that are not a sketch', () => {
    expect(() => fromBuffer(Buffer.alloc(0))).toThrow();
    expect(() => fromBuffer(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 1]))).toThrow();
    expect(() => fromBuffer(Buffer.from([1, 0, 0]))).toThrow();
    const b = toBuffer(sketchOf(['x', 'y']));
    expect(() => fromBuffer(Buffer.concat([b.subarray(0, 1), b.subarray(9, 17), b.subarray(1, 9)]))).toThrow();
  });
});

describe('citizen sketches: dense (HyperLogLog) estimates', () => {
  it('stays within 5 % at 200 000 citizens, and a union of days counts each citizen once', () => {
    const all = keys(200_000, 'c');
    const day1 = sketchOf(all.slice(0, 150_000));
    const day2 = sketchOf(all.slice(50_000)); // 100 000 citizens on both days
    expect(Math.abs(estimate(day1) - 150_000) / 150_000).toBeLessThan(0.05);
    const union = unionOf([day1, day2]);
    expect(Math.abs(estimate(union) - 200_000) / 200_000).toBeLessThan(0.05);
    // Order does not matter: the other way round gives the very same registers.
    expect(unionOf([day2, day1])).toEqual(union);
  });
});
