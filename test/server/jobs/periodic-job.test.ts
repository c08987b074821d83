import { describe, expect, it } from 'vitest';
import { createPeriodicJob } from '../../../server/jobs/periodic-job';
import { captureLogger } from '../../support/app';

describe('periodic job', () => {
  it('never runs two rounds at once: a tick during a round joins it', async () => {
    let rounds = 0;
    let release!: () => void;
    const job = createPeriodicJob({
      intervalMs: 60_000,
      logger: captureLogger().logger,
      failure: 'x failed',
      round: async () => {
        rounds++;
        await new Promise<void>((r) => (release = r));
      },
    });
    const a = job.tick();
    const b = job.tick();
    expect(rounds).toBe(1);
    release();
    await Promise.all([a, b]);
    expect(rounds).toBe(1);
    const c = job.tick();
    expect(rounds).toBe(2);
    release();
    await c;
  });

  it('stop() asks the round to stop and waits for it; a failing round is logged and the next one runs', async () => {
    const { logger, records } = captureLogger();
    const seen: boolean[] = [];
    let fail = true;
    const job = createPeriodicJob({
      intervalMs: 60_000,
      logger,
      failure: 'x failed',
      round: async (shouldStop) => {
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
        await new Promise((r) => setTimeout(r, 20));
        seen.push(shouldStop());
      },
    });
    await job.tick();
    expect(records().some((r) => r.msg === 'x failed')).toBe(true);
    job.start(); // first round starts at once
    await job.stop();
    expect(seen).toEqual([true]);
  });
});
