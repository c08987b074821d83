import type { Logger } from '../logger';
import type { ReportRollup } from './rollup';

/**
 * The rollup job on a timer: roll up what has become final, then delete raw events past the
 * retention age that are already rolled up. Runs inside the server (REPORTS_ROLLUP_IN_SERVER) and
 * in `npm run worker`; a named lock lets only one process work at a time, the others skip.
 */
export interface ReportJobs {
  start(): void;
  /** waits for a run in progress */
  stop(): Promise<void>;
  /** one round now (tests, CLI) */
  tick(): Promise<void>;
}

export function createReportJobs(deps: { rollup: ReportRollup; logger: Logger; intervalMs: number; retentionDays: number }): ReportJobs {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopping = false;

  const round = async () => {
    try {
      await deps.rollup.runOnce({ shouldStop: () => stopping });
      if (stopping) return;
      const purged = await deps.rollup.purge({ retentionDays: deps.retentionDays });
      if (purged.deleted > 0) deps.logger.info({ deleted: purged.deleted }, 'usage events past retention deleted');
    } catch (err) {
      deps.logger.error({ err }, 'report rollup failed');
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
      timer = setInterval(() => void tick(), deps.intervalMs);
      timer.unref();
    },
    async stop() {
      // A first run over months of history can take minutes: it stops after the current day's window.
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
    tick,
  };
}
