import { and, eq } from 'drizzle-orm';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointments, appointmentSlots, auditEntries } from '../../../db/schema';
import type { StaffRole } from '../../../server/staff/roles';
import { createTestApp, type TestApp } from '../../support/app';
import { makeCitizen } from '../../support/factories';
import { testDb } from '../../support/db';
import { checkMatrix, staffAgents } from '../menu/role-matrix';
import { at, makeOffice, makeService, makeSlot, makeWeekdayHours } from './fixtures';

/** The staff appointment API (/api/admin/appointments) as mounted, over the real database. */

/** Tuesday 2026-09-15 08:00 Asia/Shanghai. */
const clock = { t: Date.parse('2026-09-15T00:00:00Z') };
let t: TestApp;
let agents: Record<StaffRole, supertest.Agent>;
const db = () => testDb().db;
beforeAll(async () => {
  t = createTestApp({ now: () => clock.t });
  agents = await staffAgents(t);
});
afterAll(() => t.close());

async function setup() {
  const service = await makeService(db());
  const office = await makeOffice(db());
  await makeWeekdayHours(db(), office.id, service.id, { capacity: 50 });
  await t.deps.appointments.generateSlots({ officeId: office.id, serviceId: service.id });
  const book = async (when: Date, name = '张伟') => {
    const c = await makeCitizen(db(), { displayName: name });
    const slot = (await db().select().from(appointmentSlots).where(and(eq(appointmentSlots.officeId, office.id), eq(appointmentSlots.startsAt, when))))[0]!;
    return t.deps.appointments.book({ id: c.id, openid: c.openid }, slot.id);
  };
  // A booking whose time has begun (the clock never moves: staff sessions would idle out).
  const early = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-15', 7, 0), capacity: 50 });
  const begun = async () => {
    const c = await makeCitizen(db(), { displayName: '孙七' });
    const [res] = await db().insert(appointments).values({
      citizenId: c.id, slotId: early.id, officeId: office.id, serviceId: service.id, startsAt: early.startsAt, endsAt: early.endsAt,
      status: 'booked', confirmationCode: `N${String(c.id).padStart(7, '0')}`.slice(-8), createdAt: new Date(clock.t), updatedAt: new Date(clock.t),
    });
    return res.insertId;
  };
  return { service, office, book, begun };
}

