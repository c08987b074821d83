import { describe, expect, it } from 'vitest';
import { addToSketch, emptySketch, estimate, mergeSketch } from '../../../server/reports/hll';

const keys = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i.toString(36).padStart(8, '0')}`);

describe('citizen sketches (HyperLogLog)', () => {
  it('counts small sets exactly and repeats once', () => {
    const s = emptySketch();
    for (const k of [...keys(7, 'a'), ...keys(7, 'a')]) addToSketch(s, k);
    expect(estimate(s)).toBe(7);
    expect(estimate(emptySketch())).toBe(0);
  });

  it('stays within 5 % at 200 000 citizens, and a union of days counts each citizen once', () => {
    const day1 = emptySketch();
    const day2 = emptySketch();
    const all = keys(200_000, 'c');
    all.slice(0, 150_000).forEach((k) => addToSketch(day1, k));
    all.slice(50_000).forEach((k) => addToSketch(day2, k)); // 100 000 citizens on both days
    expect(Math.abs(estimate(day1) - 150_000) / 150_000).toBeLessThan(0.05);
    const union = emptySketch();
    mergeSketch(union, day1);
    mergeSketch(union, day2);
    expect(Math.abs(estimate(union) - 200_000) / 200_000).toBeLessThan(0.05);
    // Order does not matter: the other way round gives the very same registers.
    const other = emptySketch();
    mergeSketch(other, day2);
    mergeSketch(other, day1);
    expect(other).toEqual(union);
  });
});
