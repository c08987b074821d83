import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { retryingTx } from '../../db/retry';
import { notificationControl, notifications, type Database, type NotificationRow, type NotificationStatus } from '../../db/schema';
import { addDays, shanghaiStartOfDay, toShanghaiDate } from '../calendar/civil-date';
import type { Logger } from '../logger';
import type { TemplateMessage, TemplateSendResult } from '../wechat/api/template';
import { WechatApiError, WechatUnavailableError } from '../wechat/api/errors';
import type { ReceiptHandler } from './receipts';
import { renderNotification, type TemplateIds } from './templates';
import type { NotificationKind } from './types';

/** errcodes after which sending the same message again cannot succeed (PROTOCOL §7.4). */
export const PERMANENT_ERRCODES: ReadonlySet<number> = new Set([40003, 40036, 40037, 43004, 43101, 47001, 47003, 48001]);
export const QUOTA_ERRCODE = 45009;
const QUOTA_CONTROL = 'quota';

export interface WorkerSettings {
  pollIntervalMs: number;
  batchSize: number;
  concurrency: number;
  claimTtlMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAgeMs: number;
  reminderIntervalMs: number;
}

export interface NotificationWorkerDeps {
  db: Database;
  now: () => number;
  logger: Logger;
  /** the template send (deps.wechat.template.send) */
  send(message: TemplateMessage): Promise<TemplateSendResult>;
  citizens: {
    /** one query per claimed batch (CitizenService.notificationRecipients) */
    notificationRecipients(ids: readonly number[]): Promise<Map<number, { openid: string; subscribed: boolean; optionalNotifications: boolean }>>;
  };
  receipts: ReceiptHandler;
  publicBaseUrl: string;
  templateIds: TemplateIds;
  settings: WorkerSettings;
  /** the day-before reminder job, run every reminderIntervalMs by the loop */
  reminders?: { run(): Promise<number> };
  random?: () => number;
  /** names this process's claims (default host:pid:random) */
  owner?: string;
}

export interface NotificationWorker {
  readonly owner: string;
  start(): void;
  /** Stops claiming, lets sends in flight finish, hands unstarted claims back; resolves when idle. */
  stop(): Promise<void>;
  /** Look for work now (after an enqueue in this process). */
  wake(): void;
  /** One claim-and-send round; the number of rows claimed. (The loop's step; tests call it.) */
  runOnce(): Promise<number>;
  /** the shared quota pause, if sending is paused now */
  pausedUntil(): Promise<Date | undefined>;
}

/** The next 00:00 in Beijing, when WeChat's daily template quota resets. */
export const nextBeijingMidnight = (nowMs: number): Date => shanghaiStartOfDay(addDays(toShanghaiDate(nowMs), 1));

/**
 * enqueue() wakes the worker before the producer's transaction commits, so a woken round may
 * not see the row yet: it looks again after these pauses (then falls back to the poll interval)
 * instead of guessing how long a commit takes.
 */
const WAKE_LOOKS_MS = [10, 25, 50, 100, 200, 400];
/** `sent` outcomes are written together: this many, or once the oldest waited this long (and at the end of each batch). */
const SENT_FLUSH_ROWS = 32;
const SENT_FLUSH_MS = 50;

type Recipients = Map<number, { openid: string; subscribed: boolean; optionalNotifications: boolean }>;

type Outcome =
  | { kind: 'sent'; msgid: string; templateId: string }
  | { kind: 'final'; status: Extract<NotificationStatus, 'permanent_failure' | 'temporary_failure' | 'suppressed'>; code: string; message: string; attempted: boolean }
  | { kind: 'retry'; code: string; message: string }
  | { kind: 'paused'; until: Date };

/**
 * The outbox worker. Claims due rows in a short transaction with `FOR UPDATE SKIP LOCKED` (so
 * any number of processes share the work without waiting on each other), marks them `sending`
 * with a claim that expires, sends outside the transaction, then records the outcome with an
 * UPDATE conditional on still holding the claim. A crashed worker's rows become due again when
 * their claim expires; the resend carries the same `client_msg_id`, so WeChat (within its
 * 10-minute window) answers the first msgid instead of delivering twice.
 */
/** `ntf-<row id>-<queued_at, base 36>` (≤ 32 characters) */
export const clientMsgId = (row: { id: number; queuedAt: Date }) => `ntf-${row.id}-${row.queuedAt.getTime().toString(36)}`;

