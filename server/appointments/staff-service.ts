import { and, asc, desc, eq, gt, gte, inArray, lt, lte } from 'drizzle-orm';
import {
  ACTIVE_APPOINTMENT_STATUSES,
  appointments,
  appointmentServices,
  appointmentSlots,
  officeClosures,
  officeHours,
  offices,
  type AppointmentRow,
  type Database,
  type OfficeHoursRow,
  type Transaction,
} from '../../db/schema';
import { addDays, dayNumber, shanghaiStartOfDay, toShanghaiDate, weekday, type CivilDate } from '../calendar/civil-date';
import type { HolidayCalendar } from '../calendar/working-days';
import { AppError } from '../http/errors';
import type { AuditLog } from '../staff/audit-types';
import type { StaffPrincipal } from '../staff/roles';
import { materialiseSlots, shanghaiIso, type AppointmentService } from './service';
import type {
  ClosureView,
  HoursChangeView,
  HoursRowInput,
  HoursRowView,
  OfficeHoursView,
  StaffAppointmentView,
  StaffDayView,
  StaffOfficeView,
} from './staff-schema';

/**
 * Appointment operations for staff (admin view): the day's list per office, check-in, no-show,
 * weekly hours and closures. The booking rules and seat arithmetic stay in service.ts; this file
 * adds what staff may do when, and audits every action and every read that shows citizens.
 *
 * Changing hours never takes a seat away: unbooked future slots are replaced by slots from the
 * new hours; booked ones are kept, take the new capacity when their time is still inside the
 * hours (never below what is booked), and are frozen at their bookings (no new seats) when it is
 * not. Those bookings stay valid and are returned, so staff can contact the citizens.
 */

export interface AppointmentStaffService {
  offices(): Promise<StaffOfficeView[]>;
  day(staff: StaffPrincipal, officeId: number, date?: CivilDate): Promise<StaffDayView>;
  checkIn(staff: StaffPrincipal, id: number): Promise<StaffAppointmentView>;
  markNoShow(staff: StaffPrincipal, id: number): Promise<StaffAppointmentView>;
  hours(officeId: number): Promise<OfficeHoursView>;
  setHours(staff: StaffPrincipal, officeId: number, serviceId: number, rows: HoursRowInput[]): Promise<HoursChangeView>;
  closures(staff: StaffPrincipal, officeId: number): Promise<ClosureView[]>;
  addClosure(staff: StaffPrincipal, officeId: number, input: { from: CivilDate; to: CivilDate; reason: string }): Promise<ClosureView>;
  removeClosure(staff: StaffPrincipal, closureId: number): Promise<void>;
}

export interface AppointmentStaffDeps {
  db: Database;
  calendar: HolidayCalendar;
  appointments: Pick<AppointmentService, 'checkIn' | 'markNoShow' | 'addClosure' | 'generateSlots'>;
  audit: AuditLog;
  /** display names by citizen id (the citizens area owns them) */
  citizenNames(ids: number[]): Promise<Map<number, string | null>>;
  /** the booking window: slots are regenerated this many days ahead */
  maxDaysAhead: number;
  now?: () => number;
}

const MINUTE = 60_000;
const MAX_CLOSURE_DAYS = 366;

