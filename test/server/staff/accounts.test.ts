import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, staffAccounts } from '../../../db/schema';
import { createAuditLog } from '../../../server/staff/audit';
import { createTestApp, type TestApp } from '../../support/app';
import { testDb, uniq } from '../../support/db';
import { createStaff, loginAgent, signedInStaff } from '../../support/staff-agent';

const auditOf = async (subjectId: number, action: string) =>
  testDb()
    .db.select()
    .from(auditEntries)
    .where(and(eq(auditEntries.subjectType, 'staff'), eq(auditEntries.subjectId, String(subjectId)), eq(auditEntries.action, action)));

describe('staff account management (admin)', () => {
  let t: TestApp;
  beforeAll(() => {
    t = createTestApp();
  });
  afterAll(() => t.close());

  it('creates an account that can sign in; the response and the list never carry the hash; audited with the acting admin', async () => {
    const admin = await signedInStaff(t, 'admin');
    const username = uniq('new');
    const res = await admin.agent.post('/api/admin/staff').send({ username: `  ${username.toUpperCase()} `, displayName: '王小明', role: 'clerk', password: 'Solid-Password-8' });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ username, displayName: '王小明', role: 'clerk', disabled: false, lastLoginAt: null, activeSessions: 0 });
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password/i);
    const list = await admin.agent.get('/api/admin/staff');
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|passwordHash/);
    expect(list.body.data.some((s: { username: string }) => s.username === username)).toBe(true);
    const [created] = await auditOf(res.body.data.id, 'staff.create');
    expect(created).toMatchObject({ actorType: 'staff', actorId: admin.staff.id, detail: { username, role: 'clerk' } });
    expect((await loginAgent(t, username, 'Solid-Password-8')).res.status).toBe(200);
  });

  it('the staff directory gives supervisors and clerks the names of assignable colleagues only', async () => {
    const clerk = await signedInStaff(t, 'clerk');
    const off = await createStaff(testDb().db, { role: 'clerk' });
    const evaluator = await createStaff(testDb().db, { role: 'evaluator' });
    const admin = await signedInStaff(t, 'admin');
    expect((await admin.agent.post(`/api/admin/staff/${off.id}/disable`)).status).toBe(200);
    for (const role of ['supervisor', 'clerk'] as const) {
      const who = role === 'clerk' ? clerk : await signedInStaff(t, role);
      const res = await who.agent.get('/api/admin/staff-directory');
      expect(res.status).toBe(200);
      const ids = res.body.data.map((s: { id: number }) => s.id);
      expect(ids).toContain(clerk.staff.id);
      expect(ids).not.toContain(off.id);
      expect(ids).not.toContain(evaluator.id);
      for (const entry of res.body.data) expect(Object.keys(entry).sort()).toEqual(['displayName', 'id', 'role']);
    }
    expect((await (await signedInStaff(t, 'evaluator')).agent.get('/api/admin/staff-directory')).status).toBe(403);
  });

  it('refuses a taken username, a bad username, an unknown role and a weak password with clear 4xx errors', async () => {
    const admin = await signedInStaff(t, 'admin');
    const existing = await createStaff(testDb().db, { role: 'clerk' });
    const base = { displayName: '某人', role: 'clerk', password: 'Solid-Password-8' };
    const taken = await admin.agent.post('/api/admin/staff').send({ ...base, username: existing.username });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'STAFF_USERNAME_TAKEN']);
    for (const username of ['ab', '1abc', 'has space', 'a'.repeat(33), '用户名']) {
      const res = await admin.agent.post('/api/admin/staff').send({ ...base, username });
      expect([username, res.status, res.body.error.code]).toEqual([username, 400, 'VALIDATION_FAILED']);
    }
    const role = await admin.agent.post('/api/admin/staff').send({ ...base, username: uniq('r'), role: 'root' });
    expect(role.status).toBe(400);
    const weak = await admin.agent.post('/api/admin/staff').send({ ...base, username: uniq('w'), password: 'short' });
    expect([weak.status, weak.body.error.code]).toEqual([400, 'STAFF_PASSWORD_WEAK']);
    const missing = await admin.agent.patch(`/api/admin/staff/${existing.id}`).send({});
    expect(missing.status).toBe(400);
    const notFound = await admin.agent.post('/api/admin/staff/999999999/disable');
    expect([notFound.status, notFound.body.error.code]).toEqual([404, 'STAFF_NOT_FOUND']);
    expect((await admin.agent.get('/api/admin/staff/abc')).status).toBe(400);
  });

  it('audits role changes, disable/enable, password resets and revocations', async () => {
    const admin = await signedInStaff(t, 'admin');
    const m = await createStaff(testDb().db, { role: 'clerk' });
    await admin.agent.patch(`/api/admin/staff/${m.id}`).send({ role: 'supervisor', displayName: '新名' });
    await admin.agent.post(`/api/admin/staff/${m.id}/disable`);
    await admin.agent.post(`/api/admin/staff/${m.id}/enable`);
    await admin.agent.post(`/api/admin/staff/${m.id}/password`).send({ password: 'Reset-Password-3' });
    await admin.agent.post(`/api/admin/staff/${m.id}/revoke-sessions`);
    const rows = await testDb()
      .db.select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectType, 'staff'), eq(auditEntries.subjectId, String(m.id))))
      .orderBy(auditEntries.id);
    expect(rows.map((r) => r.action)).toEqual(['staff.update', 'staff.disable', 'staff.enable', 'staff.password_reset', 'staff.sessions_revoke']);
    expect(rows.every((r) => r.actorType === 'staff' && r.actorId === admin.staff.id)).toBe(true);
    expect(rows[0]!.detail).toMatchObject({ roleFrom: 'clerk', roleTo: 'supervisor', displayNameChanged: true });
    expect(JSON.stringify(rows)).not.toContain('Reset-Password-3');
  });

  it('an admin cannot disable themselves or change their own role', async () => {
    const admin = await signedInStaff(t, 'admin');
    await createStaff(testDb().db, { role: 'admin' }); // not the last admin
    const off = await admin.agent.post(`/api/admin/staff/${admin.staff.id}/disable`);
    expect([off.status, off.body.error.code]).toEqual([409, 'STAFF_SELF_CHANGE']);
    const demote = await admin.agent.patch(`/api/admin/staff/${admin.staff.id}`).send({ role: 'clerk' });
    expect(demote.body.error.code).toBe('STAFF_SELF_CHANGE');
  });

  it('never leaves the system without an enabled admin, even when two admins demote each other at once', async () => {
    // Start from a state with exactly two enabled admins: disable every other admin first.
    const db = testDb().db;
    const others = await db.select({ id: staffAccounts.id }).from(staffAccounts).where(and(eq(staffAccounts.role, 'admin'), eq(staffAccounts.disabled, false)));
    if (others.length) await db.update(staffAccounts).set({ disabled: true }).where(inArray(staffAccounts.id, others.map((o) => o.id)));
    try {
      const a = await signedInStaff(t, 'admin');
      const b = await signedInStaff(t, 'admin');
      const [ra, rb] = await Promise.all([
        a.agent.patch(`/api/admin/staff/${b.staff.id}`).send({ role: 'clerk' }),
        b.agent.post(`/api/admin/staff/${a.staff.id}/disable`),
      ]);
      const statuses = [ra.status, rb.status].sort();
      // One wins; the other either finds itself signed out by the winner (401) or is refused as the last admin (409).
      expect(statuses[0]).toBe(200);
      expect([401, 409]).toContain(statuses[1]);
      const enabledAdmins = await db.select().from(staffAccounts).where(and(eq(staffAccounts.role, 'admin'), eq(staffAccounts.disabled, false)));
      expect(enabledAdmins).toHaveLength(1);
      // and the survivor cannot be removed either (through the service: the guard would stop it as self-change)
      const survivor = enabledAdmins[0]!;
      await expect(t.deps.staff.setDisabled({ system: 'test' }, survivor.id, true)).rejects.toMatchObject({ code: 'STAFF_LAST_ADMIN' });
      await expect(t.deps.staff.update({ system: 'test' }, survivor.id, { role: 'evaluator' })).rejects.toMatchObject({ code: 'STAFF_LAST_ADMIN' });
    } finally {
      if (others.length) await db.update(staffAccounts).set({ disabled: false }).where(inArray(staffAccounts.id, others.map((o) => o.id)));
    }
  });
});

