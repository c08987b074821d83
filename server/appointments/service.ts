import { and, asc, desc, eq, gt, gte, inArray, lt, lte, or, sql } from 'drizzle-orm';
import {
  ACTIVE_APPOINTMENT_STATUSES,
  appointmentEvents,
  appointments,
  appointmentServices,
  appointmentSlots,
  officeClosures,
  officeHours,
  offices,
  type AppointmentRow,
  type AppointmentServiceRow,
  type AppointmentSlotRow,
  type Database,
  type Executor,
  type OfficeRow,
  type Transaction,
} from '../../db/schema';
import { addDays, dayNumber, shanghaiStartOfDay, toShanghaiDate, weekday, type CivilDate } from '../calendar/civil-date';
import type { HolidayCalendar } from '../calendar/working-days';
import { AppError } from '../http/errors';
import type { NotificationOutbox } from '../notifications/types';
import type { UsageRecorder } from '../usage/recorder';
import type { PoolConnection } from 'mysql2/promise';
import { rawTransaction } from '../../db/raw-transaction';
import { ER_DUP_ENTRY, mysqlError, retryingTx } from '../../db/retry';
import { insertBookingRaw, probeSlot, takeSeatRaw } from './booking-sql';
import { newConfirmationCode } from './codes';
import { buildIcs } from './ics';
import type { AppointmentView, OfficeView, ServiceView, SlotDayView, SlotView } from './schema';

export interface AppointmentRules {
  /** slots up to this many days after today (Asia/Shanghai) may be booked; also the slot window */
  maxDaysAhead: number;
  /** no booking later than this many minutes before the start */
  minLeadMinutes: number;
  /** no cancel or reschedule later than this many minutes before the start */
  changeCutoffMinutes: number;
  onePerService: boolean;
  onePerDayPerOffice: boolean;
  /** noShowLimit no-shows within noShowWindowDays block bookings for noShowBlockDays */
  noShowLimit: number;
  noShowWindowDays: number;
  noShowBlockDays: number;
  /** hour (Asia/Shanghai) on the day before the appointment when its reminder is due */
  remindHour: number;
}

export const DEFAULT_APPOINTMENT_RULES: AppointmentRules = {
  maxDaysAhead: 30,
  minLeadMinutes: 60,
  changeCutoffMinutes: 120,
  onePerService: true,
  onePerDayPerOffice: true,
  noShowLimit: 3,
  noShowWindowDays: 90,
  noShowBlockDays: 30,
  remindHour: 9,
};

export interface CitizenRef {
  id: number;
  openid: string;
}

export type Actor = { type: 'citizen' | 'staff' | 'system'; id: number | null };

