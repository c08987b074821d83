import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appointmentEvents, appointments, appointmentSlots } from '../../../db/schema';
import { addDays } from '../../../server/calendar/civil-date';
import { createTestApp, type TestApp } from '../../support/app';
import { signedInAgent } from '../../support/citizen-agent';
import { testDb } from '../../support/db';
import { appointmentRow, at, makeOffice, makeService, makeSlot, makeWeekdayHours, slotRow } from './fixtures';

/** Tuesday 2026-09-15 08:00 Asia/Shanghai: 国庆/中秋 2026 and their 调休 days lie ahead. */
const START = Date.parse('2026-09-15T00:00:00Z');
const clock = { t: START };
let t: TestApp;
beforeAll(() => {
  t = createTestApp({ now: () => clock.t });
});
afterAll(() => t.close());
beforeEach(() => {
  clock.t = START;
});
const db = () => testDb().db;

async function setup(opts: { capacity?: number } = {}) {
  const service = await makeService(db());
  const office = await makeOffice(db());
  const slot = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-17', 9, 30), capacity: opts.capacity ?? 2 });
  return { service, office, slot };
}

describe('catalogue', () => {
  it('lists services, offices offering a service, slots of a day and days with room', async () => {
    const { service, office, slot } = await setup();
    const other = await makeOffice(db());
    await makeWeekdayHours(db(), office.id, service.id);
    const services = await t.request.get('/api/h5/appointment-services');
    expect(services.status).toBe(200);
    expect(services.body.data).toContainEqual({ id: service.id, code: service.code, name: service.name, durationMinutes: 20, materials: ['居民身份证', '原驾驶证'] });

    const offs = await t.request.get('/api/h5/offices').query({ service: service.code });
    expect(offs.body.data.map((o: { id: number }) => o.id)).toEqual([office.id]);
    expect(offs.body.data.map((o: { id: number }) => o.id)).not.toContain(other.id);
    expect((await t.request.get('/api/h5/offices').query({ service: 'no_such_service' })).body.error.code).toBe('APPOINTMENT_SERVICE_NOT_FOUND');

    const slots = await t.request.get('/api/h5/slots').query({ office: office.id, service: service.code, date: '2026-09-17' });
    expect(slots.status).toBe(200);
    // the hand-made 09:30 slot plus the generated 09:00, 10:00, 10:30 ones (09:30 already existed)
    expect(slots.body.data.map((s: { start: string }) => s.start)).toEqual([
      '2026-09-17T09:00:00+08:00',
      '2026-09-17T09:30:00+08:00',
      '2026-09-17T10:00:00+08:00',
      '2026-09-17T10:30:00+08:00',
    ]);
    expect(slots.body.data[1]).toEqual({ id: slot.id, start: '2026-09-17T09:30:00+08:00', end: '2026-09-17T10:00:00+08:00', capacity: 2, remaining: 2, bookable: true });

    const days = await t.request.get('/api/h5/slot-days').query({ office: office.id, service: service.id, from: '2026-09-15', to: '2026-09-21' });
    expect(days.status).toBe(200);
    // 15 (Tue, 08:00 now: 09:00 is exactly 60 minutes ahead, still bookable) … 19 Sat closed, 20 Sun is 调休 → open
    expect(days.body.data.map((d: { date: string }) => d.date)).toEqual(['2026-09-15', '2026-09-16', '2026-09-17', '2026-09-18', '2026-09-20', '2026-09-21']);
    expect(days.body.data[0]).toEqual({ date: '2026-09-15', slots: 4, remaining: 8 });
    clock.t = START + 1; // one millisecond later the 09:00 slot is too close
    const later = await t.request.get('/api/h5/slot-days').query({ office: office.id, service: service.id, from: '2026-09-15', to: '2026-09-15' });
    expect(later.body.data).toEqual([{ date: '2026-09-15', slots: 3, remaining: 6 }]);
  });

  it('validates queries', async () => {
    const res = await t.request.get('/api/h5/slots').query({ office: 'x', service: 'a', date: '2026-02-30' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('slot generation: holidays, 调休 and closures', () => {
  it('opens weekdays and make-up workdays, never holidays or plain weekends; idempotent', async () => {
    const service = await makeService(db());
    const office = await makeOffice(db());
    await makeWeekdayHours(db(), office.id, service.id);
    const inserted = await t.deps.appointments.generateSlots({ officeId: office.id, serviceId: service.id, from: '2026-09-15', days: 30 });
    expect(inserted).toBeGreaterThan(0);
    expect(await t.deps.appointments.generateSlots({ officeId: office.id, serviceId: service.id, from: '2026-09-15', days: 30 })).toBe(0);

    const rows = await db().select().from(appointmentSlots).where(and(eq(appointmentSlots.officeId, office.id), eq(appointmentSlots.serviceId, service.id)));
    const days = new Set(rows.map((r) => r.day));
    const cal = t.deps.calendar;
    for (let d = '2026-09-15'; d <= '2026-10-15'; d = addDays(d, 1)) {
      // The office's hours are Monday–Friday, so it is open exactly on the calendar's working days.
      expect(days.has(d), d).toBe(cal.isWorkingDay(d));
    }
    expect(cal.isMakeUpWorkday('2026-09-20') && days.has('2026-09-20')).toBe(true); // Sunday 调休
    expect(cal.isMakeUpWorkday('2026-10-10') && days.has('2026-10-10')).toBe(true); // Saturday 调休
    expect(cal.isHoliday('2026-09-25') || days.has('2026-09-25')).toBe(true);
    expect(days.has('2026-09-25')).toBe(false); // 中秋节 (a Friday)
    for (const d of ['2026-10-01', '2026-10-05', '2026-10-07']) expect(days.has(d)).toBe(false); // 国庆节
    expect(days.has('2026-09-19')).toBe(false); // plain Saturday
    expect(rows.filter((r) => r.day === '2026-09-20')).toHaveLength(4); // Monday's hours
    expect(rows.every((r) => r.capacity === 2 && r.booked === 0)).toBe(true);

    // The calendar view and the day view agree: a holiday has no slots.
    const hol = await t.request.get('/api/h5/slots').query({ office: office.id, service: service.code, date: '2026-10-01' });
    expect(hol.body.data).toEqual([]);
  });

  it('a closure removes the unbooked slots, stops generation and refuses bookings on those days', async () => {
    const service = await makeService(db());
    const office = await makeOffice(db());
    await makeWeekdayHours(db(), office.id, service.id);
    await t.deps.appointments.generateSlots({ officeId: office.id, serviceId: service.id, from: '2026-09-15', days: 10 });
    await t.deps.appointments.addClosure({ officeId: office.id, from: '2026-09-22', to: '2026-09-23', reason: '系统升级' });
    await t.deps.appointments.generateSlots({ officeId: office.id, serviceId: service.id, from: '2026-09-15', days: 10 });
    const rows = await db().select().from(appointmentSlots).where(eq(appointmentSlots.officeId, office.id));
    expect(rows.some((r) => r.day === '2026-09-22' || r.day === '2026-09-23')).toBe(false);
    expect(rows.some((r) => r.day === '2026-09-24')).toBe(true);

    const days = await t.request.get('/api/h5/slot-days').query({ office: office.id, service: service.code, from: '2026-09-21', to: '2026-09-24' });
    expect(days.body.data.map((d: { date: string }) => d.date)).toEqual(['2026-09-21', '2026-09-24']);

    // a slot that exists anyway (made before the closure by hand) cannot be booked
    const stray = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-23', 15) });
    const { agent } = await signedInAgent(t);
    const res = await agent.post('/api/h5/appointments').send({ slotId: stray.id });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('APPOINTMENT_OFFICE_CLOSED');
    expect((await slotRow(db(), stray.id)).booked).toBe(0);
  });

  it('a slot on a public holiday cannot be booked', async () => {
    const { service, office } = await setup();
    const slot = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-10-02', 9) });
    const { agent } = await signedInAgent(t);
    const res = await agent.post('/api/h5/appointments').send({ slotId: slot.id });
    expect(res.body.error.code).toBe('APPOINTMENT_OFFICE_CLOSED');
  });
});

describe('booking', () => {
  it('books: 201 with id and confirmation code, seat taken, audit and reminder recorded', async () => {
    const { service, office, slot } = await setup();
    const { agent, citizen } = await signedInAgent(t);
    const res = await agent.post('/api/h5/appointments').send({ slotId: slot.id });
    expect(res.status).toBe(201);
    const a = res.body.data;
    expect(a).toMatchObject({ status: 'booked', active: true, changeable: true, date: '2026-09-17', start: '2026-09-17T09:30:00+08:00', end: '2026-09-17T10:00:00+08:00', slotId: slot.id });
    expect(a.confirmationCode).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(a.service).toMatchObject({ id: service.id, name: service.name });
    expect(a.office).toMatchObject({ id: office.id, address: office.address });
    expect((await slotRow(db(), slot.id)).booked).toBe(1);
    const row = await appointmentRow(db(), a.id);
    expect(row.citizenId).toBe(citizen.id);
    expect(row.remindAt?.toISOString()).toBe('2026-09-16T01:00:00.000Z'); // 09:00 Shanghai the day before
    expect(row.remindedAt).toBeNull();
    const events = await db().select().from(appointmentEvents).where(eq(appointmentEvents.appointmentId, a.id));
    expect(events).toMatchObject([{ action: 'booked', actorType: 'citizen', actorId: citizen.id, toSlotId: slot.id }]);

    const list = await agent.get('/api/h5/appointments');
    expect(list.body.data.map((x: { id: number }) => x.id)).toEqual([a.id]);
    expect((await agent.get(`/api/h5/appointments/${a.id}`)).body.data.confirmationCode).toBe(a.confirmationCode);
  });

  it('needs a signed-in citizen and an existing slot', async () => {
    expect((await t.request.post('/api/h5/appointments').send({ slotId: 1 })).body.error.code).toBe('CITIZEN_AUTH_REQUIRED');
    const { agent } = await signedInAgent(t);
    const res = await agent.post('/api/h5/appointments').send({ slotId: 999_999_999 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('APPOINTMENT_SLOT_NOT_FOUND');
  });

  it('a full slot answers 409 APPOINTMENT_SLOT_FULL', async () => {
    const { slot } = await setup({ capacity: 1 });
    const a = await signedInAgent(t);
    const b = await signedInAgent(t);
    expect((await a.agent.post('/api/h5/appointments').send({ slotId: slot.id })).status).toBe(201);
    const res = await b.agent.post('/api/h5/appointments').send({ slotId: slot.id });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('APPOINTMENT_SLOT_FULL');
    expect((await slotRow(db(), slot.id)).booked).toBe(1);
  });

  it('booking window: not within 60 minutes of the start, not beyond 30 days', async () => {
    const { service, office } = await setup();
    const soon = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: new Date(START + 59 * 60_000) });
    const ok = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: new Date(START + 61 * 60_000) });
    const far = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-10-16', 9) });
    const { agent } = await signedInAgent(t);
    const r1 = await agent.post('/api/h5/appointments').send({ slotId: soon.id });
    expect([r1.status, r1.body.error.code]).toEqual([422, 'APPOINTMENT_TOO_LATE']);
    const r2 = await agent.post('/api/h5/appointments').send({ slotId: far.id });
    expect([r2.status, r2.body.error.code]).toEqual([422, 'APPOINTMENT_TOO_FAR_AHEAD']);
    expect((await agent.post('/api/h5/appointments').send({ slotId: ok.id })).status).toBe(201);
  });

  it('the last day of the window (today + 30) is bookable', async () => {
    const { service, office } = await setup();
    const last = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-10-15', 16) });
    const { agent } = await signedInAgent(t);
    expect((await agent.post('/api/h5/appointments').send({ slotId: last.id })).status).toBe(201);
  });

  it('one active booking per service', async () => {
    const { service, slot } = await setup();
    const office2 = await makeOffice(db());
    const other = await makeSlot(db(), { officeId: office2.id, serviceId: service.id, startsAt: at('2026-09-18', 9) });
    const { agent } = await signedInAgent(t);
    expect((await agent.post('/api/h5/appointments').send({ slotId: slot.id })).status).toBe(201);
    const res = await agent.post('/api/h5/appointments').send({ slotId: other.id });
    expect([res.status, res.body.error.code]).toEqual([409, 'APPOINTMENT_SERVICE_LIMIT']);
    expect((await slotRow(db(), other.id)).booked).toBe(0);
  });

  it('one booking per office and day (another day, or another office, is fine)', async () => {
    const { office, slot } = await setup();
    const service2 = await makeService(db());
    const service3 = await makeService(db());
    const sameDay = await makeSlot(db(), { officeId: office.id, serviceId: service2.id, startsAt: at('2026-09-17', 15) });
    const nextDay = await makeSlot(db(), { officeId: office.id, serviceId: service2.id, startsAt: at('2026-09-18', 15) });
    const office2 = await makeOffice(db());
    const otherOffice = await makeSlot(db(), { officeId: office2.id, serviceId: service3.id, startsAt: at('2026-09-17', 15) });
    const { agent } = await signedInAgent(t);
    expect((await agent.post('/api/h5/appointments').send({ slotId: slot.id })).status).toBe(201);
    const res = await agent.post('/api/h5/appointments').send({ slotId: sameDay.id });
    expect([res.status, res.body.error.code]).toEqual([409, 'APPOINTMENT_DAY_LIMIT']);
    expect((await agent.post('/api/h5/appointments').send({ slotId: nextDay.id })).status).toBe(201);
    expect((await agent.post('/api/h5/appointments').send({ slotId: otherOffice.id })).status).toBe(201);
  });

  it('a booking whose time has passed no longer counts towards the limits', async () => {
    const { service, office, slot } = await setup();
    const { agent, citizen } = await signedInAgent(t);
    const first = await agent.post('/api/h5/appointments').send({ slotId: slot.id });
    expect(first.status).toBe(201);
    clock.t = at('2026-09-18', 8).getTime(); // the 17th is over; never checked in
    const later = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-21', 9) });
    const b = await t.deps.appointments.book(citizen, later.id);
    expect(b.status).toBe('booked');
  });
});

describe('cancel and reschedule', () => {
  it('cancel frees the seat, audits, and the service can be booked again; a second cancel is 409', async () => {
    const { slot } = await setup();
    const { agent } = await signedInAgent(t);
    const a = (await agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    const res = await agent.post(`/api/h5/appointments/${a.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'cancelled', active: false, changeable: false });
    expect(res.body.data.cancelledAt).toMatch(/\+08:00$/);
    expect((await slotRow(db(), slot.id)).booked).toBe(0);
    expect((await appointmentRow(db(), a.id)).remindAt).toBeNull();
    const again = await agent.post(`/api/h5/appointments/${a.id}/cancel`);
    expect([again.status, again.body.error.code]).toEqual([409, 'APPOINTMENT_NOT_ACTIVE']);
    expect((await agent.post('/api/h5/appointments').send({ slotId: slot.id })).status).toBe(201);
    const actions = (await db().select().from(appointmentEvents).where(eq(appointmentEvents.appointmentId, a.id))).map((e) => e.action);
    expect(actions).toEqual(['booked', 'cancelled']);
  });

  it('cancel and reschedule stop 120 minutes before the start', async () => {
    const { service, office } = await setup();
    const s = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: new Date(START + 3 * 3600_000) });
    const target = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-18', 10) });
    const { agent } = await signedInAgent(t);
    const a = (await agent.post('/api/h5/appointments').send({ slotId: s.id })).body.data;
    clock.t = START + 61 * 60_000; // 119 minutes to go
    const c = await agent.post(`/api/h5/appointments/${a.id}/cancel`);
    expect([c.status, c.body.error.code]).toEqual([422, 'APPOINTMENT_CHANGE_CUTOFF']);
    const r = await agent.post(`/api/h5/appointments/${a.id}/reschedule`).send({ slotId: target.id });
    expect([r.status, r.body.error.code]).toEqual([422, 'APPOINTMENT_CHANGE_CUTOFF']);
    expect((await agent.get(`/api/h5/appointments/${a.id}`)).body.data).toMatchObject({ status: 'booked', changeable: false });
    expect((await slotRow(db(), s.id)).booked).toBe(1);
  });

  it('reschedule moves the booking: same id and code, seats moved, audit, reminder reset', async () => {
    const { service, office, slot } = await setup();
    const target = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-22', 10) });
    const { agent } = await signedInAgent(t);
    const a = (await agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    const res = await agent.post(`/api/h5/appointments/${a.id}/reschedule`).send({ slotId: target.id });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: a.id, confirmationCode: a.confirmationCode, status: 'rescheduled', active: true, slotId: target.id, date: '2026-09-22' });
    expect((await slotRow(db(), slot.id)).booked).toBe(0);
    expect((await slotRow(db(), target.id)).booked).toBe(1);
    expect((await appointmentRow(db(), a.id)).remindAt?.toISOString()).toBe('2026-09-21T01:00:00.000Z');
    const ev = await db().select().from(appointmentEvents).where(eq(appointmentEvents.appointmentId, a.id));
    expect(ev.at(-1)).toMatchObject({ action: 'rescheduled', fromSlotId: slot.id, toSlotId: target.id });
    // still the one active booking of this service
    expect((await db().select().from(appointments).where(eq(appointments.citizenId, (await appointmentRow(db(), a.id)).citizenId))).length).toBe(1);
  });

  it('reschedule into a full slot is 409 and leaves the old booking intact', async () => {
    const { service, office, slot } = await setup();
    const full = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-22', 10), capacity: 1, booked: 1 });
    const { agent } = await signedInAgent(t);
    const a = (await agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    const res = await agent.post(`/api/h5/appointments/${a.id}/reschedule`).send({ slotId: full.id });
    expect([res.status, res.body.error.code]).toEqual([409, 'APPOINTMENT_SLOT_FULL']);
    expect((await agent.get(`/api/h5/appointments/${a.id}`)).body.data).toMatchObject({ status: 'booked', slotId: slot.id });
    expect((await slotRow(db(), slot.id)).booked).toBe(1);
    expect((await slotRow(db(), full.id)).booked).toBe(1);
  });

  it('reschedule to another service, or to the same slot, is 422', async () => {
    const { office, slot } = await setup();
    const service2 = await makeService(db());
    const elsewhere = await makeSlot(db(), { officeId: office.id, serviceId: service2.id, startsAt: at('2026-09-22', 10) });
    const { agent } = await signedInAgent(t);
    const a = (await agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    for (const slotId of [elsewhere.id, slot.id]) {
      const res = await agent.post(`/api/h5/appointments/${a.id}/reschedule`).send({ slotId });
      expect([res.status, res.body.error.code]).toEqual([422, 'APPOINTMENT_RESCHEDULE_INVALID']);
    }
  });

  it('reschedule respects the per-day limit of the target day', async () => {
    const { service, office, slot } = await setup();
    const service2 = await makeService(db());
    const busy = await makeSlot(db(), { officeId: office.id, serviceId: service2.id, startsAt: at('2026-09-22', 9) });
    const target = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-22', 15) });
    const { agent } = await signedInAgent(t);
    const a = (await agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    expect((await agent.post('/api/h5/appointments').send({ slotId: busy.id })).status).toBe(201);
    const res = await agent.post(`/api/h5/appointments/${a.id}/reschedule`).send({ slotId: target.id });
    expect([res.status, res.body.error.code]).toEqual([409, 'APPOINTMENT_DAY_LIMIT']);
    expect((await slotRow(db(), target.id)).booked).toBe(0);
  });
});

describe('no-shows', () => {
  it('3 no-shows within 90 days block new bookings for 30 days', async () => {
    const service = await makeService(db());
    const office = await makeOffice(db());
    const { agent, citizen } = await signedInAgent(t);
    const days = ['2026-09-16', '2026-09-17', '2026-09-18'];
    const ids: number[] = [];
    for (const d of days) {
      const s = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at(d, 9) });
      ids.push((await t.deps.appointments.book(citizen, s.id)).id);
      clock.t = at(d, 12).getTime();
      await t.deps.appointments.markNoShow(ids.at(-1)!, { type: 'staff', id: 1 });
    }
    expect((await appointmentRow(db(), ids[2]!)).status).toBe('no_show');
    const next = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-22', 9) });
    const res = await agent.post('/api/h5/appointments').send({ slotId: next.id });
    expect([res.status, res.body.error.code]).toEqual([409, 'APPOINTMENT_NO_SHOW_BLOCKED']);
    expect(res.body.error.message).toContain('2026-10-18');
    // 30 days after the third no-show the block is over
    clock.t = at('2026-10-18', 9, 1).getTime();
    const later = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-10-19', 15) });
    expect((await t.deps.appointments.book(citizen, later.id)).status).toBe('booked');
  });

  it('2 no-shows do not block, nor do 3 spread over more than 90 days', async () => {
    const service = await makeService(db());
    const office = await makeOffice(db());
    const { citizen } = await signedInAgent(t);
    const noShow = async (startsAt: Date) => {
      await db().insert(appointments).values({
        citizenId: citizen.id,
        slotId: 0,
        officeId: office.id,
        serviceId: service.id,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 1800_000),
        status: 'no_show',
        confirmationCode: Math.random().toString(36).slice(2, 10).toUpperCase().padEnd(8, 'X'),
        createdAt: startsAt,
        updatedAt: startsAt,
      });
    };
    await noShow(at('2026-05-01', 9)); // > 90 days before the other two
    await noShow(at('2026-09-01', 9));
    await noShow(at('2026-09-10', 9));
    const s = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-22', 9) });
    expect((await t.deps.appointments.book(citizen, s.id)).status).toBe('booked');
  });
});

describe('ownership', () => {
  it("another citizen's appointment is 404 for read, cancel, reschedule and ics", async () => {
    const { service, office, slot } = await setup();
    const target = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-22', 10) });
    const owner = await signedInAgent(t);
    const other = await signedInAgent(t);
    const a = (await owner.agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    for (const res of [
      await other.agent.get(`/api/h5/appointments/${a.id}`),
      await other.agent.post(`/api/h5/appointments/${a.id}/cancel`),
      await other.agent.post(`/api/h5/appointments/${a.id}/reschedule`).send({ slotId: target.id }),
      await other.agent.get(`/api/h5/appointments/${a.id}/ics`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('APPOINTMENT_NOT_FOUND');
    }
    expect((await other.agent.get('/api/h5/appointments')).body.data).toEqual([]);
    expect((await owner.agent.get(`/api/h5/appointments/${a.id}`)).body.data.status).toBe('booked');
    expect((await slotRow(db(), target.id)).booked).toBe(0);
  });
});
