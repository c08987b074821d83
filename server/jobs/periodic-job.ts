import type { Logger } from '../logger';

/**
 * A background round on a timer (and once at start), never two at once in this process: a tick
 * while a round runs joins it. `stop()` tells the round to stop at its next safe point and waits
 * for it, so shutdown never cuts a transaction. Errors are logged and the next tick tries again.
 */
export interface PeriodicJob {
  start(): void;
  /** waits for a round in progress */
  stop(): Promise<void>;
  /** one round now (tests, CLI); joins a round in progress */
  tick(): Promise<void>;
}

export function createPeriodicJob(opts: {
  intervalMs: number;
  logger: Logger;
  /** logged with the error when a round throws */
  failure: string;
  round: (shouldStop: () => boolean) => Promise<void>;
}): PeriodicJob {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopping = false;

  const round = async () => {
    try {
      await opts.round(() => stopping);
    } catch (err) {
      opts.logger.error({ err }, opts.failure);
    }
  };
  const tick = () => {
    running ??= round().finally(() => (running = null));
    return running;
  };

  return {
    start() {
      if (timer) return;
      stopping = false;
      void tick();
      timer = setInterval(() => void tick(), opts.intervalMs);
      timer.unref();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
    tick,
  };
}