/** 张伟 → 张*, 欧阳小明 → 欧**: the family name stays so a clerk can greet them, the rest is hidden. */
export function maskName(name: string | null | undefined): string {
  const chars = [...(name ?? '').trim()];
  if (chars.length === 0) return '未留名';
  if (chars.length === 1) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 1, 3))}`;
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
const rowView = (h: Pick<OfficeHoursRow, 'weekday' | 'openMinute' | 'closeMinute' | 'slotMinutes' | 'capacity'>): HoursRowView => ({
  weekday: h.weekday,
  open: hhmm(h.openMinute),
  close: hhmm(h.closeMinute),
  slotMinutes: h.slotMinutes,
  capacity: h.capacity,
});

/** Rows a week may hold: each opens before it closes, fits one slot, and no two overlap on a day. */
export function hoursProblems(rows: HoursRowInput[]): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  rows.forEach((r, i) => {
    const open = minutesOf(r.open);
    const close = minutesOf(r.close);
    if (close <= open) out.push({ path: `rows.${i}.close`, message: '结束时间必须晚于开始时间' });
    else if (close - open < r.slotMinutes) out.push({ path: `rows.${i}.slotMinutes`, message: '时段长度超过了营业时长' });
    rows.forEach((o, j) => {
      if (j <= i || o.weekday !== r.weekday) return;
      if (minutesOf(o.open) < close && open < minutesOf(o.close)) out.push({ path: `rows.${j}`, message: `与第 ${i + 1} 行的时间重叠` });
    });
  });
  return out;
}

export function createAppointmentStaffService(deps: AppointmentStaffDeps): AppointmentStaffService {
  const { db, calendar, audit } = deps;
  const now = deps.now ?? Date.now;
  const today = () => toShanghaiDate(now());
  const isActive = (a: Pick<AppointmentRow, 'status'>) => (ACTIVE_APPOINTMENT_STATUSES as readonly string[]).includes(a.status);
  const actor = (s: StaffPrincipal) => ({ staffId: s.id });

  async function present(rows: AppointmentRow[]): Promise<StaffAppointmentView[]> {
    if (rows.length === 0) return [];
    const svc = await db
      .select({ id: appointmentServices.id, name: appointmentServices.name })
      .from(appointmentServices)
      .where(inArray(appointmentServices.id, [...new Set(rows.map((r) => r.serviceId))]));
    const svcName = new Map(svc.map((s) => [s.id, s.name]));
    const names = await deps.citizenNames([...new Set(rows.map((r) => r.citizenId))]);
    const t = now();
    return rows.map((a) => ({
      id: a.id,
      confirmationCode: a.confirmationCode,
      status: a.status,
      date: toShanghaiDate(a.startsAt),
      start: shanghaiIso(a.startsAt),
      end: shanghaiIso(a.endsAt),
      service: { id: a.serviceId, name: svcName.get(a.serviceId) ?? '' },
      officeId: a.officeId,
      citizen: { name: maskName(names.get(a.citizenId)) },
      checkedInAt: a.checkedInAt ? shanghaiIso(a.checkedInAt) : null,
      noShowAt: a.noShowAt ? shanghaiIso(a.noShowAt) : null,
      canCheckIn: isActive(a) && toShanghaiDate(a.startsAt) === toShanghaiDate(t),
      canMarkNoShow: isActive(a) && a.startsAt.getTime() <= t,
    }));
  }

  async function loadAppointment(id: number): Promise<AppointmentRow> {
    const row = (await db.select().from(appointments).where(eq(appointments.id, id)).limit(1))[0];
    if (!row) throw new AppError('APPOINTMENT_NOT_FOUND');
    return row;
  }

  async function officeOrThrow(officeId: number) {
    const row = (await db.select().from(offices).where(eq(offices.id, officeId)).limit(1))[0];
    if (!row) throw new AppError('APPOINTMENT_OFFICE_NOT_FOUND');
    return row;
  }

  async function serviceOrThrow(serviceId: number) {
    const row = (await db.select().from(appointmentServices).where(eq(appointmentServices.id, serviceId)).limit(1))[0];
    if (!row) throw new AppError('APPOINTMENT_SERVICE_NOT_FOUND');
    return row;
  }

  /** Active bookings of an office between two civil dates (inclusive). */
  async function activeBookings(officeId: number, from: CivilDate, to: CivilDate, serviceId?: number): Promise<AppointmentRow[]> {
    return db
      .select()
      .from(appointments)
      .where(
        and(
          eq(appointments.officeId, officeId),
          serviceId ? eq(appointments.serviceId, serviceId) : undefined,
          inArray(appointments.status, [...ACTIVE_APPOINTMENT_STATUSES]),
          gte(appointments.startsAt, shanghaiStartOfDay(from)),
          lt(appointments.startsAt, shanghaiStartOfDay(addDays(to, 1))),
        ),
      )
      .orderBy(asc(appointments.startsAt), asc(appointments.id));
  }

  async function closureViews(staff: StaffPrincipal, rows: (typeof officeClosures.$inferSelect)[]): Promise<ClosureView[]> {
    const out: ClosureView[] = [];
    let shown = 0;
    for (const c of rows) {
      const bookings = await present(await activeBookings(c.officeId, c.fromDate, c.toDate));
      shown += bookings.length;
      out.push({ id: c.id, officeId: c.officeId, from: c.fromDate, to: c.toDate, reason: c.reason, createdAt: c.createdAt.toISOString(), bookings });
    }
    if (shown > 0 && rows[0]) {
      await audit.record(db, {
        actor: actor(staff),
        action: 'appointment.closure_bookings.read',
        subjectType: 'office',
        subjectId: rows[0].officeId,
        detail: { closures: rows.map((r) => r.id), citizensShown: shown },
      });
    }
    return out;
  }

  async function staffChange(staff: StaffPrincipal, id: number, to: 'checked_in' | 'no_show') {
    const row = await loadAppointment(id);
    if (!isActive(row)) throw new AppError('APPOINTMENT_NOT_ACTIVE');
    if (to === 'checked_in' && toShanghaiDate(row.startsAt) !== today()) throw new AppError('APPOINTMENT_CHECK_IN_NOT_TODAY');
    if (to === 'no_show' && row.startsAt.getTime() > now()) throw new AppError('APPOINTMENT_NO_SHOW_TOO_EARLY');
    // The state change (row lock, active check, appointment_events with the staff id) is the
    // booking service's; the staff audit row commits in the same transaction.
    const record = (tx: Transaction) =>
      audit.record(tx, {
        actor: actor(staff),
        action: to === 'checked_in' ? 'appointment.check_in' : 'appointment.no_show',
        subjectType: 'appointment',
        subjectId: id,
        detail: { officeId: row.officeId, date: toShanghaiDate(row.startsAt) },
      });
    if (to === 'checked_in') await deps.appointments.checkIn(id, { type: 'staff', id: staff.id }, record);
    else await deps.appointments.markNoShow(id, { type: 'staff', id: staff.id }, record);
    const [view] = await present([await loadAppointment(id)]);
    return view!;
  }

  return {
    async offices() {
      const [officeRows, serviceRows, hourRows] = await Promise.all([
        db.select().from(offices).where(eq(offices.active, true)).orderBy(asc(offices.id)),
        db.select().from(appointmentServices).where(eq(appointmentServices.active, true)).orderBy(asc(appointmentServices.sortOrder), asc(appointmentServices.id)),
        db.selectDistinct({ officeId: officeHours.officeId, serviceId: officeHours.serviceId }).from(officeHours),
      ]);
      const has = new Set(hourRows.map((h) => `${h.officeId}:${h.serviceId}`));
      return officeRows.map((o) => ({
        id: o.id,
        name: o.name,
        address: o.address,
        services: serviceRows.map((s) => ({ id: s.id, code: s.code, name: s.name, hasHours: has.has(`${o.id}:${s.id}`) })),
      }));
    },

    async day(staff, officeId, date) {
      await officeOrThrow(officeId);
      const d = date ?? today();
      const rows = await db
        .select()
        .from(appointments)
        .where(and(eq(appointments.officeId, officeId), gte(appointments.startsAt, shanghaiStartOfDay(d)), lt(appointments.startsAt, shanghaiStartOfDay(addDays(d, 1)))))
        .orderBy(asc(appointments.startsAt), asc(appointments.id))
        .limit(2000);
      const list = await present(rows);
      // Masked names are still personal data: the read is audited.
      await audit.record(db, { actor: actor(staff), action: 'appointment.day_list.read', subjectType: 'office', subjectId: officeId, detail: { date: d, citizensShown: list.length } });
      return { officeId, date: d, today: today(), appointments: list };
    },

    checkIn: (staff, id) => staffChange(staff, id, 'checked_in'),
    markNoShow: (staff, id) => staffChange(staff, id, 'no_show'),

    async hours(officeId) {
      await officeOrThrow(officeId);
      const [serviceRows, hourRows] = await Promise.all([
        db.select().from(appointmentServices).where(eq(appointmentServices.active, true)).orderBy(asc(appointmentServices.sortOrder), asc(appointmentServices.id)),
        db.select().from(officeHours).where(eq(officeHours.officeId, officeId)).orderBy(asc(officeHours.weekday), asc(officeHours.openMinute)),
      ]);
      return {
        officeId,
        services: serviceRows.map((s) => ({ id: s.id, code: s.code, name: s.name, rows: hourRows.filter((h) => h.serviceId === s.id).map(rowView) })),
      };
    },

    async setHours(staff, officeId, serviceId, rows) {
      await officeOrThrow(officeId);
      await serviceOrThrow(serviceId);
      const problems = hoursProblems(rows);
      if (problems.length) throw new AppError('APPOINTMENT_HOURS_INVALID', problems[0]!.message, problems);
      const from = today();
      const at = new Date(now());
      const newRows = rows.map((r) => ({ officeId, serviceId, weekday: r.weekday, openMinute: minutesOf(r.open), closeMinute: minutesOf(r.close), slotMinutes: r.slotMinutes, capacity: r.capacity }));

      const result = await db.transaction(async (tx) => {
        // Two editors of the same office and service queue here.
        await tx.select({ id: officeHours.id }).from(officeHours).where(and(eq(officeHours.officeId, officeId), eq(officeHours.serviceId, serviceId))).for('update');
        await tx.delete(officeHours).where(and(eq(officeHours.officeId, officeId), eq(officeHours.serviceId, serviceId)));
        if (newRows.length) await tx.insert(officeHours).values(newRows);
        const inFuture = and(eq(appointmentSlots.officeId, officeId), eq(appointmentSlots.serviceId, serviceId), gte(appointmentSlots.day, from), gt(appointmentSlots.startsAt, at));
        // A booking racing this waits on the slot's row lock, then finds it gone (SLOT_FULL) or booked (kept).
        const [removed] = await tx.delete(appointmentSlots).where(and(inFuture, eq(appointmentSlots.booked, 0)));
        const kept = await tx.select().from(appointmentSlots).where(and(inFuture, gt(appointmentSlots.booked, 0))).for('update');
        const added = await materialiseSlots(tx, calendar, { from, days: deps.maxDaysAhead, officeId, serviceId });
        const outside: number[] = [];
        for (const slot of kept) {
          const info = calendar.dayInfo(slot.day);
          const wd = info.kind === 'makeup-workday' ? 1 : weekday(slot.day);
          const minute = Math.round((slot.startsAt.getTime() - shanghaiStartOfDay(slot.day).getTime()) / MINUTE);
          const fits = info.kind === 'holiday' ? undefined : newRows.find((h) => h.weekday === wd && minute >= h.openMinute && minute + h.slotMinutes <= h.closeMinute && (minute - h.openMinute) % h.slotMinutes === 0);
          if (fits) {
            await tx
              .update(appointmentSlots)
              .set({ capacity: Math.max(fits.capacity, slot.booked), endsAt: new Date(slot.startsAt.getTime() + fits.slotMinutes * MINUTE) })
              .where(eq(appointmentSlots.id, slot.id));
          } else {
            // Outside the new hours: honoured, but closed to further bookings.
            await tx.update(appointmentSlots).set({ capacity: slot.booked }).where(eq(appointmentSlots.id, slot.id));
            outside.push(slot.id);
          }
        }
        const outsideRows = outside.length
          ? await tx.select().from(appointments).where(and(inArray(appointments.slotId, outside), inArray(appointments.status, [...ACTIVE_APPOINTMENT_STATUSES]))).orderBy(asc(appointments.startsAt))
          : [];
        await audit.record(tx, {
          actor: actor(staff),
          action: 'appointment.hours.update',
          subjectType: 'office',
          subjectId: officeId,
          detail: { serviceId, rows: newRows.length, removedSlots: removed.affectedRows, addedSlots: added, keptBookedSlots: kept.length, bookingsOutsideHours: outsideRows.length },
        });
        return { removedSlots: removed.affectedRows, addedSlots: added, keptBookedSlots: kept.length, outsideRows };
      });
      const saved = await db.select().from(officeHours).where(and(eq(officeHours.officeId, officeId), eq(officeHours.serviceId, serviceId))).orderBy(asc(officeHours.weekday), asc(officeHours.openMinute));
      return {
        officeId,
        serviceId,
        rows: saved.map(rowView),
        removedSlots: result.removedSlots,
        addedSlots: result.addedSlots,
        keptBookedSlots: result.keptBookedSlots,
        bookingsOutsideHours: await present(result.outsideRows),
      };
    },

    async closures(staff, officeId) {
      await officeOrThrow(officeId);
      const rows = await db
        .select()
        .from(officeClosures)
        .where(and(eq(officeClosures.officeId, officeId), gte(officeClosures.toDate, today())))
        .orderBy(asc(officeClosures.fromDate), asc(officeClosures.id));
      return closureViews(staff, rows);
    },

    async addClosure(staff, officeId, input) {
      await officeOrThrow(officeId);
      if (input.to < input.from) throw new AppError('APPOINTMENT_CLOSURE_INVALID', '结束日期不能早于开始日期。', [{ path: 'to', message: '结束日期不能早于开始日期' }]);
      if (input.from < today()) throw new AppError('APPOINTMENT_CLOSURE_INVALID', '不能为已经过去的日期安排闭馆。', [{ path: 'from', message: '开始日期已过' }]);
      if (dayNumber(input.to) - dayNumber(input.from) >= MAX_CLOSURE_DAYS) {
        throw new AppError('APPOINTMENT_CLOSURE_INVALID', `一次闭馆最长 ${MAX_CLOSURE_DAYS} 天。`, [{ path: 'to', message: '范围过长' }]);
      }
      // The bookings inside are listed for staff (read before, so the audit row can say how many).
      const bookings = await present(await activeBookings(officeId, input.from, input.to));
      const id = await deps.appointments.addClosure({ officeId, from: input.from, to: input.to, reason: input.reason }, (tx, closureId) =>
        audit.record(tx, {
          actor: actor(staff),
          action: 'appointment.closure.add',
          subjectType: 'office_closure',
          subjectId: closureId,
          detail: { officeId, from: input.from, to: input.to, bookingsInside: bookings.length },
        }),
      );
      const row = (await db.select().from(officeClosures).where(eq(officeClosures.id, id)))[0]!;
      return { id: row.id, officeId, from: row.fromDate, to: row.toDate, reason: row.reason, createdAt: row.createdAt.toISOString(), bookings };
    },

    async removeClosure(staff, closureId) {
      const row = await db.transaction(async (tx) => {
        const c = (await tx.select().from(officeClosures).where(eq(officeClosures.id, closureId)).for('update'))[0];
        if (!c) throw new AppError('APPOINTMENT_CLOSURE_NOT_FOUND');
        await tx.delete(officeClosures).where(eq(officeClosures.id, closureId));
        await audit.record(tx, {
          actor: actor(staff),
          action: 'appointment.closure.remove',
          subjectType: 'office_closure',
          subjectId: closureId,
          detail: { officeId: c.officeId, from: c.fromDate, to: c.toDate },
        });
        return c;
      });
      // The days open again: give them slots (booked slots kept through the closure are left as they are).
      const from = row.fromDate < today() ? today() : row.fromDate;
      if (row.toDate >= from) {
        const last = addDays(today(), deps.maxDaysAhead);
        const to = row.toDate < last ? row.toDate : last;
        if (to >= from) await deps.appointments.generateSlots({ from, days: dayNumber(to) - dayNumber(from), officeId: row.officeId });
      }
    },
  };
}
