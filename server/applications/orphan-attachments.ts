import { unlink } from 'node:fs/promises';
import { and, asc, eq, gt, isNull, lt } from 'drizzle-orm';
import { attachments, type Database } from '../../db/schema';
import { createPeriodicJob, type PeriodicJob } from '../jobs/periodic-job';
import type { Logger } from '../logger';
import { storedPath } from './attachments';

/**
 * Orphan attachments: uploads that no submitted application names (`attached_at` null) and that
 * the citizen has not uploaded again for ATTACHMENT_ORPHAN_HOURS — a form abandoned half-way, a
 * photo replaced before submitting. Their rows are deleted, and their file too when no other row
 * (another citizen's upload of the same bytes) names the hash. Attachments an application named
 * are case records and are never touched.
 *
 * Safe beside uploads and submissions in any number of processes: each orphan is deleted in its
 * own transaction that re-checks the conditions under the row lock (a submission marks its files
 * attached under the same lock), and the "does any row still use this hash" read is a locking
 * read on the hash index, so an upload of the same bytes waits until the file is gone and then
 * writes it again (uploads write the row before the file).
 */
export interface OrphanSweepResult {
  /** attachment rows deleted */
  rows: number;
  /** files deleted (a file still named by another row stays) */
  files: number;
}

export interface OrphanAttachmentSweep {
  sweep(opts?: { shouldStop?: () => boolean }): Promise<OrphanSweepResult>;
}

const BATCH = 200;

export function createOrphanAttachmentSweep(deps: { db: Database; dir: string; orphanHours: number; now?: () => number; logger?: Logger }): OrphanAttachmentSweep {
  const { db, dir } = deps;
  const now = deps.now ?? Date.now;

  /** One orphan, if it still is one: the row, then the file when nothing else names it. */
  function removeOne(id: number, sha: string, cutoff: Date): Promise<{ row: boolean; file: boolean }> {
    return db.transaction(
      async (tx) => {
        const [res] = await tx.delete(attachments).where(and(eq(attachments.id, id), isNull(attachments.attachedAt), lt(attachments.uploadedAt, cutoff)));
        if (res.affectedRows !== 1) return { row: false, file: false }; // attached or uploaded again meanwhile
        const users = await tx.select({ id: attachments.id }).from(attachments).where(eq(attachments.sha256, sha)).limit(1).for('update');
        if (users.length > 0) return { row: true, file: false };
        // Inside the transaction: its lock on this hash holds off a new row for the same bytes
        // until the file is gone. A failed unlink rolls the row back for the next round.
        try {
          await unlink(storedPath(dir, sha));
          return { row: true, file: true };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { row: true, file: false };
          throw err;
        }
      },
      // Gap locks (the hash lookup above when no row is left) need REPEATABLE READ.
      { isolationLevel: 'repeatable read' },
    );
  }

  return {
    async sweep(opts = {}) {
      const cutoff = new Date(now() - deps.orphanHours * 3600_000);
      const out: OrphanSweepResult = { rows: 0, files: 0 };
      let after = 0;
      for (;;) {
        const batch = await db
          .select({ id: attachments.id, sha256: attachments.sha256 })
          .from(attachments)
          .where(and(isNull(attachments.attachedAt), lt(attachments.uploadedAt, cutoff), gt(attachments.id, after)))
          .orderBy(asc(attachments.id))
          .limit(BATCH);
        for (const c of batch) {
          after = c.id;
          try {
            const r = await removeOne(c.id, c.sha256, cutoff);
            if (r.row) out.rows++;
            if (r.file) out.files++;
          } catch (err) {
            // A deadlock with a submission, a file that cannot be removed: left for the next round.
            deps.logger?.warn({ err, attachmentId: c.id }, 'orphan attachment not removed; will retry');
          }
          if (opts.shouldStop?.()) return out;
        }
        if (batch.length < BATCH) return out;
      }
    },
  };
}

/** The sweep on a timer (started by the server process, which holds ATTACHMENTS_DIR); `stop()` waits for the orphan at hand. */
export type OrphanAttachmentJob = PeriodicJob;

export function createOrphanAttachmentJob(deps: { sweep: OrphanAttachmentSweep; logger: Logger; intervalMs: number }): OrphanAttachmentJob {
  return createPeriodicJob({
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    failure: 'orphan attachment cleanup failed',
    async round(shouldStop) {
      const r = await deps.sweep.sweep({ shouldStop });
      if (r.rows > 0) deps.logger.info({ rows: r.rows, files: r.files }, 'orphan attachments deleted');
    },
  });
}