export function createNotificationWorker(deps: NotificationWorkerDeps): NotificationWorker {
  const { db, settings, logger } = deps;
  const random = deps.random ?? Math.random;
  const owner = deps.owner ?? `${hostname().slice(0, 30)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  let running = false;
  let stopping = false;
  let loopDone: Promise<void> | undefined;
  let wakeSleeper: (() => void) | undefined;
  let woken = false;
  /** looks left after a wake (see WAKE_LOOKS_MS) */
  let wakeLooks = 0;
  let nextReminderAt = 0;
  /** local copy of the shared pause, so a batch does not ask the database per row */
  let localPause: Date | undefined;

  const at = () => new Date(deps.now());

  async function pausedUntil(): Promise<Date | undefined> {
    const row = (await db.select().from(notificationControl).where(eq(notificationControl.name, QUOTA_CONTROL)).limit(1))[0];
    const until = row?.pausedUntil ?? undefined;
    return until && until.getTime() > deps.now() ? until : undefined;
  }

  async function pause(until: Date) {
    localPause = until;
    const t = at();
    await db
      .insert(notificationControl)
      .values({ name: QUOTA_CONTROL, pausedUntil: until, reason: 'WECHAT_45009', updatedAt: t })
      .onDuplicateKeyUpdate({ set: { pausedUntil: until, reason: 'WECHAT_45009', updatedAt: t } });
    logger.warn({ until: until.toISOString() }, 'template quota reached (45009): sending paused until the quota resets');
  }

  async function claim(): Promise<NotificationRow[]> {
    const t = at();
    const expires = new Date(t.getTime() + settings.claimTtlMs);
    return retryingTx(() => db.transaction(async (tx) => {
      // One status per query: the (status, next_attempt_at) index then yields rows in order and
      // the scan stops at LIMIT. With `status IN (…)` MariaDB sorts all due rows first and locks
      // every one of them, which leaves nothing for the other workers to take.
      const due = (status: 'sending' | 'queued', limit: number) =>
        tx
          .select()
          .from(notifications)
          .where(and(eq(notifications.status, status), lte(notifications.nextAttemptAt, t)))
          .orderBy(asc(notifications.nextAttemptAt))
          .limit(limit)
          .for('update', { skipLocked: true });
      const retaken = await due('sending', settings.batchSize); // claims that expired: their worker died
      const rows = retaken.length < settings.batchSize ? [...retaken, ...(await due('queued', settings.batchSize - retaken.length))] : retaken;
      if (rows.length === 0) return [];
      // next_attempt_at doubles as the claim expiry: the claim query needs one index only.
      await tx
        .update(notifications)
        .set({ status: 'sending', claimOwner: owner, claimExpiresAt: expires, nextAttemptAt: expires, updatedAt: t })
        .where(inArray(notifications.id, rows.map((r) => r.id)));
      return rows;
    }));
  }

  const mine = (id: number) => and(eq(notifications.id, id), eq(notifications.status, 'sending'), eq(notifications.claimOwner, owner));

  function backoffMs(attempts: number): number {
    const exp = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(exp / 2 + random() * (exp / 2)); // "equal jitter": spread, never below half
  }

  async function decide(row: NotificationRow, recipients: Recipients): Promise<Outcome> {
    const citizen = recipients.get(row.citizenId);
    if (!citizen?.openid) return { kind: 'final', status: 'permanent_failure', code: 'NOTIFICATION_RECIPIENT_UNKNOWN', message: 'no such citizen', attempted: false };
    if (!citizen.subscribed) return { kind: 'final', status: 'permanent_failure', code: 'NOTIFICATION_RECIPIENT_NOT_FOLLOWING', message: 'the citizen does not follow the account', attempted: false };
    if (!row.essential && !citizen.optionalNotifications) {
      return { kind: 'final', status: 'suppressed', code: 'NOTIFICATION_OPTED_OUT', message: 'the citizen turned optional notifications off', attempted: false };
    }
    const rendered = renderNotification({ id: row.id, kind: row.kind as NotificationKind, payload: row.payload, queuedAt: row.queuedAt }, deps);
    if (!rendered.ok) return { kind: 'final', status: 'permanent_failure', code: rendered.code, message: rendered.message, attempted: false };
    if (localPause && localPause.getTime() > deps.now()) return { kind: 'paused', until: localPause };
    const { templateId, url, data } = rendered.message;
    try {
      // Stable per row and queueing: a resend after a lost answer or a retaken claim is
      // deduplicated by WeChat; a staff retry re-queues (new queued_at), so it is a new message.
      const res = await deps.send({ touser: citizen.openid, template_id: templateId, url, client_msg_id: clientMsgId(row), data });
      return { kind: 'sent', msgid: res.msgid, templateId };
    } catch (err) {
      if (err instanceof WechatApiError) {
        if (err.errcode === QUOTA_ERRCODE) return { kind: 'paused', until: nextBeijingMidnight(deps.now()) };
        const code = `WECHAT_${err.errcode}`;
        if (PERMANENT_ERRCODES.has(err.errcode)) return { kind: 'final', status: 'permanent_failure', code, message: `WeChat refused the message (errcode ${err.errcode})`, attempted: true };
        return { kind: 'retry', code, message: `WeChat errcode ${err.errcode}` };
      }
      if (err instanceof WechatUnavailableError) return { kind: 'retry', code: 'WECHAT_UNAVAILABLE', message: `WeChat unreachable (${err.reason})` };
      logger.error({ err, notificationId: row.id }, 'notification send failed unexpectedly');
      return { kind: 'retry', code: 'NOTIFICATION_SEND_ERROR', message: 'unexpected error while sending' };
    }
  }

  async function record(row: NotificationRow, outcome: Outcome): Promise<void> {
    const t = at();
    const released = { claimOwner: null, claimExpiresAt: null, updatedAt: t };
    switch (outcome.kind) {
      case 'sent':
        unrecorded.push({ id: row.id, msgid: outcome.msgid, templateId: outcome.templateId, at: deps.now() });
        if (unrecorded.length >= SENT_FLUSH_ROWS || deps.now() - unrecorded[0]!.at >= SENT_FLUSH_MS) await flushSent();
        return;
      case 'final':
        await retryingTx(() => db
          .update(notifications)
          .set({
            ...released,
            status: outcome.status,
            finishedAt: t,
            lastErrorCode: outcome.code,
            lastErrorMessage: outcome.message,
            ...(outcome.attempted ? { attempts: sql`${notifications.attempts} + 1` } : {}),
          })
          .where(mine(row.id)));
        return;
      case 'retry': {
        const attempts = row.attempts + 1;
        const expired = t.getTime() - row.queuedAt.getTime() >= settings.maxAgeMs;
        await retryingTx(() => db
          .update(notifications)
          .set(
            expired
              ? { ...released, status: 'temporary_failure', attempts, finishedAt: t, lastErrorCode: outcome.code, lastErrorMessage: `gave up after ${attempts} attempts: ${outcome.message}` }
              : { ...released, status: 'queued', attempts, nextAttemptAt: new Date(t.getTime() + backoffMs(attempts)), lastErrorCode: outcome.code, lastErrorMessage: outcome.message },
          )
          .where(mine(row.id)));
        return;
      }
      case 'paused':
        // Back in the queue for when the quota resets; no attempt is counted.
        await retryingTx(() => db.update(notifications).set({ ...released, status: 'queued', nextAttemptAt: outcome.until }).where(mine(row.id)));
        return;
    }
  }

  /** Sends that succeeded and are not yet written as `sent` (see flushSent). */
  let unrecorded: { id: number; msgid: string; templateId: string; at: number }[] = [];

  /**
   * Writes the pending `sent` outcomes in one UPDATE (msgid and template per row by CASE), still
   * conditional on holding each claim, then applies receipts that were parked meanwhile. One
   * statement for many rows instead of two per row; the short delay only widens the window in
   * which a crash leaves a sent row `sending`, which the retake with the same client_msg_id covers.
   */
  async function flushSent(): Promise<void> {
    const items = unrecorded;
    unrecorded = [];
    if (items.length === 0) return;
    const t = at();
    const byId = (pick: (i: (typeof items)[number]) => string) => sql`CASE ${notifications.id} ${sql.join(items.map((i) => sql`WHEN ${i.id} THEN ${pick(i)}`), sql` `)} END`;
    const [res] = await retryingTx(() => db
      .update(notifications)
      .set({
        status: 'sent',
        msgid: byId((i) => i.msgid),
        templateId: byId((i) => i.templateId),
        sentAt: t,
        attempts: sql`${notifications.attempts} + 1`,
        lastErrorCode: null,
        lastErrorMessage: null,
        claimOwner: null,
        claimExpiresAt: null,
        updatedAt: t,
      })
      .where(and(inArray(notifications.id, items.map((i) => i.id)), eq(notifications.status, 'sending'), eq(notifications.claimOwner, owner))));
    if (res.affectedRows < items.length) {
      logger.warn({ lost: items.length - res.affectedRows }, 'claims lost before sent was recorded (the retaking worker resends with the same client_msg_id)');
    }
    await deps.receipts.applyParkedAmong(items.map((i) => i.msgid));
  }

  async function processRow(row: NotificationRow, recipients: Recipients): Promise<void> {
    const outcome = await decide(row, recipients);
    if (outcome.kind === 'paused' && (!localPause || localPause.getTime() < outcome.until.getTime())) await pause(outcome.until);
    await record(row, outcome);
  }

  /** Claimed rows not started (stopping, or an error in the batch) go back to the queue at once. */
  async function release(rows: NotificationRow[]) {
    if (rows.length === 0) return;
    const t = at();
    await retryingTx(() => db
      .update(notifications)
      .set({ status: 'queued', claimOwner: null, claimExpiresAt: null, nextAttemptAt: t, updatedAt: t })
      .where(and(inArray(notifications.id, rows.map((r) => r.id)), eq(notifications.status, 'sending'), eq(notifications.claimOwner, owner))));
  }

  async function runOnce(): Promise<number> {
    if (localPause && localPause.getTime() <= deps.now()) localPause = undefined;
    localPause ??= await pausedUntil();
    if (localPause) return 0;
    const claimedAt = deps.now();
    const rows = await claim();
    if (rows.length === 0) return 0;
    const queue = [...rows];
    // Recipients for the whole batch in one query (read after the claim: an unfollow committed
    // before it is seen). If it fails the rows go straight back to the queue.
    let recipients: Recipients;
    try {
      recipients = await deps.citizens.notificationRecipients(rows.map((r) => r.citizenId));
    } catch (err) {
      await release(queue);
      throw err;
    }
    const lanes = Array.from({ length: Math.min(settings.concurrency, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        // Past half the claim's life (a slow platform), the rest goes back rather than risk the
        // claim expiring mid-send and another worker sending the same rows at the same time.
        if (stopping || deps.now() - claimedAt > settings.claimTtlMs / 2) {
          queue.unshift(row);
          return;
        }
        try {
          await processRow(row, recipients);
        } catch (err) {
          // The claim expires and the row is retried; nothing is lost.
          logger.error({ err, notificationId: row.id }, 'recording a notification outcome failed');
        }
      }
    });
    await Promise.all(lanes);
    try {
      await flushSent();
    } finally {
      await release(queue);
    }
    return rows.length;
  }

  function sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeSleeper = undefined;
        resolve();
      }
      wakeSleeper = done;
      if (woken || stopping) done();
    });
  }

  async function loop() {
    while (!stopping) {
      if (woken) wakeLooks = WAKE_LOOKS_MS.length;
      woken = false;
      let claimed = 0;
      try {
        if (deps.reminders && deps.now() >= nextReminderAt) {
          nextReminderAt = deps.now() + settings.reminderIntervalMs;
          const n = await deps.reminders.run();
          if (n) logger.info({ reminders: n }, 'appointment reminders queued');
          await deps.receipts.sweep();
        }
        claimed = await runOnce();
      } catch (err) {
        logger.error({ err }, 'notification worker round failed');
      }
      // A full batch means more is probably due: go again without sleeping.
      if (claimed >= settings.batchSize && !stopping) continue;
      if (claimed > 0) wakeLooks = 0;
      const look = wakeLooks > 0 ? WAKE_LOOKS_MS[WAKE_LOOKS_MS.length - wakeLooks--]! : settings.pollIntervalMs;
      await sleep(Math.min(look, settings.pollIntervalMs));
    }
  }

  return {
    owner,
    start() {
      if (running) return;
      running = true;
      stopping = false;
      loopDone = loop();
    },
    async stop() {
      if (!running) return;
      stopping = true;
      wakeSleeper?.();
      await loopDone;
      running = false;
    },
    wake() {
      woken = true;
      wakeSleeper?.();
    },
    runOnce,
    pausedUntil,
  };
}
