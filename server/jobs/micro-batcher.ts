/**
 * Gathers the calls made in one turn of the event loop and hands them to `run` together (one
 * statement, one commit, instead of one each). At most `maxInFlight` batches run at once: while one
 * commits, the next fills up. A batch takes waiting items until their weights would pass
 * `maxWeight` (always at least one). `run` answers one result per item, in order; if it throws,
 * every item of that batch is rejected with the error.
 */
export function createMicroBatcher<I, O>(opts: {
  maxInFlight: number;
  maxWeight: number;
  weight?: (item: I) => number;
  run: (items: I[]) => Promise<O[]>;
}): (item: I) => Promise<O> {
  const weight = opts.weight ?? (() => 1);
  let queue: { item: I; resolve(o: O): void; reject(err: unknown): void }[] = [];
  let scheduled = false;
  let inFlight = 0;

  function schedule() {
    if (scheduled || inFlight >= opts.maxInFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void runBatch();
    });
  }

  async function runBatch() {
    let taken = 0;
    let load = 0;
    while (taken < queue.length && (taken === 0 || load + weight(queue[taken]!.item) <= opts.maxWeight)) load += weight(queue[taken++]!.item);
    if (taken === 0) return;
    const batch = queue.slice(0, taken);
    queue = queue.slice(taken);
    inFlight++;
    try {
      const out = await opts.run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(out[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      inFlight--;
      schedule();
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
