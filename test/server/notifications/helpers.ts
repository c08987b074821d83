import { eq, inArray, lt } from 'drizzle-orm';
import { notificationControl, notifications, type NotificationRow } from '../../../db/schema';
import { createNotificationWorker, type NotificationWorker, type WorkerSettings } from '../../../server/notifications/worker';
import { resolveTemplateIds } from '../../../server/notifications/templates';
import type { NotificationEvent } from '../../../server/notifications/types';
import type { TemplateMessage } from '../../../server/wechat/api/template';
import { testDb, uniq } from '../../support/db';
import { startTestServer } from '../../support/server';

/**
 * A clock in 2003: rows these tests enqueue are due on it, rows other test files left in the
 * worker database (queued at real time) are not, so a worker here only ever claims its own.
 */
export function testClock(start = Date.UTC(2003, 2, 3, 2, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

export const FAST: WorkerSettings = {
  pollIntervalMs: 20,
  batchSize: 50,
  concurrency: 4,
  claimTtlMs: 60_000,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  maxAgeMs: 72 * 3_600_000,
  reminderIntervalMs: 3_600_000,
};

export type Server = Awaited<ReturnType<typeof startTestServer>>;

export async function notifyServer(clock = testClock()) {
  const s = await startTestServer({ now: clock.now });
  // A pause another test left would hold every send.
  await testDb().db.delete(notificationControl).where(eq(notificationControl.name, 'quota'));
  // Rows earlier tests on this clock left (a retry scheduled, a row left queued) are due on it too:
  // each test starts from none, so a worker here only ever claims its own.
  await testDb().db.delete(notifications).where(lt(notifications.queuedAt, new Date(Date.UTC(2004, 0, 1))));
  return { s, clock, platform: s.t.deps.sandbox!.platform };
}

/** A sandbox user who follows the account; the follow push creates the citizen in the portal. */
export async function followingCitizen(s: Server, nickname = '测试市民') {
  const platform = s.t.deps.sandbox!.platform;
  const user = platform.createUser({ nickname });
  await platform.follow(user.openid);
  const citizen = await s.t.deps.citizens.findByOpenid(user.openid);
  if (!citizen) throw new Error('follow did not create the citizen');
  return { user, citizen };
}

/** A worker over the test server's deps, counting every template send it makes. */
export function testWorker(s: Server, opts: { settings?: Partial<WorkerSettings>; owner?: string; send?: (m: TemplateMessage) => Promise<{ msgid: string }> } = {}) {
  const d = s.t.deps;
  const sends: TemplateMessage[] = [];
  const worker: NotificationWorker = createNotificationWorker({
    db: d.db,
    now: d.now,
    logger: d.logger,
    async send(m) {
      sends.push(m);
      return (opts.send ?? ((x) => d.wechat.template.send(x)))(m);
    },
    citizens: d.citizens,
    receipts: d.notificationParts.receipts,
    publicBaseUrl: d.config.publicBaseUrl,
    templateIds: resolveTemplateIds('sandbox', {}),
    settings: { ...FAST, ...opts.settings },
    owner: opts.owner ?? uniq('w'),
    random: () => 0.5,
  });
  return { worker, sends };
}

export function applicationEvent(citizenId: number, over: Partial<Extract<NotificationEvent, { applicationId: number }>> = {}): NotificationEvent {
  const applicationId = over.applicationId ?? Math.floor(Math.random() * 1e9) + 1;
  return {
    kind: 'application.approved',
    citizenId,
    applicationId,
    applicationNo: `SQ${applicationId}`,
    typeName: '驾驶证补领',
    dedupeKey: `test:${uniq()}`,
    ...over,
  } as NotificationEvent;
}

export function appointmentEvent(citizenId: number, over: Partial<Extract<NotificationEvent, { appointmentId: number }>> = {}): NotificationEvent {
  const appointmentId = over.appointmentId ?? Math.floor(Math.random() * 1e9) + 1;
  return {
    kind: 'appointment.booked',
    citizenId,
    appointmentId,
    serviceName: '驾驶证换证',
    officeName: '市车管所第一服务大厅',
    startsAt: new Date(Date.UTC(2003, 2, 5, 1, 0)),
    endsAt: new Date(Date.UTC(2003, 2, 5, 1, 30)),
    confirmationCode: 'AB12CD34',
    dedupeKey: `test:${uniq()}`,
    ...over,
  } as NotificationEvent;
}

export async function rowsByKey(keys: string[]): Promise<NotificationRow[]> {
  if (keys.length === 0) return [];
  return testDb().db.select().from(notifications).where(inArray(notifications.dedupeKey, keys));
}

export async function rowByKey(key: string): Promise<NotificationRow> {
  const [row] = await rowsByKey([key]);
  if (!row) throw new Error(`no row for ${key}`);
  return row;
}

/** Template cards in a user's sandbox chat. */
export const cards = (s: Server, openid: string) => s.t.deps.sandbox!.platform.chat(openid).filter((e) => e.via === 'template');
