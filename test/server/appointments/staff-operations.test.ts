import { and, asc, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { appointmentEvents, appointmentSlots, auditEntries, officeClosures } from '../../../db/schema';
import { loadHolidayCalendar } from '../../../server/calendar';
import { createCitizenService } from '../../../server/citizens/service';
import { AppError } from '../../../server/http/errors';
import { createAppointmentService } from '../../../server/appointments/service';
import { createAppointmentStaffService, hoursProblems, maskName } from '../../../server/appointments/staff-service';
import { createAuditLog } from '../../../server/staff/audit';
import type { StaffPrincipal } from '../../../server/staff/roles';
import { makeCitizen } from '../../support/factories';
import { testDb } from '../../support/db';
import { appointmentRow, at, makeOffice, makeService, makeWeekdayHours, slotRow } from './fixtures';

/**
 * Staff appointment operations over the real booking service and database: the day's list
 * (masked, audited), check-in and no-show rules, hours changes that regenerate slots without
 * touching booked seats, and closures that show the bookings inside them.
 */

/** Tuesday 2026-09-15 08:00 Asia/Shanghai; 16–18 are ordinary workdays. */
const START = Date.parse('2026-09-15T00:00:00Z');
const clock = { t: START };
const now = () => clock.t;
const db = () => testDb().db;
const calendar = loadHolidayCalendar();
const citizens = createCitizenService({ db: db() });
const booking = createAppointmentService({ db: db(), calendar, now });
const staffSvc = createAppointmentStaffService({
  db: db(),
  calendar,
  appointments: booking,
  audit: createAuditLog({ now }),
  maxDaysAhead: 30,
  now,
  citizenNames: (ids) => citizens.displayNames(ids),
});
const staff: StaffPrincipal = { id: 900_001, username: 'clerk1', displayName: '柜台一', role: 'clerk', sessionId: 's' };

beforeEach(() => {
  clock.t = START;
});

async function setup() {
  const service = await makeService(db());
  const office = await makeOffice(db());
  await makeWeekdayHours(db(), office.id, service.id); // Mon–Fri 09:00–11:00, 30 min, capacity 2
  await booking.generateSlots({ officeId: office.id, serviceId: service.id });
  const slotAt = async (when: Date) =>
    (await db().select().from(appointmentSlots).where(and(eq(appointmentSlots.officeId, office.id), eq(appointmentSlots.startsAt, when))))[0]!;
  const book = async (name: string | null, when: Date) => {
    const c = await makeCitizen(db(), { displayName: name });
    const slot = await slotAt(when);
    return booking.book({ id: c.id, openid: c.openid }, slot.id);
  };
  return { service, office, slotAt, book };
}

const auditRows = (action: string, subjectId: string | number) =>
  db().select().from(auditEntries).where(and(eq(auditEntries.action, action), eq(auditEntries.subjectId, String(subjectId))));

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'OK';
};

describe('masking', () => {
  it('keeps the family name and hides the rest', () => {
    expect(maskName('张伟')).toBe('张*');
    expect(maskName('欧阳小明')).toBe('欧***');
    expect(maskName('李')).toBe('李*');
    expect(maskName(null)).toBe('未留名');
    expect(maskName('  ')).toBe('未留名');
  });
});

describe("the day's list", () => {
  it("shows the office's appointments of a Shanghai day with masked names, and audits the read", async () => {
    const { office, book } = await setup();
    const a = await book('张伟', at('2026-09-15', 9, 30));
    const b = await book('欧阳小明', at('2026-09-15', 9, 0));
    await book('王五', at('2026-09-16', 9, 0)); // another day

    const day = await staffSvc.day(staff, office.id);
    expect(day).toMatchObject({ officeId: office.id, date: '2026-09-15', today: '2026-09-15' });
    expect(day.appointments.map((x) => [x.id, x.citizen.name, x.start])).toEqual([
      [b.id, '欧***', '2026-09-15T09:00:00+08:00'],
      [a.id, '张*', '2026-09-15T09:30:00+08:00'],
    ]);
    expect(day.appointments[0]).toMatchObject({ status: 'booked', canCheckIn: true, canMarkNoShow: false, confirmationCode: b.confirmationCode });
    expect(JSON.stringify(day)).not.toMatch(/openid|oTest/);

    const audit = await auditRows('appointment.day_list.read', office.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: 'staff', actorId: staff.id, subjectType: 'office', detail: { date: '2026-09-15', citizensShown: 2 } });

    const other = await staffSvc.day(staff, office.id, '2026-09-16');
    expect(other.appointments.map((x) => x.citizen.name)).toEqual(['王*']);
    expect(await codeOf(staffSvc.day(staff, 999_999_999))).toBe('APPOINTMENT_OFFICE_NOT_FOUND');
  });
});

