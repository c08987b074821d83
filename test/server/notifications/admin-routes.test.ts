import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { auditEntries, notifications } from '../../../db/schema';
import { STAFF_ROLES } from '../../../server/staff/roles';
import { createTestApp } from '../../support/app';
import { testDb } from '../../support/db';
import { makeCitizen } from '../../support/factories';
import { signedInStaff } from '../../support/staff-agent';
import { applicationEvent, rowByKey } from './helpers';

describe('admin notification log routes', () => {
  const t = createTestApp();
  const db = testDb().db;
  afterAll(() => t.close());

  async function failedRow(status: 'permanent_failure' | 'temporary_failure' | 'delivered' = 'permanent_failure') {
    const c = await makeCitizen(db);
    const e = applicationEvent(c.id, { kind: 'application.rejected', reason: '材料不全' });
    await t.deps.notifications.enqueue(db, e);
    await db.update(notifications).set({ status, attempts: 3, lastErrorCode: 'WECHAT_43004', lastErrorMessage: 'WeChat refused the message (errcode 43004)', finishedAt: new Date() }).where(eq(notifications.dedupeKey, e.dedupeKey));
    return { row: await rowByKey(e.dedupeKey), citizen: c };
  }

  it('who may list and retry: anonymous 401; list for admin, supervisor, clerk; retry for admin and supervisor', async () => {
    const { row } = await failedRow();
    expect((await t.request.get('/api/admin/notifications')).status).toBe(401);
    expect((await t.request.post(`/api/admin/notifications/${row.id}/retry`)).status).toBe(401);
    const expectList: Record<string, number> = { admin: 200, supervisor: 200, clerk: 200, evaluator: 403 };
    for (const role of STAFF_ROLES) {
      const { agent } = await signedInStaff(t, role);
      expect((await agent.get('/api/admin/notifications')).status, role).toBe(expectList[role]);
      if (role === 'clerk' || role === 'evaluator') expect((await agent.post(`/api/admin/notifications/${row.id}/retry`)).status, role).toBe(403);
    }
  });

  it('lists with filters and pages, showing the citizen by id and never an openid or the reason text', async () => {
    const { row, citizen } = await failedRow();
    const { agent } = await signedInStaff(t, 'clerk');
    const res = await agent.get('/api/admin/notifications').query({ status: 'permanent_failure', kind: 'application.rejected', citizenId: citizen.id, page: 1 });
    expect(res.status).toBe(200);
    expect(res.body.page).toMatchObject({ page: 1, pageSize: 20, total: 1 });
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({ id: row.id, citizenId: citizen.id, status: 'permanent_failure', kind: 'application.rejected', lastErrorCode: 'WECHAT_43004', retryable: true });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(citizen.openid);
    expect(text).not.toContain('材料不全');
    expect(text).not.toContain('openid');
    // Empty filters mean "any".
    expect((await agent.get('/api/admin/notifications?status=&kind=&citizenId=' + citizen.id)).body.page.total).toBe(1);
  });

  it('bad filters are a 400 naming the field', async () => {
    const { agent } = await signedInStaff(t, 'admin');
    for (const q of ['status=lost', 'kind=spam', 'page=0', 'pageSize=1000', 'foo=1']) {
      const res = await agent.get(`/api/admin/notifications?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await agent.post('/api/admin/notifications/abc/retry')).status).toBe(400);
  });

  it('retry puts a failed message back in the queue, audited; other states answer 409, unknown ids 404', async () => {
    const { row } = await failedRow('temporary_failure');
    const { agent, staff } = await signedInStaff(t, 'supervisor');
    const res = await agent.post(`/api/admin/notifications/${row.id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: row.id, status: 'queued', attempts: 0, lastErrorCode: null, retryable: false });
    expect(await rowByKey(row.dedupeKey)).toMatchObject({ status: 'queued', attempts: 0 });
    const audit = await db.select().from(auditEntries).where(and(eq(auditEntries.action, 'notification.retry'), eq(auditEntries.subjectId, String(row.id))));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: 'staff', actorId: staff.id, subjectType: 'notification' });
    expect(audit[0]!.detail).toMatchObject({ from: 'temporary_failure', kind: 'application.rejected' });

    const again = await agent.post(`/api/admin/notifications/${row.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NOTIFICATION_NOT_RETRYABLE');
    const { row: delivered } = await failedRow('delivered');
    expect((await agent.post(`/api/admin/notifications/${delivered.id}/retry`)).body.error.code).toBe('NOTIFICATION_NOT_RETRYABLE');
    const missing = await agent.post('/api/admin/notifications/999999999999/retry');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOTIFICATION_NOT_FOUND');
  });
});