describe('audit log', () => {
  let t: TestApp;
  beforeAll(() => {
    t = createTestApp();
  });
  afterAll(() => t.close());

  it('record() commits and rolls back with the caller’s transaction and scrubs secret-looking keys', async () => {
    const audit = createAuditLog();
    const db = testDb().db;
    const subjectId = uniq('subj');
    await db.transaction(async (tx) => {
      await audit.record(tx, { actor: { system: 'test' }, action: 'test.kept', subjectType: 'test', subjectId, detail: { note: 'ok', password: 'p@ss', nested: { openid: 'oABC', token: 't' } } });
    });
    await expect(
      db.transaction(async (tx) => {
        await audit.record(tx, { actor: { citizenId: 7 }, action: 'test.rolled_back', subjectType: 'test', subjectId });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await db.select().from(auditEntries).where(eq(auditEntries.subjectId, subjectId));
    expect(rows.map((r) => r.action)).toEqual(['test.kept']);
    expect(rows[0]!.detail).toEqual({ note: 'ok', password: '[redacted]', nested: { openid: '[redacted]', token: '[redacted]' } });
    expect(rows[0]).toMatchObject({ actorType: 'system', actorName: 'test', actorId: null });
  });

  it('GET /api/admin/audit filters by action, actor, subject and time, newest first, paged', async () => {
    const admin = await signedInStaff(t, 'admin');
    const m = await createStaff(testDb().db, { role: 'clerk' });
    for (const name of ['一', '二', '三']) await admin.agent.patch(`/api/admin/staff/${m.id}`).send({ displayName: name });
    await admin.agent.post(`/api/admin/staff/${m.id}/disable`);

    const all = await admin.agent.get(`/api/admin/audit?subjectType=staff&subjectId=${m.id}`);
    expect(all.status).toBe(200);
    expect(all.body.data.map((r: { action: string }) => r.action)).toEqual(['staff.disable', 'staff.update', 'staff.update', 'staff.update']);
    expect(all.body.page).toEqual({ page: 1, pageSize: 50, total: 4 });
    expect(all.body.data[0].actor).toMatchObject({ type: 'staff', id: admin.staff.id, username: admin.staff.username });

    const updates = await admin.agent.get(`/api/admin/audit?subjectType=staff&subjectId=${m.id}&action=staff.update&pageSize=2&page=2`);
    expect(updates.body.data).toHaveLength(1);
    expect(updates.body.page).toEqual({ page: 2, pageSize: 2, total: 3 });

    const byActor = await admin.agent.get(`/api/admin/audit?actorType=staff&actorId=${admin.staff.id}`);
    expect(byActor.body.page.total).toBe(4);

    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await admin.agent.get(`/api/admin/audit?subjectType=staff&subjectId=${m.id}&from=${encodeURIComponent(future)}`);
    expect(none.body.data).toEqual([]);
    const before = await admin.agent.get(`/api/admin/audit?subjectType=staff&subjectId=${m.id}&to=${encodeURIComponent(future)}`);
    expect(before.body.page.total).toBe(4);
  });

  it('rejects bad filters with 400', async () => {
    const admin = await signedInStaff(t, 'supervisor');
    for (const q of ['pageSize=1000', 'page=0', 'actorType=robot', 'from=yesterday', 'actorId=-1']) {
      const res = await admin.agent.get(`/api/admin/audit?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
    }
  });
});