describe('check-in and no-show', () => {
  it('check-in only on the day and only once; no-show only after the start; both audited with the staff member', async () => {
    const { book } = await setup();
    const today = await book('张伟', at('2026-09-15', 9, 30));
    const later = await book('李四', at('2026-09-17', 10, 0));

    expect(await codeOf(staffSvc.checkIn(staff, later.id))).toBe('APPOINTMENT_CHECK_IN_NOT_TODAY');
    expect(await codeOf(staffSvc.markNoShow(staff, today.id))).toBe('APPOINTMENT_NO_SHOW_TOO_EARLY');

    const checked = await staffSvc.checkIn(staff, today.id);
    expect(checked).toMatchObject({ id: today.id, status: 'checked_in', canCheckIn: false, canMarkNoShow: false });
    expect(checked.checkedInAt).toBe('2026-09-15T08:00:00+08:00');
    expect(await codeOf(staffSvc.checkIn(staff, today.id))).toBe('APPOINTMENT_NOT_ACTIVE');
    expect(await codeOf(staffSvc.markNoShow(staff, today.id))).toBe('APPOINTMENT_NOT_ACTIVE');

    clock.t = at('2026-09-17', 10, 5).getTime();
    const missed = await staffSvc.markNoShow(staff, later.id);
    expect(missed.status).toBe('no_show');
    expect((await appointmentRow(db(), later.id)).activeServiceKey).toBeNull();
    expect(await codeOf(staffSvc.checkIn(staff, later.id))).toBe('APPOINTMENT_NOT_ACTIVE');
    expect(await codeOf(staffSvc.checkIn(staff, 999_999_999))).toBe('APPOINTMENT_NOT_FOUND');

    const events = await db().select().from(appointmentEvents).where(eq(appointmentEvents.appointmentId, today.id));
    expect(events.map((e) => [e.action, e.actorType, e.actorId])).toContainEqual(['checked_in', 'staff', staff.id]);
    expect(await auditRows('appointment.check_in', today.id)).toHaveLength(1);
    expect(await auditRows('appointment.no_show', later.id)).toHaveLength(1);
  });

  it('a cancelled booking can be neither checked in nor marked', async () => {
    const { book } = await setup();
    const a = await book('张伟', at('2026-09-16', 10, 0));
    const c = (await appointmentRow(db(), a.id)).citizenId;
    await booking.cancel({ id: c, openid: '' }, a.id);
    clock.t = at('2026-09-16', 10, 30).getTime();
    expect(await codeOf(staffSvc.checkIn(staff, a.id))).toBe('APPOINTMENT_NOT_ACTIVE');
    expect(await codeOf(staffSvc.markNoShow(staff, a.id))).toBe('APPOINTMENT_NOT_ACTIVE');
  });
});

describe('opening hours', () => {
  it('refuses rows that close before they open, cannot hold a slot, or overlap', () => {
    expect(hoursProblems([{ weekday: 1, open: '10:00', close: '09:00', slotMinutes: 30, capacity: 1 }])).toMatchObject([{ path: 'rows.0.close' }]);
    expect(hoursProblems([{ weekday: 1, open: '09:00', close: '09:20', slotMinutes: 30, capacity: 1 }])).toMatchObject([{ path: 'rows.0.slotMinutes' }]);
    expect(
      hoursProblems([
        { weekday: 1, open: '09:00', close: '12:00', slotMinutes: 30, capacity: 1 },
        { weekday: 1, open: '11:30', close: '13:00', slotMinutes: 30, capacity: 1 },
        { weekday: 2, open: '11:30', close: '13:00', slotMinutes: 30, capacity: 1 },
      ]),
    ).toEqual([{ path: 'rows.1', message: '与第 1 行的时间重叠' }]);
  });

  it('new hours replace unbooked future slots; booked seats are kept, resized inside the hours and frozen outside them', async () => {
    const { office, service, slotAt, book } = await setup();
    const inside = await book('张伟', at('2026-09-16', 9, 0)); // 09:00 stays a slot start with 20-minute slots
    const outside = await book('李四', at('2026-09-17', 10, 30)); // after the new 10:00 close
    const before = (await staffSvc.hours(office.id)).services.find((s) => s.id === service.id)!;
    expect(before.rows).toHaveLength(5);
    expect(before.rows[0]).toEqual({ weekday: 1, open: '09:00', close: '11:00', slotMinutes: 30, capacity: 2 });

    const rows = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, open: '09:00', close: '10:00', slotMinutes: 20, capacity: 3 }));
    const change = await staffSvc.setHours({ ...staff, role: 'supervisor' }, office.id, service.id, rows);
    expect(change.rows).toHaveLength(5);
    expect(change.keptBookedSlots).toBe(2);
    expect(change.removedSlots).toBeGreaterThan(0);
    expect(change.addedSlots).toBeGreaterThan(0);
    expect(change.bookingsOutsideHours.map((b) => [b.id, b.citizen.name])).toEqual([[outside.id, '李*']]);

    // Inside the new hours: same slot, same booking, new capacity and length.
    const kept = await slotRow(db(), (await appointmentRow(db(), inside.id)).slotId);
    expect(kept).toMatchObject({ booked: 1, capacity: 3, endsAt: at('2026-09-16', 9, 20) });
    // Outside: still booked, no room for anyone else.
    const frozen = await slotRow(db(), (await appointmentRow(db(), outside.id)).slotId);
    expect(frozen).toMatchObject({ booked: 1, capacity: 1, startsAt: at('2026-09-17', 10, 30) });
    expect((await appointmentRow(db(), outside.id)).status).toBe('booked');

    // The 16th now has 09:00 (kept), 09:20, 09:40; the old 09:30–10:30 starts are gone.
    const day16 = await db().select().from(appointmentSlots).where(and(eq(appointmentSlots.officeId, office.id), eq(appointmentSlots.day, '2026-09-16'))).orderBy(asc(appointmentSlots.startsAt));
    expect(day16.map((s) => [s.startsAt.toISOString(), s.capacity])).toEqual([
      [at('2026-09-16', 9, 0).toISOString(), 3],
      [at('2026-09-16', 9, 20).toISOString(), 3],
      [at('2026-09-16', 9, 40).toISOString(), 3],
    ]);
    expect(await slotAt(at('2026-09-16', 10, 0))).toBeUndefined();

    const audit = await auditRows('appointment.hours.update', office.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ serviceId: service.id, keptBookedSlots: 2, bookingsOutsideHours: 1 });

    // Overlapping rows change nothing.
    const bad = [...rows, { weekday: 1, open: '09:30', close: '11:00', slotMinutes: 30, capacity: 1 }];
    expect(await codeOf(staffSvc.setHours(staff, office.id, service.id, bad))).toBe('APPOINTMENT_HOURS_INVALID');
    expect((await staffSvc.hours(office.id)).services.find((s) => s.id === service.id)!.rows).toHaveLength(5);
  });

  it('emptying the hours closes the week to new bookings but keeps every booking', async () => {
    const { office, service, book } = await setup();
    const a = await book('张伟', at('2026-09-18', 9, 30));
    const change = await staffSvc.setHours(staff, office.id, service.id, []);
    expect(change).toMatchObject({ rows: [], addedSlots: 0, keptBookedSlots: 1 });
    expect(change.bookingsOutsideHours.map((b) => b.id)).toEqual([a.id]);
    const left = await db().select().from(appointmentSlots).where(and(eq(appointmentSlots.officeId, office.id), eq(appointmentSlots.day, '2026-09-18')));
    expect(left.map((s) => [s.booked, s.capacity])).toEqual([[1, 1]]);
  });
});