describe('appointment operations API', () => {
  it('counter work for admins, supervisors and clerks; hours and closures for admins and supervisors; anonymous 401', async () => {
    const { office, service, book, begun } = await setup();
    const counter: StaffRole[] = ['admin', 'supervisor', 'clerk'];
    const manage: StaffRole[] = ['admin', 'supervisor'];
    let minute = 0;
    // Each allowed check-in needs its own booking of today.
    const todays = async () => (await book(at('2026-09-15', 9, (minute++ % 4) * 30), '李四')).id;
    const hours = { rows: [{ weekday: 1, open: '09:00', close: '11:00', slotMinutes: 30, capacity: 50 }] };
    let day = 20;
    const closure = () => ({ from: `2026-10-${day}`, to: `2026-10-${day++}`, reason: '设备检修' });
    const closureId = async () => (await agents.admin.post(`/api/admin/appointments/offices/${office.id}/closures`).send(closure())).body.data.id as number;
    await checkMatrix(t, agents, [
      { method: 'get', path: () => '/api/admin/appointments/offices', roles: counter, ok: 200 },
      { method: 'get', path: () => `/api/admin/appointments/offices/${office.id}/day`, roles: counter, ok: 200 },
      { method: 'post', path: async () => `/api/admin/appointments/${await todays()}/check-in`, roles: counter, ok: 200 },
      { method: 'post', path: async () => `/api/admin/appointments/${await begun()}/no-show`, roles: counter, ok: 200 },
      { method: 'get', path: () => `/api/admin/appointments/offices/${office.id}/hours`, roles: manage, ok: 200 },
      { method: 'put', path: () => `/api/admin/appointments/offices/${office.id}/hours/${service.id}`, body: () => hours, roles: manage, ok: 200 },
      { method: 'get', path: () => `/api/admin/appointments/offices/${office.id}/closures`, roles: manage, ok: 200 },
      { method: 'post', path: () => `/api/admin/appointments/offices/${office.id}/closures`, body: closure, roles: manage, ok: 201 },
      { method: 'delete', path: async () => `/api/admin/appointments/closures/${await closureId()}`, roles: manage, ok: 204 },
    ]);
  });

  it("a clerk's day: masked list, check-in, no-show refused before the start, errors from the table; the read is audited", async () => {
    const { office, book } = await setup();
    const a = await book(at('2026-09-15', 10, 0), '王小明');
    const clerk = agents.clerk;
    const day = await clerk.get(`/api/admin/appointments/offices/${office.id}/day`);
    expect(day.status).toBe(200);
    expect(day.headers['cache-control']).toBe('no-store');
    expect(day.body.data.appointments).toEqual([
      expect.objectContaining({ id: a.id, confirmationCode: a.confirmationCode, citizen: { name: '王**' }, canCheckIn: true, canMarkNoShow: false }),
    ]);
    expect(JSON.stringify(day.body)).not.toMatch(/openid|citizenId/);

    const early = await clerk.post(`/api/admin/appointments/${a.id}/no-show`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('APPOINTMENT_NO_SHOW_TOO_EARLY');
    const ok = await clerk.post(`/api/admin/appointments/${a.id}/check-in`);
    expect(ok.body.data).toMatchObject({ status: 'checked_in' });
    expect((await clerk.post(`/api/admin/appointments/${a.id}/check-in`)).body.error.code).toBe('APPOINTMENT_NOT_ACTIVE');

    expect((await clerk.get(`/api/admin/appointments/offices/${office.id}/day?date=2026-13-01`)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await clerk.post('/api/admin/appointments/0/check-in')).body.error.code).toBe('VALIDATION_FAILED');
    const reads = await db().select().from(auditEntries).where(and(eq(auditEntries.action, 'appointment.day_list.read'), eq(auditEntries.subjectId, String(office.id))));
    expect(reads).toHaveLength(1);
  });

  it('hours and closures over HTTP: bad input is a 400 with details; closure bookings are shown', async () => {
    const { office, service, book } = await setup();
    const admin = agents.admin;
    const overlap = await admin.put(`/api/admin/appointments/offices/${office.id}/hours/${service.id}`).send({
      rows: [
        { weekday: 2, open: '09:00', close: '11:00', slotMinutes: 30, capacity: 2 },
        { weekday: 2, open: '10:00', close: '12:00', slotMinutes: 30, capacity: 2 },
      ],
    });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error).toMatchObject({ code: 'APPOINTMENT_HOURS_INVALID', details: [{ path: 'rows.1' }] });
    const shape = await admin.put(`/api/admin/appointments/offices/${office.id}/hours/${service.id}`).send({ rows: [{ weekday: 9, open: '9am', close: '11:00', slotMinutes: 30, capacity: 2 }] });
    expect(shape.body.error.code).toBe('APPOINTMENT_HOURS_INVALID');
    expect(shape.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['rows.0.open', 'rows.0.weekday']);

    const b = await book(at('2026-09-17', 9, 0), '赵六');
    const added = await admin.post(`/api/admin/appointments/offices/${office.id}/closures`).send({ from: '2026-09-17', to: '2026-09-18', reason: '系统升级' });
    expect(added.status).toBe(201);
    expect(added.body.data.bookings).toEqual([expect.objectContaining({ id: b.id, citizen: { name: '赵*' } })]);
    const list = await admin.get(`/api/admin/appointments/offices/${office.id}/closures`);
    expect(list.body.data.map((c: { reason: string; bookings: unknown[] }) => [c.reason, c.bookings.length])).toEqual([['系统升级', 1]]);
    const reversed = await admin.post(`/api/admin/appointments/offices/${office.id}/closures`).send({ from: '2026-09-18', to: '2026-09-17', reason: 'x' });
    expect(reversed.body.error.code).toBe('APPOINTMENT_CLOSURE_INVALID');
    expect((await admin.delete('/api/admin/appointments/closures/999999999')).body.error.code).toBe('APPOINTMENT_CLOSURE_NOT_FOUND');
  });
});