export interface AppointmentService {
  listServices(): Promise<ServiceView[]>;
  listOffices(serviceRef?: string): Promise<OfficeView[]>;
  listSlots(officeId: number, serviceRef: string, date: CivilDate): Promise<SlotView[]>;
  slotDays(officeId: number, serviceRef: string, from?: CivilDate, to?: CivilDate): Promise<SlotDayView[]>;
  book(citizen: CitizenRef, slotId: number): Promise<AppointmentView>;
  list(citizen: CitizenRef): Promise<AppointmentView[]>;
  get(citizen: CitizenRef, id: number): Promise<AppointmentView>;
  cancel(citizen: CitizenRef, id: number): Promise<AppointmentView>;
  reschedule(citizen: CitizenRef, id: number, slotId: number): Promise<AppointmentView>;
  ics(citizen: CitizenRef, id: number): Promise<{ filename: string; body: string }>;
  /**
   * Materialise slots from the weekly hours for open days (no holidays, 调休 workdays use
   * Monday's hours, no closures), from `from` (default today) for `days` days (default the
   * booking window). Idempotent: existing slots are left as they are. Returns slots inserted.
   */
  generateSlots(opts?: { from?: CivilDate; days?: number; officeId?: number; serviceId?: number }): Promise<number>;
  /** Close an office for a date range: unbooked slots in it are removed, booked ones kept for staff to handle. */
  /** returns the closure's id; `inTx` runs in the same transaction (e.g. the staff audit row) */
  addClosure(input: { officeId: number; from: CivilDate; to: CivilDate; reason: string }, inTx?: (tx: Transaction, closureId: number) => Promise<void>): Promise<number>;
  /** staff operations (no H5 route): mark an active booking checked in or a no-show */
  checkIn(id: number, actor: Actor, inTx?: (tx: Transaction) => Promise<void>): Promise<void>;
  markNoShow(id: number, actor: Actor, inTx?: (tx: Transaction) => Promise<void>): Promise<void>;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MAX_RANGE_DAYS = 62;

/** ISO 8601 in Asia/Shanghai: 2026-10-09T09:30:00+08:00 */
export const shanghaiIso = (d: Date) => `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;

class CodeCollision extends Error {}

/** how long presented appointments may show a service's or office's old name after an edit */
const CATALOGUE_TTL_MS = 30_000;

/** Duplicate keys on insert/update of an appointment become the rule they enforce. */
function translateDuplicate(err: unknown): never {
  const e = mysqlError(err);
  if (e?.errno === ER_DUP_ENTRY) {
    if (e.message.includes('appointments_active_service_uq')) throw new AppError('APPOINTMENT_SERVICE_LIMIT');
    if (e.message.includes('appointments_active_day_uq')) throw new AppError('APPOINTMENT_DAY_LIMIT');
    if (e.message.includes('appointments_code_uq')) throw new CodeCollision();
  }
  throw err;
}

/**
 * Materialise slots from the weekly hours for open days of [from, from + days]: public holidays
 * closed, make-up workdays (调休) open with Monday's hours, office closures skipped. INSERT IGNORE
 * on (office, service, start) makes it idempotent. Returns the number of slots inserted.
 */
export async function materialiseSlots(
  db: Executor,
  calendar: HolidayCalendar,
  opts: { from: CivilDate; days: number; officeId?: number; serviceId?: number },
): Promise<number> {
  const { from, days } = opts;
  const to = addDays(from, days);
  const conds = [opts.officeId ? eq(officeHours.officeId, opts.officeId) : undefined, opts.serviceId ? eq(officeHours.serviceId, opts.serviceId) : undefined].filter(
    (c) => c !== undefined,
  );
  const hours = await db
    .select({ h: officeHours })
    .from(officeHours)
    .innerJoin(offices, eq(offices.id, officeHours.officeId))
    .innerJoin(appointmentServices, eq(appointmentServices.id, officeHours.serviceId))
    .where(and(eq(offices.active, true), eq(appointmentServices.active, true), ...conds));
  if (hours.length === 0) return 0;
  const officeIds = [...new Set(hours.map((r) => r.h.officeId))];
  const closures = await db
    .select()
    .from(officeClosures)
    .where(and(inArray(officeClosures.officeId, officeIds), lte(officeClosures.fromDate, to), gte(officeClosures.toDate, from)));
  const closed = (officeId: number, d: CivilDate) => closures.some((c) => c.officeId === officeId && c.fromDate <= d && d <= c.toDate);

  const rows: (typeof appointmentSlots.$inferInsert)[] = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n++) {
    const d = addDays(from, n - dayNumber(from));
    const info = calendar.dayInfo(d);
    if (info.kind === 'holiday') continue;
    // A make-up workday (调休) opens like a weekday: Monday's hours.
    const wd = info.kind === 'makeup-workday' ? 1 : weekday(d);
    const dayStart = shanghaiStartOfDay(d).getTime();
    for (const { h } of hours) {
      if (h.weekday !== wd || closed(h.officeId, d) || h.slotMinutes <= 0) continue;
      for (let m = h.openMinute; m + h.slotMinutes <= h.closeMinute; m += h.slotMinutes) {
        rows.push({
          officeId: h.officeId,
          serviceId: h.serviceId,
          day: d,
          startsAt: new Date(dayStart + m * MINUTE),
          endsAt: new Date(dayStart + (m + h.slotMinutes) * MINUTE),
          capacity: h.capacity,
        });
      }
    }
  }
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const [res] = await db.insert(appointmentSlots).ignore().values(rows.slice(i, i + 500));
    inserted += res.affectedRows;
  }
  return inserted;
}


export function createAppointmentService(deps: {
  db: Database;
  calendar: HolidayCalendar;
  usage?: UsageRecorder;
  rules?: Partial<AppointmentRules>;
  /** domain for ICS UIDs (the portal's host) */
  uidDomain?: string;
  /** the citizen's template messages (booked, rescheduled, cancelled) go out through this outbox */
  notifications?: NotificationOutbox;
  now?: () => number;
}): AppointmentService {
  const { db, calendar } = deps;
  const rules: AppointmentRules = { ...DEFAULT_APPOINTMENT_RULES, ...deps.rules };
  const now = deps.now ?? Date.now;
  const uidDomain = deps.uidDomain ?? 'govportal.local';
  const ensured = new Set<string>();

  const today = () => toShanghaiDate(now());
  const lastBookableDay = () => addDays(today(), rules.maxDaysAhead);
  const earliestStart = () => new Date(now() + rules.minLeadMinutes * MINUTE);

  const serviceKey = (citizenId: number, serviceId: number) => (rules.onePerService ? `${citizenId}:${serviceId}` : null);
  const dayKey = (citizenId: number, officeId: number, startsAt: Date) =>
    rules.onePerDayPerOffice ? `${citizenId}:${officeId}:${toShanghaiDate(startsAt)}` : null;
  const remindAtFor = (startsAt: Date): Date | null => {
    const at = new Date(shanghaiStartOfDay(addDays(toShanghaiDate(startsAt), -1)).getTime() + rules.remindHour * 3600_000);
    return at.getTime() > now() ? at : null;
  };

  function track<T>(citizen: CitizenRef, name: string, work: () => Promise<T>): Promise<T> {
    const started = now();
    deps.usage?.record({ kind: 'task_start', source: 'api', name, openid: citizen.openid });
    return work().then(
      (v) => {
        deps.usage?.record({ kind: 'task_complete', source: 'api', name, openid: citizen.openid, outcome: 'ok', durationMs: now() - started });
        return v;
      },
      (err: unknown) => {
        const outcome = err instanceof AppError ? err.code : 'error';
        deps.usage?.record({ kind: 'task_fail', source: 'api', name, openid: citizen.openid, outcome, durationMs: now() - started });
        throw err;
      },
    );
  }

  /** Deadlocks and lock timeouts (and a confirmation-code collision) re-run the whole transaction. */
  const retrying = <T>(work: () => Promise<T>) => retryingTx(work, (err) => err instanceof CodeCollision, 8);

  function presentService(s: AppointmentServiceRow): ServiceView {
    return { id: s.id, code: s.code, name: s.name, durationMinutes: s.durationMinutes, materials: [...s.materials] };
  }
  function presentOffice(o: OfficeRow): OfficeView {
    return { id: o.id, name: o.name, address: o.address, phone: o.phone, counters: o.counters };
  }
  const bookableSlot = (s: Pick<AppointmentSlotRow, 'startsAt' | 'day'>) => s.startsAt >= earliestStart() && s.day <= lastBookableDay();
  function presentSlot(s: AppointmentSlotRow): SlotView {
    return {
      id: s.id,
      start: shanghaiIso(s.startsAt),
      end: shanghaiIso(s.endsAt),
      capacity: s.capacity,
      remaining: Math.max(0, s.capacity - s.booked),
      bookable: bookableSlot(s),
    };
  }

  async function resolveService(ref: string): Promise<AppointmentServiceRow> {
    const where = /^\d+$/.test(ref) ? eq(appointmentServices.id, Number(ref)) : eq(appointmentServices.code, ref);
    const row = (await db.select().from(appointmentServices).where(and(where, eq(appointmentServices.active, true))).limit(1))[0];
    if (!row) throw new AppError('APPOINTMENT_SERVICE_NOT_FOUND');
    return row;
  }

  async function resolveOffice(id: number): Promise<OfficeRow> {
    const row = (await db.select().from(offices).where(and(eq(offices.id, id), eq(offices.active, true))).limit(1))[0];
    if (!row) throw new AppError('APPOINTMENT_OFFICE_NOT_FOUND');
    return row;
  }

  /** Make sure the rolling window has slots for this office and service (once per process and day). */
  async function ensureWindow(officeId: number, serviceId: number) {
    const key = `${officeId}:${serviceId}:${today()}`;
    if (ensured.has(key)) return;
    await generateSlots({ officeId, serviceId });
    ensured.add(key);
  }

  const notClosed = sql`NOT EXISTS (SELECT 1 FROM ${officeClosures} c WHERE c.office_id = ${appointmentSlots.officeId} AND ${appointmentSlots.day} BETWEEN c.from_date AND c.to_date)`;

  async function closedOn(officeId: number, day: CivilDate): Promise<boolean> {
    if (calendar.isHoliday(day)) return true;
    const rows = await db
      .select({ id: officeClosures.id })
      .from(officeClosures)
      .where(and(eq(officeClosures.officeId, officeId), lte(officeClosures.fromDate, day), gte(officeClosures.toDate, day)))
      .limit(1);
    return rows.length > 0;
  }

  async function loadSlot(slotId: number): Promise<AppointmentSlotRow> {
    const slot = (await db.select().from(appointmentSlots).where(eq(appointmentSlots.id, slotId)).limit(1))[0];
    if (!slot) throw new AppError('APPOINTMENT_SLOT_NOT_FOUND');
    return slot;
  }

  /** The booking window and opening rules for a slot someone wants to take. */
  function assertWindow(slot: Pick<AppointmentSlotRow, 'startsAt' | 'day'>) {
    if (slot.startsAt < earliestStart()) throw new AppError('APPOINTMENT_TOO_LATE');
    if (slot.day > lastBookableDay()) throw new AppError('APPOINTMENT_TOO_FAR_AHEAD', undefined, { lastDay: lastBookableDay() });
  }

  async function assertCanTake(slot: AppointmentSlotRow) {
    assertWindow(slot);
    if (await closedOn(slot.officeId, slot.day)) throw new AppError('APPOINTMENT_OFFICE_CLOSED');
  }

  async function assertNotBlocked(citizenId: number) {
    const since = new Date(now() - (rules.noShowWindowDays + rules.noShowBlockDays) * DAY);
    const rows = await db
      .select({ startsAt: appointments.startsAt })
      .from(appointments)
      .where(and(eq(appointments.citizenId, citizenId), eq(appointments.status, 'no_show'), gte(appointments.startsAt, since)))
      .orderBy(asc(appointments.startsAt));
    const k = rules.noShowLimit;
    let until = 0;
    for (let i = k - 1; i < rows.length; i++) {
      const last = rows[i]!.startsAt.getTime();
      const first = rows[i - k + 1]!.startsAt.getTime();
      if (last - first <= rules.noShowWindowDays * DAY) until = Math.max(until, last + rules.noShowBlockDays * DAY);
    }
    if (until > now()) {
      const day = toShanghaiDate(until);
      throw new AppError('APPOINTMENT_NO_SHOW_BLOCKED', `因多次预约未到，${day} 之前不能预约。`, { blockedUntil: shanghaiIso(new Date(until)) });
    }
  }

  /** Friendly early answers; the unique keys inside the transaction are what actually decide. */
  async function precheckLimits(citizenId: number, slot: AppointmentSlotRow, exceptId?: number) {
    const sKey = serviceKey(citizenId, slot.serviceId);
    const dKey = dayKey(citizenId, slot.officeId, slot.startsAt);
    const conds = [sKey ? eq(appointments.activeServiceKey, sKey) : undefined, dKey ? eq(appointments.activeDayKey, dKey) : undefined].filter((c) => c !== undefined);
    if (conds.length === 0) return;
    const rows = await db
      .select({ id: appointments.id, activeServiceKey: appointments.activeServiceKey, activeDayKey: appointments.activeDayKey })
      .from(appointments)
      .where(and(eq(appointments.citizenId, citizenId), gt(appointments.endsAt, new Date(now())), or(...conds)));
    for (const r of rows) {
      if (r.id === exceptId) continue;
      if (sKey && r.activeServiceKey === sKey) throw new AppError('APPOINTMENT_SERVICE_LIMIT');
      if (dKey && r.activeDayKey === dKey) throw new AppError('APPOINTMENT_DAY_LIMIT');
    }
  }

  /**
   * A booking whose time has passed no longer counts towards the per-citizen limits. Found with
   * a plain (non-locking) read and released by primary key: an UPDATE filtered on the citizen
   * index would take gap locks even when nothing matches, and other citizens' inserts into those
   * gaps then deadlock with it (1.2 deadlocks per booking in the booking benchmark).
   */
  async function releaseStaleKeys(tx: Transaction, citizenId: number): Promise<boolean> {
    const at = new Date(now());
    const stale = await tx
      .select({ id: appointments.id })
      .from(appointments)
      .where(
        and(
          eq(appointments.citizenId, citizenId),
          lte(appointments.endsAt, at),
          or(sql`${appointments.activeServiceKey} IS NOT NULL`, sql`${appointments.activeDayKey} IS NOT NULL`),
        ),
      );
    if (stale.length === 0) return false;
    await tx
      .update(appointments)
      .set({ activeServiceKey: null, activeDayKey: null })
      .where(and(inArray(appointments.id, stale.map((r) => r.id)), lte(appointments.endsAt, at)));
    return true;
  }

  /** booked + 1 only while there is room: affectedRows decides, whatever the concurrency. */
  async function takeSeat(tx: Transaction, slotId: number) {
    const [res] = await tx
      .update(appointmentSlots)
      .set({ booked: sql`${appointmentSlots.booked} + 1` })
      .where(and(eq(appointmentSlots.id, slotId), lt(appointmentSlots.booked, appointmentSlots.capacity)));
    if (res.affectedRows !== 1) throw new AppError('APPOINTMENT_SLOT_FULL');
  }

  async function releaseSeat(tx: Transaction, slotId: number) {
    await tx
      .update(appointmentSlots)
      .set({ booked: sql`${appointmentSlots.booked} - 1` })
      .where(and(eq(appointmentSlots.id, slotId), gt(appointmentSlots.booked, 0)));
  }

  async function lockOwn(tx: Transaction, citizenId: number, id: number): Promise<AppointmentRow> {
    const row = (
      await tx
        .select()
        .from(appointments)
        .where(and(eq(appointments.id, id), eq(appointments.citizenId, citizenId)))
        .for('update')
    )[0];
    if (!row) throw new AppError('APPOINTMENT_NOT_FOUND');
    return row;
  }

  const isActive = (a: Pick<AppointmentRow, 'status'>) => (ACTIVE_APPOINTMENT_STATUSES as readonly string[]).includes(a.status);

  function assertChangeable(a: AppointmentRow) {
    if (!isActive(a)) throw new AppError('APPOINTMENT_NOT_ACTIVE');
    if (now() > a.startsAt.getTime() - rules.changeCutoffMinutes * MINUTE) throw new AppError('APPOINTMENT_CHANGE_CUTOFF');
  }

  /**
   * Services and offices are a few dozen rows that change rarely: presenting an appointment
   * reads them from memory, reloaded every CATALOGUE_TTL_MS or when an id is missing. A renamed
   * office shows its new name within that time.
   */
  let catalogue: { at: number; services: Map<number, AppointmentServiceRow>; offices: Map<number, OfficeRow> } | undefined;
  async function loadCatalogue(force = false) {
    if (!force && catalogue && now() - catalogue.at < CATALOGUE_TTL_MS) return catalogue;
    const [svc, off] = await Promise.all([db.select().from(appointmentServices), db.select().from(offices)]);
    catalogue = { at: now(), services: new Map(svc.map((x) => [x.id, x])), offices: new Map(off.map((x) => [x.id, x])) };
    return catalogue;
  }

  async function present(rows: AppointmentRow[]): Promise<AppointmentView[]> {
    if (rows.length === 0) return [];
    let cat = await loadCatalogue();
    if (rows.some((r) => !cat.services.has(r.serviceId) || !cat.offices.has(r.officeId))) cat = await loadCatalogue(true);
    const svcById = cat.services;
    const offById = cat.offices;
    return rows.map((a) => {
      const s = svcById.get(a.serviceId);
      const o = offById.get(a.officeId);
      if (!s || !o) throw new Error(`appointment ${a.id} refers to a missing service or office`);
      return {
        id: a.id,
        confirmationCode: a.confirmationCode,
        status: a.status,
        active: isActive(a),
        changeable: isActive(a) && now() <= a.startsAt.getTime() - rules.changeCutoffMinutes * MINUTE,
        date: toShanghaiDate(a.startsAt),
        start: shanghaiIso(a.startsAt),
        end: shanghaiIso(a.endsAt),
        slotId: a.slotId,
        service: presentService(s),
        office: presentOffice(o),
        createdAt: shanghaiIso(a.createdAt),
        cancelledAt: a.cancelledAt ? shanghaiIso(a.cancelledAt) : null,
      };
    });
  }

  /**
   * The names a message shows, read BEFORE the transaction: a pool connection held by a
   * transaction must never wait for another from the same pool (50 racing bookers exhausted it).
   */
  async function namesFor(serviceId: number, officeId: number) {
    if (!deps.notifications) return undefined;
    let cat = await loadCatalogue();
    if (!cat.services.has(serviceId) || !cat.offices.has(officeId)) cat = await loadCatalogue(true);
    return { serviceName: cat.services.get(serviceId)?.name ?? '', officeName: cat.offices.get(officeId)?.name ?? '' };
  }

  /** Enqueue the citizen's message in the caller's transaction, so it exists exactly when the change does. */
  async function notify(
    exec: Executor | { conn: PoolConnection },
    kind: 'appointment.booked' | 'appointment.cancelled',
    names: { serviceName: string; officeName: string } | undefined,
    row: Pick<AppointmentRow, 'id' | 'citizenId' | 'startsAt' | 'endsAt' | 'confirmationCode' | 'slotId'>,
  ) {
    if (!deps.notifications || !names) return;
    const event = {
      kind,
      citizenId: row.citizenId,
      appointmentId: row.id,
      ...names,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      confirmationCode: row.confirmationCode,
      // a reschedule confirms the new time: one message per slot the booking has held
      dedupeKey: `appointment:${row.id}:${kind}:${kind === 'appointment.booked' ? row.slotId : 'once'}`,
    };
    if ('conn' in exec) await deps.notifications.enqueueOn(exec.conn, event);
    else await deps.notifications.enqueue(exec, event);
  }

  async function getOwn(citizenId: number, id: number): Promise<AppointmentRow> {
    const row = (await db.select().from(appointments).where(and(eq(appointments.id, id), eq(appointments.citizenId, citizenId))).limit(1))[0];
    if (!row) throw new AppError('APPOINTMENT_NOT_FOUND');
    return row;
  }

  async function presentOne(row: AppointmentRow): Promise<AppointmentView> {
    const [view] = await present([row]);
    return view!;
  }

  function generateSlots(opts: { from?: CivilDate; days?: number; officeId?: number; serviceId?: number } = {}): Promise<number> {
    return materialiseSlots(db, calendar, { ...opts, from: opts.from ?? today(), days: opts.days ?? rules.maxDaysAhead });
  }

  async function audit(tx: Transaction, e: typeof appointmentEvents.$inferInsert) {
    await tx.insert(appointmentEvents).values(e);
  }

  async function staffChange(id: number, actor: Actor, to: 'checked_in' | 'no_show', inTx?: (tx: Transaction) => Promise<void>) {
    await retrying(() =>
      db.transaction(async (tx) => {
        const row = (await tx.select().from(appointments).where(eq(appointments.id, id)).for('update'))[0];
        if (!row) throw new AppError('APPOINTMENT_NOT_FOUND');
        if (!isActive(row)) throw new AppError('APPOINTMENT_NOT_ACTIVE');
        const at = new Date(now());
        await tx
          .update(appointments)
          .set({
            status: to,
            activeServiceKey: null,
            activeDayKey: null,
            updatedAt: at,
            ...(to === 'checked_in' ? { checkedInAt: at } : { noShowAt: at }),
          })
          .where(eq(appointments.id, id));
        await audit(tx, { appointmentId: id, action: to, actorType: actor.type, actorId: actor.id, fromSlotId: row.slotId, at });
        await inTx?.(tx);
      }),
    );
  }

  return {
    async listServices() {
      const rows = await db
        .select()
        .from(appointmentServices)
        .where(eq(appointmentServices.active, true))
        .orderBy(asc(appointmentServices.sortOrder), asc(appointmentServices.id));
      return rows.map(presentService);
    },

    async listOffices(serviceRef) {
      if (serviceRef === undefined) {
        return (await db.select().from(offices).where(eq(offices.active, true)).orderBy(asc(offices.id))).map(presentOffice);
      }
      const service = await resolveService(serviceRef);
      const rows = await db
        .selectDistinct({ o: offices })
        .from(offices)
        .innerJoin(officeHours, eq(officeHours.officeId, offices.id))
        .where(and(eq(offices.active, true), eq(officeHours.serviceId, service.id)))
        .orderBy(asc(offices.id));
      return rows.map((r) => presentOffice(r.o));
    },

    async listSlots(officeId, serviceRef, date) {
      const [office, service] = await Promise.all([resolveOffice(officeId), resolveService(serviceRef)]);
      await ensureWindow(office.id, service.id);
      const rows = await db
        .select()
        .from(appointmentSlots)
        .where(and(eq(appointmentSlots.officeId, office.id), eq(appointmentSlots.serviceId, service.id), eq(appointmentSlots.day, date), notClosed))
        .orderBy(asc(appointmentSlots.startsAt));
      if (calendar.isHoliday(date)) return [];
      return rows.map(presentSlot);
    },

    async slotDays(officeId, serviceRef, fromIn, toIn) {
      const [office, service] = await Promise.all([resolveOffice(officeId), resolveService(serviceRef)]);
      const from = fromIn ?? today();
      const to = toIn ?? lastBookableDay();
      if (to < from || dayNumber(to) - dayNumber(from) > MAX_RANGE_DAYS) {
        throw new AppError('VALIDATION_FAILED', `from–to must be a range of at most ${MAX_RANGE_DAYS} days`, [{ path: 'to', message: 'range too long or reversed' }]);
      }
      await ensureWindow(office.id, service.id);
      const last = lastBookableDay() < to ? lastBookableDay() : to;
      const rows = await db
        .select({
          day: appointmentSlots.day,
          slots: sql<number>`COUNT(*)`.mapWith(Number),
          remaining: sql<number>`SUM(${appointmentSlots.capacity} - ${appointmentSlots.booked})`.mapWith(Number),
        })
        .from(appointmentSlots)
        .where(
          and(
            eq(appointmentSlots.officeId, office.id),
            eq(appointmentSlots.serviceId, service.id),
            gte(appointmentSlots.day, from),
            lte(appointmentSlots.day, last),
            gte(appointmentSlots.startsAt, earliestStart()),
            notClosed,
          ),
        )
        .groupBy(appointmentSlots.day)
        .orderBy(asc(appointmentSlots.day));
      return rows.filter((r) => !calendar.isHoliday(r.day)).map((r) => ({ date: r.day, slots: r.slots, remaining: Math.max(0, r.remaining) }));
    },

    book(citizen, slotId) {
      return track(citizen, 'appointment.book', async () => {
        // One round trip for the slot, its office's closures and the citizen's recent no-shows;
        // the per-citizen limits are decided by the unique keys in the transaction, not read first.
        const probe = await probeSlot(db, slotId, citizen.id, new Date(now() - (rules.noShowWindowDays + rules.noShowBlockDays) * DAY));
        if (!probe) throw new AppError('APPOINTMENT_SLOT_NOT_FOUND');
        const { slot } = probe;
        assertWindow(slot);
        if (probe.closed || calendar.isHoliday(slot.day)) throw new AppError('APPOINTMENT_OFFICE_CLOSED');
        if (probe.recentNoShows >= rules.noShowLimit) await assertNotBlocked(citizen.id);
        const names = await namesFor(slot.serviceId, slot.officeId);
        const insert = () =>
          retrying(() =>
            rawTransaction(db, async (conn) => {
              if (!(await takeSeatRaw(conn, slot.id))) throw new AppError('APPOINTMENT_SLOT_FULL');
              const at = new Date(now());
              const row: AppointmentRow = {
                id: 0,
                citizenId: citizen.id,
                slotId: slot.id,
                officeId: slot.officeId,
                serviceId: slot.serviceId,
                startsAt: slot.startsAt,
                endsAt: slot.endsAt,
                status: 'booked',
                confirmationCode: newConfirmationCode(),
                activeServiceKey: serviceKey(citizen.id, slot.serviceId),
                activeDayKey: dayKey(citizen.id, slot.officeId, slot.startsAt),
                createdAt: at,
                updatedAt: at,
                cancelledAt: null,
                checkedInAt: null,
                noShowAt: null,
                remindAt: remindAtFor(slot.startsAt),
                remindedAt: null,
              };
              row.id = await insertBookingRaw(conn, { ...row, slot, at }).catch(translateDuplicate);
              await notify({ conn }, 'appointment.booked', names, row);
              return row;
            }),
          );
        let row: AppointmentRow;
        try {
          row = await insert();
        } catch (err) {
          // A limit key may still be held by a booking whose time has passed: release those and
          // try once more (rare, so it is not paid for on every booking).
          const limit = err instanceof AppError && (err.code === 'APPOINTMENT_SERVICE_LIMIT' || err.code === 'APPOINTMENT_DAY_LIMIT');
          if (!limit || !(await retrying(() => db.transaction((tx) => releaseStaleKeys(tx, citizen.id))))) throw err;
          row = await insert();
        }
        return presentOne(row);
      });
    },

    async list(citizen) {
      const rows = await db.select().from(appointments).where(eq(appointments.citizenId, citizen.id)).orderBy(desc(appointments.startsAt)).limit(200);
      return present(rows);
    },

    async get(citizen, id) {
      return presentOne(await getOwn(citizen.id, id));
    },

    cancel(citizen, id) {
      return track(citizen, 'appointment.cancel', async () => {
        const before = await getOwn(citizen.id, id);
        const names = await namesFor(before.serviceId, before.officeId);
        await retrying(() =>
          db.transaction(async (tx) => {
            const row = await lockOwn(tx, citizen.id, id);
            assertChangeable(row);
            const at = new Date(now());
            await tx
              .update(appointments)
              .set({ status: 'cancelled', activeServiceKey: null, activeDayKey: null, cancelledAt: at, updatedAt: at, remindAt: null })
              .where(eq(appointments.id, row.id));
            await releaseSeat(tx, row.slotId);
            await audit(tx, { appointmentId: row.id, action: 'cancelled', actorType: 'citizen', actorId: citizen.id, fromSlotId: row.slotId, at });
            await notify(tx, 'appointment.cancelled', names, row);
          }),
        );
        return presentOne(await getOwn(citizen.id, id));
      });
    },

    reschedule(citizen, id, slotId) {
      return track(citizen, 'appointment.reschedule', async () => {
        const current = await getOwn(citizen.id, id);
        assertChangeable(current);
        const slot = await loadSlot(slotId);
        if (slot.serviceId !== current.serviceId || slot.id === current.slotId) throw new AppError('APPOINTMENT_RESCHEDULE_INVALID');
        await assertCanTake(slot);
        await precheckLimits(citizen.id, slot, current.id);
        const names = await namesFor(slot.serviceId, slot.officeId);
        await retrying(() =>
          db.transaction(async (tx) => {
            // The appointment row first: two reschedules of one booking queue here.
            const row = await lockOwn(tx, citizen.id, id);
            assertChangeable(row);
            if (row.slotId === slot.id) throw new AppError('APPOINTMENT_RESCHEDULE_INVALID');
            await releaseStaleKeys(tx, citizen.id);
            await takeSeat(tx, slot.id);
            await releaseSeat(tx, row.slotId);
            const at = new Date(now());
            await tx
              .update(appointments)
              .set({
                slotId: slot.id,
                officeId: slot.officeId,
                startsAt: slot.startsAt,
                endsAt: slot.endsAt,
                status: 'rescheduled',
                activeServiceKey: serviceKey(citizen.id, slot.serviceId),
                activeDayKey: dayKey(citizen.id, slot.officeId, slot.startsAt),
                updatedAt: at,
                remindAt: remindAtFor(slot.startsAt),
                remindedAt: null,
              })
              .where(eq(appointments.id, row.id))
              .catch(translateDuplicate);
            await audit(tx, { appointmentId: row.id, action: 'rescheduled', actorType: 'citizen', actorId: citizen.id, fromSlotId: row.slotId, toSlotId: slot.id, at });
            await notify(tx, 'appointment.booked', names, { ...row, slotId: slot.id, startsAt: slot.startsAt, endsAt: slot.endsAt });
          }),
        );
        return presentOne(await getOwn(citizen.id, id));
      });
    },

    async ics(citizen, id) {
      const row = await getOwn(citizen.id, id);
      const view = await presentOne(row);
      const lines = [`确认码：${view.confirmationCode}`];
      if (view.service.materials.length > 0) lines.push(`请携带：${view.service.materials.join('、')}`);
      lines.push(`地址：${view.office.address}`, `电话：${view.office.phone}`);
      const body = buildIcs({
        uid: `appointment-${row.id}@${uidDomain}`,
        stamp: new Date(now()),
        start: row.startsAt,
        end: row.endsAt,
        summary: `交警业务预约：${view.service.name}`,
        location: `${view.office.name}，${view.office.address}`,
        description: lines.join('\n'),
        cancelled: row.status === 'cancelled',
      });
      return { filename: `appointment-${row.confirmationCode}.ics`, body };
    },

    generateSlots,

    async addClosure(input, inTx) {
      return db.transaction(async (tx) => {
        const [res] = await tx.insert(officeClosures).values({ officeId: input.officeId, fromDate: input.from, toDate: input.to, reason: input.reason });
        await tx
          .delete(appointmentSlots)
          .where(
            and(
              eq(appointmentSlots.officeId, input.officeId),
              gte(appointmentSlots.day, input.from),
              lte(appointmentSlots.day, input.to),
              eq(appointmentSlots.booked, 0),
            ),
          );
        await inTx?.(tx, res.insertId);
        return res.insertId;
      });
    },

    checkIn: (id, actor, inTx) => staffChange(id, actor, 'checked_in', inTx),
    markNoShow: (id, actor, inTx) => staffChange(id, actor, 'no_show', inTx),
  };
}
