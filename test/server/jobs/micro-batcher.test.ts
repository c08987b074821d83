import { describe, expect, it } from 'vitest';
import { createMicroBatcher } from '../../../server/jobs/micro-batcher';

describe('micro-batcher', () => {
  it('hands the calls of one event-loop turn to run together, answers each in order, and splits by weight', async () => {
    const batches: number[][] = [];
    const call = createMicroBatcher<number, number>({
      maxInFlight: 1,
      maxWeight: 5,
      weight: (n) => n,
      run: async (items) => {
        batches.push(items);
        return items.map((n) => n * 10);
      },
    });
    const out = await Promise.all([1, 2, 2, 3, 9].map(call));
    expect(out).toEqual([10, 20, 20, 30, 90]);
    // 1+2+2 = 5 fits; 3 starts the next; 9 is heavier than the limit but still goes (alone)
    expect(batches).toEqual([[1, 2, 2], [3], [9]]);
  });

  it('rejects every item of a batch whose run throws, and goes on with the next', async () => {
    let first = true;
    const call = createMicroBatcher<string, string>({
      maxInFlight: 2,
      maxWeight: 2,
      run: async (items) => {
        if (first) {
          first = false;
          throw new Error('boom');
        }
        return items.map((s) => s.toUpperCase());
      },
    });
    const results = await Promise.allSettled(['a', 'b', 'c'].map(call));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseFulfilledResult<string>).value).toBe('C');
  });
});
