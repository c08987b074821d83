import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { notifications } from '../../../db/schema';
import { clientMsgId, nextBeijingMidnight } from '../../../server/notifications/worker';
import { SANDBOX_TEMPLATES } from '../../../server/sandbox';
import { testDb } from '../../support/db';
import { createStaff } from '../../support/staff-agent';
import { applicationEvent, appointmentEvent, cards, followingCitizen, notifyServer, rowByKey, rowsByKey, testWorker, type Server } from './helpers';

describe('notification worker against the sandbox', () => {
  const db = testDb().db;
  let current: Server | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  async function setup() {
    const n = await notifyServer();
    current = n.s;
    return n;
  }

  it('sends a queued message as a template card, marks it sent, and the receipt makes it delivered', async () => {
    const { s, platform } = await setup();
    const { user, citizen } = await followingCitizen(s);
    const event = applicationEvent(citizen.id, { kind: 'application.approved', typeName: '机动车行驶证补领' });
    await s.t.deps.notifications.enqueue(db, event);
    const { worker, sends } = testWorker(s);
    expect(await worker.runOnce()).toBe(1);
    expect(sends).toHaveLength(1);
    const sent = await rowByKey(event.dedupeKey);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, claimOwner: null });
    expect(sent.msgid).toMatch(/^\d+$/);
    expect(sends[0]!.client_msg_id).toBe(clientMsgId(sent));
    const card = cards(s, user.openid).at(-1)!.template!;
    expect(card.title).toBe('业务办理进度通知');
    expect(card.rows.map((r) => r.value)).toEqual(['机动车行驶证补领', (event as { applicationNo: string }).applicationNo, '审核通过', '2003年3月3日 10:00']);
    expect(card.url).toBe(`${s.base}/h5/applications/${(event as { applicationId: number }).applicationId}?src=tmpl&tmpl=application.approved`);
    await platform.idle(); // the TEMPLATESENDJOBFINISH push
    expect(await rowByKey(event.dedupeKey)).toMatchObject({ status: 'delivered' });
    expect((await rowByKey(event.dedupeKey)).deliveredAt).not.toBeNull();
  });

  it('two workers racing over the same rows send each exactly once', async () => {
    const { s, platform } = await setup();
    const people = await Promise.all([1, 2, 3, 4].map((i) => followingCitizen(s, `市民${i}`)));
    const events = people.flatMap(({ citizen }) => Array.from({ length: 15 }, () => applicationEvent(citizen.id)));
    for (const e of events) await s.t.deps.notifications.enqueue(db, e);
    const a = testWorker(s, { settings: { batchSize: 7, concurrency: 3 } });
    const b = testWorker(s, { settings: { batchSize: 7, concurrency: 3 } });
    const drain = async (w: typeof a.worker) => {
      while ((await w.runOnce()) > 0);
    };
    await Promise.all([drain(a.worker), drain(b.worker), drain(a.worker), drain(b.worker)]);
    // Both really took part, and no send was made twice (the sandbox's own dedupe is not what saves us).
    expect(a.sends.length).toBeGreaterThan(0);
    expect(b.sends.length).toBeGreaterThan(0);
    const ids = [...a.sends, ...b.sends].map((m) => m.client_msg_id);
    expect(ids).toHaveLength(events.length);
    expect(new Set(ids).size).toBe(events.length);
    for (const { user } of people) expect(cards(s, user.openid)).toHaveLength(15);
    await platform.idle();
    const rows = await rowsByKey(events.map((e) => e.dedupeKey));
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });

  it('a transient error (-1) is retried after a back-off, then succeeds', async () => {
    const { s, clock, platform } = await setup();
    const { user, citizen } = await followingCitizen(s);
    const event = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, event);
    // The API client itself retries -1 twice: three failures make one failed attempt of the worker.
    platform.setFaults({ latencyMs: 0, templateQuotaExhausted: false, endpoints: { '/cgi-bin/message/template/send': { errcode: -1, rate: 1, times: 3 } } });
    const { worker } = testWorker(s);
    expect(await worker.runOnce()).toBe(1);
    const failed = await rowByKey(event.dedupeKey);
    expect(failed).toMatchObject({ status: 'queued', attempts: 1, lastErrorCode: 'WECHAT_-1' });
    // base 1000 ms, equal jitter with random 0.5 → 750 ms
    expect(failed.nextAttemptAt.getTime() - clock.now()).toBe(750);
    expect(await worker.runOnce()).toBe(0); // not due yet
    clock.advance(750);
    expect(await worker.runOnce()).toBe(1);
    expect(await rowByKey(event.dedupeKey)).toMatchObject({ status: 'sent', attempts: 2, lastErrorCode: null });
    expect(cards(s, user.openid)).toHaveLength(1);
  });

  it('transient errors past the maximum age end in temporary_failure', async () => {
    const { s, clock, platform } = await setup();
    const { citizen } = await followingCitizen(s);
    const event = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, event);
    platform.setFaults({ latencyMs: 0, templateQuotaExhausted: false, endpoints: { '/cgi-bin/message/template/send': { errcode: -1, rate: 1 } } });
    const { worker } = testWorker(s, { settings: { maxAgeMs: 3600_000 } });
    expect(await worker.runOnce()).toBe(1);
    expect((await rowByKey(event.dedupeKey)).status).toBe('queued');
    clock.advance(3600_000);
    expect(await worker.runOnce()).toBe(1);
    expect(await rowByKey(event.dedupeKey)).toMatchObject({ status: 'temporary_failure', attempts: 2, lastErrorCode: 'WECHAT_-1' });
  });

  it.each([43101, 40037, 47003])('errcode %i is a permanent failure at once', async (errcode) => {
    const { s, platform } = await setup();
    const { user, citizen } = await followingCitizen(s);
    const event = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, event);
    platform.setFaults({ latencyMs: 0, templateQuotaExhausted: false, endpoints: { '/cgi-bin/message/template/send': { errcode, rate: 1, times: 1 } } });
    const { worker, sends } = testWorker(s);
    await worker.runOnce();
    expect(await rowByKey(event.dedupeKey)).toMatchObject({ status: 'permanent_failure', attempts: 1, lastErrorCode: `WECHAT_${errcode}` });
    expect(await worker.runOnce()).toBe(0);
    expect(sends).toHaveLength(1);
    expect(cards(s, user.openid)).toHaveLength(0);
  });

  it('a citizen who unfollowed is a permanent failure without a send; an unknown citizen too', async () => {
    const { s, platform } = await setup();
    const { user, citizen } = await followingCitizen(s);
    await platform.unfollow(user.openid);
    const gone = applicationEvent(citizen.id);
    const unknown = applicationEvent(2 ** 40);
    await s.t.deps.notifications.enqueue(db, gone);
    await s.t.deps.notifications.enqueue(db, unknown);
    const { worker, sends } = testWorker(s);
    await worker.runOnce();
    expect(sends).toHaveLength(0);
    expect(await rowByKey(gone.dedupeKey)).toMatchObject({ status: 'permanent_failure', lastErrorCode: 'NOTIFICATION_RECIPIENT_NOT_FOLLOWING', attempts: 0 });
    expect(await rowByKey(unknown.dedupeKey)).toMatchObject({ status: 'permanent_failure', lastErrorCode: 'NOTIFICATION_RECIPIENT_UNKNOWN' });
  });

  it('45009 pauses all sending until the next Beijing midnight without burning attempts', async () => {
    const { s, clock, platform } = await setup();
    const { user, citizen } = await followingCitizen(s);
    const events = [applicationEvent(citizen.id), applicationEvent(citizen.id), applicationEvent(citizen.id)];
    for (const e of events) await s.t.deps.notifications.enqueue(db, e);
    platform.setFaults({ latencyMs: 0, templateQuotaExhausted: true, endpoints: {} });
    const { worker, sends } = testWorker(s, { settings: { concurrency: 1 } });
    expect(await worker.runOnce()).toBe(3);
    expect(sends).toHaveLength(1); // the first 45009 stops the rest of the batch
    const midnight = nextBeijingMidnight(clock.now());
    expect(midnight.toISOString()).toBe('2003-03-03T16:00:00.000Z');
    for (const r of await rowsByKey(events.map((e) => e.dedupeKey))) {
      expect(r).toMatchObject({ status: 'queued', attempts: 0 });
      expect(r.nextAttemptAt.getTime()).toBe(midnight.getTime());
    }
    // Another worker process sees the shared pause and sends nothing.
    const other = testWorker(s);
    expect(await other.worker.pausedUntil()).toEqual(midnight);
    expect(await other.worker.runOnce()).toBe(0);
    expect(other.sends).toHaveLength(0);
    platform.setFaults({ latencyMs: 0, templateQuotaExhausted: false, endpoints: {} });
    clock.set(midnight.getTime() + 1);
    expect(await other.worker.runOnce()).toBe(3);
    expect(cards(s, user.openid)).toHaveLength(3);
    expect((await rowsByKey(events.map((e) => e.dedupeKey))).map((r) => r.attempts)).toEqual([1, 1, 1]);
  });

  it('a crashed worker’s claim is retaken after it expires; the resend keeps its client_msg_id and WeChat delivers once', async () => {
    const { s, clock } = await setup();
    const { user, citizen } = await followingCitizen(s);
    const event = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, event);
    const row = await rowByKey(event.dedupeKey);
    // A worker claimed the row, got WeChat's answer and died before recording it.
    await db.update(notifications).set({ status: 'sending', claimOwner: 'dead-worker', claimExpiresAt: new Date(clock.now() + 60_000), nextAttemptAt: new Date(clock.now() + 60_000) }).where(eq(notifications.id, row.id));
    await s.t.deps.wechat.template.send({ touser: user.openid, template_id: SANDBOX_TEMPLATES[0]!.template_id, client_msg_id: clientMsgId(row), data: { thing1: { value: 'x' } } });
    const { worker, sends } = testWorker(s);
    expect(await worker.runOnce()).toBe(0); // still claimed
    clock.advance(60_000);
    expect(await worker.runOnce()).toBe(1);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.client_msg_id).toBe(clientMsgId(row));
    expect(await rowByKey(event.dedupeKey)).toMatchObject({ status: 'sent', claimOwner: null });
    expect(cards(s, user.openid)).toHaveLength(1); // the dead worker's send; the retake was deduplicated
  });

  it('a receipt that arrives before the worker wrote `sent` is not lost', async () => {
    const { s } = await setup();
    const { citizen } = await followingCitizen(s);
    const event = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, event);
    // WeChat is faster than our UPDATE: the receipt is handled before send() even returns.
    const { worker } = testWorker(s, {
      send: async (m) => {
        const res = await s.t.deps.wechat.template.send(m);
        await s.t.deps.wechatEvents.templateReceipt({ msgId: res.msgid, status: 'success', openid: m.touser, at: new Date() });
        return res;
      },
    });
    await worker.runOnce();
    expect(await rowByKey(event.dedupeKey)).toMatchObject({ status: 'delivered' });
  });

  it('receipts: user block → permanent_failure, system failed → temporary_failure, unknown msgid ignored', async () => {
    const { s, platform } = await setup();
    const { user, citizen } = await followingCitizen(s);
    platform.updateUser(user.openid, { blocked: true });
    const blocked = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, blocked);
    const { worker } = testWorker(s);
    await worker.runOnce();
    await platform.idle();
    expect(await rowByKey(blocked.dedupeKey)).toMatchObject({ status: 'permanent_failure', lastErrorCode: 'WECHAT_USER_BLOCK' });

    platform.updateUser(user.openid, { blocked: false });
    const flaky = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, flaky);
    const w2 = testWorker(s, { send: (m) => s.t.deps.wechat.template.send(m).then((r) => ({ msgid: r.msgid })) });
    await w2.worker.runOnce();
    const sent = await rowByKey(flaky.dedupeKey);
    await s.t.deps.notificationParts.receipts.handle({ msgId: sent.msgid!, status: 'failed: system failed', openid: user.openid, at: new Date() });
    expect(await rowByKey(flaky.dedupeKey)).toMatchObject({ status: 'temporary_failure', lastErrorCode: 'WECHAT_SYSTEM_FAILED' });
    // The sandbox's own `success` receipt comes later and must not undo a final state.
    await platform.idle();
    expect((await rowByKey(flaky.dedupeKey)).status).toBe('temporary_failure');

    const before = await rowByKey(flaky.dedupeKey);
    await s.t.deps.notificationParts.receipts.handle({ msgId: '999999999999999', status: 'success', openid: user.openid, at: new Date() });
    expect(await rowByKey(flaky.dedupeKey)).toEqual(before);
  });

  it('a staff retry after a failed receipt is a new message: not swallowed by WeChat’s 10-minute client_msg_id dedupe', async () => {
    const { s, platform, clock } = await setup();
    const { user, citizen } = await followingCitizen(s);
    platform.updateUser(user.openid, { blocked: true });
    const ev = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, ev);
    const { worker, sends } = testWorker(s);
    await worker.runOnce();
    await platform.idle();
    const failed = await rowByKey(ev.dedupeKey);
    expect(failed).toMatchObject({ status: 'permanent_failure', lastErrorCode: 'WECHAT_USER_BLOCK' });
    expect(cards(s, user.openid)).toHaveLength(0);

    platform.updateUser(user.openid, { blocked: false });
    clock.advance(60_000); // a minute later: well inside WeChat's dedupe window
    const staff = await createStaff(db, { role: 'supervisor' });
    await s.t.deps.notificationParts.admin.retry({ id: staff.id, username: staff.username, displayName: '测试', role: 'supervisor', sessionId: 'test' }, failed.id);
    await worker.runOnce();
    await platform.idle();
    expect(sends).toHaveLength(2);
    expect(sends[1]!.client_msg_id).not.toBe(sends[0]!.client_msg_id);
    expect(cards(s, user.openid)).toHaveLength(1);
    expect(await rowByKey(ev.dedupeKey)).toMatchObject({ status: 'delivered' });
  });

  it('opt-out: a booking confirmation is suppressed, a cancellation still goes', async () => {
    const { s } = await setup();
    const { user, citizen } = await followingCitizen(s);
    await s.t.deps.citizens.updatePreferences(citizen.id, { optionalNotifications: false });
    const booked = appointmentEvent(citizen.id, { kind: 'appointment.booked' });
    const reminder = appointmentEvent(citizen.id, { kind: 'appointment.reminder' });
    const cancelled = appointmentEvent(citizen.id, { kind: 'appointment.cancelled' });
    for (const e of [booked, reminder, cancelled]) await s.t.deps.notifications.enqueue(db, e);
    const { worker, sends } = testWorker(s);
    await worker.runOnce();
    expect(await rowByKey(booked.dedupeKey)).toMatchObject({ status: 'suppressed', lastErrorCode: 'NOTIFICATION_OPTED_OUT', attempts: 0 });
    expect(await rowByKey(reminder.dedupeKey)).toMatchObject({ status: 'suppressed' });
    expect(await rowByKey(cancelled.dedupeKey)).toMatchObject({ status: 'sent' });
    expect(sends).toHaveLength(1);
    const card = cards(s, user.openid).at(-1)!.template!;
    expect(card.title).toBe('预约取消通知');
    expect(card.rows.map((r) => r.value)).toEqual(['驾驶证换证', '市车管所第一服务大厅', '3月5日 09:00-09:30', 'AB12CD34']);
  });

  it('the running loop picks up an enqueue at once and stops cleanly', async () => {
    const { s } = await setup();
    const { user, citizen } = await followingCitizen(s);
    const { worker } = testWorker(s, { settings: { pollIntervalMs: 60_000 } });
    s.t.deps.notifications.onEnqueue(() => worker.wake());
    worker.start();
    await new Promise((r) => setTimeout(r, 100)); // the loop's first (empty) round is over: it now sleeps for a minute
    const event = applicationEvent(citizen.id);
    await s.t.deps.notifications.enqueue(db, event);
    await expect.poll(async () => (await rowByKey(event.dedupeKey)).status, { timeout: 5000 }).toBe('sent');
    await worker.stop();
    expect(cards(s, user.openid)).toHaveLength(1);
  });
});
