import { sql } from 'drizzle-orm';
import { notifications, type Executor } from '../../db/schema';
import { isEssential } from './kinds';
import type { NotificationEvent, NotificationOutbox } from './types';

export interface OutboxWithWake extends NotificationOutbox {
  /** Called after each enqueue (the in-process worker listens, so a message need not wait for the next poll). */
  onEnqueue(listener: () => void): void;
}

/**
 * The producer side of the outbox: one INSERT with the caller's executor, so the row commits or
 * rolls back with the change that caused it. A repeated dedupe key is a silent no-op
 * (`ON DUPLICATE KEY UPDATE id = id` changes nothing and, unlike INSERT IGNORE, does not hide
 * other errors such as a value too long).
 */
/** enqueue() as one prepared statement, for callers holding a bare connection */
const ENQUEUE_SQL = `INSERT INTO notifications (dedupe_key, citizen_id, kind, payload, essential, status, next_attempt_at, queued_at, updated_at)
  VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?) ON DUPLICATE KEY UPDATE id = id`;

export function createNotificationOutbox(deps: { now: () => number }): OutboxWithWake {
  const listeners: (() => void)[] = [];
  return {
    async enqueue(exec: Executor, event: NotificationEvent) {
      const { kind, citizenId, dedupeKey, ...rest } = event;
      const at = new Date(deps.now());
      // JSON round trip: Dates become ISO strings, undefined fields disappear.
      const payload = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
      await exec
        .insert(notifications)
        .values({ dedupeKey, citizenId, kind, payload, essential: isEssential(kind), status: 'queued', nextAttemptAt: at, queuedAt: at, updatedAt: at })
        .onDuplicateKeyUpdate({ set: { id: sql`${notifications.id}` } });
      for (const l of listeners) l();
    },
    async enqueueOn(conn, event) {
      const { kind, citizenId, dedupeKey, ...rest } = event;
      const at = new Date(deps.now());
      await conn.execute(ENQUEUE_SQL, [dedupeKey, citizenId, kind, JSON.stringify(rest), isEssential(kind), at, at, at]);
      for (const l of listeners) l();
    },
    onEnqueue(listener) {
      listeners.push(listener);
    },
  };
}
