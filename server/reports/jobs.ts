import { createPeriodicJob, type PeriodicJob } from '../jobs/periodic-job';
import type { Logger } from '../logger';
import type { ReportRollup } from './rollup';

/**
 * The rollup job on a timer: roll up what has become final (and the provisional tail), then delete
 * raw events past the retention age that are already rolled up. Runs inside the server
 * (REPORTS_ROLLUP_IN_SERVER) and in `npm run worker`; a named lock lets only one process work at a
 * time, the others skip. A first run over months of history can take minutes: `stop()` ends it
 * after the current day's window.
 */
export type ReportJobs = PeriodicJob;

export function createReportJobs(deps: { rollup: ReportRollup; logger: Logger; intervalMs: number; retentionDays: number }): ReportJobs {
  return createPeriodicJob({
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    failure: 'report rollup failed',
    async round(shouldStop) {
      await deps.rollup.runOnce({ shouldStop });
      if (shouldStop()) return;
      const purged = await deps.rollup.purge({ retentionDays: deps.retentionDays });
      if (purged.deleted > 0) deps.logger.info({ deleted: purged.deleted }, 'usage events past retention deleted');
    },
  });
}
