import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { notificationReceipts, notifications, type Database, type Executor, type NotificationStatus } from '../../db/schema';
import type { TemplateReceipt } from '../wechat/event-bus';
import { retryingTx } from '../../db/retry';
import { createMicroBatcher } from '../jobs/micro-batcher';

/** receipts per UPDATE; more wait for the next batch */
const MAX_BATCH = 500;
/** batches in flight at once: while one commits, the next fills up */
const MAX_IN_FLIGHT = 2;

/** What a TEMPLATESENDJOBFINISH status means for the row (REFERENCE "Notifications"). */
export function receiptOutcome(status: string): { status: NotificationStatus; code?: string } {
  const s = status.trim().toLowerCase();
  if (s === 'success') return { status: 'delivered' };
  if (s.includes('user block')) return { status: 'permanent_failure', code: 'WECHAT_USER_BLOCK' };
  // `failed: system failed` and anything newer: WeChat could not deliver, we did nothing wrong.
  return { status: 'temporary_failure', code: 'WECHAT_SYSTEM_FAILED' };
}

export interface ReceiptHandler {
  /** Applies a receipt to its `sent` row; one that arrives before the row says `sent` is parked. */
  handle(r: TemplateReceipt): Promise<void>;
  /** After a worker wrote `sent` with this msgid: apply a receipt that was parked meanwhile. */
  applyParked(msgid: string): Promise<void>;
  /** The same for many msgids at once (one SELECT; usually nothing is parked). */
  applyParkedAmong(msgids: string[]): Promise<void>;
  /** Parked receipts for msgids we never sent (or sent elsewhere) are dropped after a day. */
  sweep(): Promise<number>;
}

/**
 * The race: WeChat may push the receipt before the worker has written `sent` and the msgid.
 * Both sides write first and read second: the handler parks the receipt and then retries its
 * UPDATE; the worker writes `sent` and then looks for a parked receipt. Whichever comes second
 * sees the other's committed write, so the receipt is applied exactly once and never lost.
 * A receipt for an unknown msgid changes nothing.
 */
export function createReceiptHandler(deps: { db: Database; now: () => number }): ReceiptHandler {
  const { db } = deps;

  async function apply(exec: Executor, msgid: string, status: string, at: Date): Promise<boolean> {
    const outcome = receiptOutcome(status);
    const [res] = await exec
      .update(notifications)
      .set({
        status: outcome.status,
        updatedAt: at,
        ...(outcome.status === 'delivered' ? { deliveredAt: at } : { finishedAt: at, lastErrorCode: outcome.code ?? null, lastErrorMessage: `receipt: ${status.slice(0, 200)}` }),
      })
      .where(and(eq(notifications.msgid, msgid), eq(notifications.status, 'sent')));
    return res.affectedRows > 0;
  }

  /** The one-receipt path: park, then try again (see above). */
  async function park(r: TemplateReceipt, at: Date): Promise<void> {
    await db
      .insert(notificationReceipts)
      .values({ msgid: r.msgId, status: r.status.slice(0, 64), receivedAt: at })
      .onDuplicateKeyUpdate({ set: { status: sql`VALUES(${notificationReceipts.status})` } });
    if (await retryingTx(() => apply(db, r.msgId, r.status, at))) await db.delete(notificationReceipts).where(eq(notificationReceipts.msgid, r.msgId));
  }

  /**
   * Receipts that arrive together (one per push, but the push dedupe hands them out a batch at a
   * time) are applied with one UPDATE per status text instead of one autocommit each. Only when
   * fewer rows changed than receipts came does it look which msgids have no finished row yet;
   * those (a row not yet `sent`, or `sent` by a worker between the UPDATE and the look) take the
   * parking path, so the race above still ends with the receipt applied exactly once.
   */
  async function applyBatch(items: readonly TemplateReceipt[]): Promise<void> {
    const at = new Date(deps.now());
    const byStatus = new Map<string, TemplateReceipt[]>();
    for (const r of items) byStatus.set(r.status, [...(byStatus.get(r.status) ?? []), r]);
    for (const [status, group] of byStatus) {
      const outcome = receiptOutcome(status);
      const msgids = [...new Set(group.map((r) => r.msgId))];
      const [res] = await retryingTx(() =>
        db
          .update(notifications)
          .set({
            status: outcome.status,
            updatedAt: at,
            ...(outcome.status === 'delivered' ? { deliveredAt: at } : { finishedAt: at, lastErrorCode: outcome.code ?? null, lastErrorMessage: `receipt: ${status.slice(0, 200)}` }),
          })
          .where(and(inArray(notifications.msgid, msgids), eq(notifications.status, 'sent'))),
      );
      if (res.affectedRows >= msgids.length) continue;
      const rows = await db.select({ msgid: notifications.msgid, status: notifications.status }).from(notifications).where(inArray(notifications.msgid, msgids));
      const finished = new Set(rows.filter((x) => x.status !== 'sent').map((x) => x.msgid));
      const parked = new Set<string>();
      for (const r of group) {
        if (finished.has(r.msgId) || parked.has(r.msgId)) continue;
        parked.add(r.msgId);
        await park(r, at);
      }
    }
  }

  const applyBatched = createMicroBatcher<TemplateReceipt, void>({
    maxInFlight: MAX_IN_FLIGHT,
    maxWeight: MAX_BATCH,
    run: async (items) => {
      await applyBatch(items);
      return items.map(() => undefined);
    },
  });

  return {
    // Resolves once applied (or parked), so /wechat answers only after the receipt is stored.
    handle: applyBatched,
    async applyParked(msgid) {
      const parked = (await db.select().from(notificationReceipts).where(eq(notificationReceipts.msgid, msgid)).limit(1))[0];
      if (!parked) return;
      await apply(db, msgid, parked.status, parked.receivedAt);
      await db.delete(notificationReceipts).where(eq(notificationReceipts.msgid, msgid));
    },
    async applyParkedAmong(msgids) {
      if (msgids.length === 0) return;
      const parked = await db.select().from(notificationReceipts).where(inArray(notificationReceipts.msgid, msgids));
      for (const p of parked) {
        await apply(db, p.msgid, p.status, p.receivedAt);
        await db.delete(notificationReceipts).where(eq(notificationReceipts.msgid, p.msgid));
      }
    },
    async sweep() {
      const [res] = await db.delete(notificationReceipts).where(lt(notificationReceipts.receivedAt, new Date(deps.now() - 24 * 3_600_000)));
      return res.affectedRows;
    },
  };
}