describe('closures', () => {
  it('adding one removes free slots, keeps bookings and lists the citizens inside; removing it reopens the days', async () => {
    const { office, book } = await setup();
    const inside = await book('张伟', at('2026-09-18', 9, 30));
    await book('李四', at('2026-09-21', 9, 0)); // outside the closure

    const c = await staffSvc.addClosure(staff, office.id, { from: '2026-09-18', to: '2026-09-18', reason: '系统升级' });
    expect(c).toMatchObject({ officeId: office.id, from: '2026-09-18', to: '2026-09-18', reason: '系统升级' });
    expect(c.bookings.map((b) => [b.id, b.citizen.name, b.confirmationCode])).toEqual([[inside.id, '张*', inside.confirmationCode]]);
    const on18 = await db().select().from(appointmentSlots).where(and(eq(appointmentSlots.officeId, office.id), eq(appointmentSlots.day, '2026-09-18')));
    expect(on18.map((s) => s.booked)).toEqual([1]);

    const list = await staffSvc.closures(staff, office.id);
    expect(list.map((x) => [x.id, x.bookings.map((b) => b.id)])).toEqual([[c.id, [inside.id]]]);
    expect(await auditRows('appointment.closure.add', c.id)).toHaveLength(1);
    const reads = await auditRows('appointment.closure_bookings.read', office.id);
    expect(reads[0]?.detail).toMatchObject({ citizensShown: 1 });

    await staffSvc.removeClosure(staff, c.id);
    expect(await db().select().from(officeClosures).where(eq(officeClosures.id, c.id))).toEqual([]);
    const reopened = await db().select().from(appointmentSlots).where(and(eq(appointmentSlots.officeId, office.id), eq(appointmentSlots.day, '2026-09-18')));
    expect(reopened).toHaveLength(4);
    expect(await auditRows('appointment.closure.remove', c.id)).toHaveLength(1);
    expect(await codeOf(staffSvc.removeClosure(staff, c.id))).toBe('APPOINTMENT_CLOSURE_NOT_FOUND');
    expect(await staffSvc.closures(staff, office.id)).toEqual([]);
  });

  it('refuses reversed, past or over-long ranges', async () => {
    const { office } = await setup();
    expect(await codeOf(staffSvc.addClosure(staff, office.id, { from: '2026-09-20', to: '2026-09-19', reason: 'x' }))).toBe('APPOINTMENT_CLOSURE_INVALID');
    expect(await codeOf(staffSvc.addClosure(staff, office.id, { from: '2026-09-14', to: '2026-09-16', reason: 'x' }))).toBe('APPOINTMENT_CLOSURE_INVALID');
    expect(await codeOf(staffSvc.addClosure(staff, office.id, { from: '2026-09-16', to: '2027-09-17', reason: 'x' }))).toBe('APPOINTMENT_CLOSURE_INVALID');
    expect(await db().select().from(officeClosures).where(eq(officeClosures.officeId, office.id))).toEqual([]);
  });
});
