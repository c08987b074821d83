import { sql } from 'drizzle-orm';
import { bigint, boolean, char, date, datetime, decimal, index, int, json, mysqlTable, smallint, tinyint, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

/**
 * Appointments (REFERENCE.md "Appointments"): service types, offices, weekly opening hours per
 * office and service, closures, materialised slots and the citizens' bookings with their audit.
 * All instants are UTC; civil dates (`date` columns, mode string) are Asia/Shanghai days.
 */
export const appointmentServices = mysqlTable(
  'appointment_services',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    code: varchar('code', { length: 32 }).notNull(),
    name: varchar('name', { length: 64 }).notNull(),
    durationMinutes: smallint('duration_minutes', { unsigned: true }).notNull(),
    /** what to bring, shown on the confirmation */
    materials: json('materials').$type<string[]>().notNull(),
    active: boolean('active').notNull().default(true),
    sortOrder: smallint('sort_order').notNull().default(0),
  },
  (t) => [uniqueIndex('appointment_services_code_uq').on(t.code)],
);

export const offices = mysqlTable('offices', {
  id: int('id', { unsigned: true }).autoincrement().primaryKey(),
  name: varchar('name', { length: 64 }).notNull(),
  address: varchar('address', { length: 255 }).notNull(),
  phone: varchar('phone', { length: 32 }).notNull(),
  counters: smallint('counters', { unsigned: true }).notNull().default(1),
  active: boolean('active').notNull().default(true),
  /** GCJ-02 coordinates (what wx.openLocation expects); null until staff enter them */
  latitude: decimal('latitude', { precision: 9, scale: 6, mode: 'number' }),
  longitude: decimal('longitude', { precision: 9, scale: 6, mode: 'number' }),
});

/**
 * Weekly opening hours for one service at one office. weekday: 0 = Sunday … 6 = Saturday. A
 * make-up workday (调休) uses the Monday row(s). Minutes are from 00:00 Asia/Shanghai.
 */
export const officeHours = mysqlTable(
  'office_hours',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    officeId: int('office_id', { unsigned: true }).notNull(),
    serviceId: int('service_id', { unsigned: true }).notNull(),
    weekday: tinyint('weekday', { unsigned: true }).notNull(),
    openMinute: smallint('open_minute', { unsigned: true }).notNull(),
    closeMinute: smallint('close_minute', { unsigned: true }).notNull(),
    slotMinutes: smallint('slot_minutes', { unsigned: true }).notNull(),
    capacity: smallint('capacity', { unsigned: true }).notNull(),
  },
  (t) => [index('office_hours_office_service_idx').on(t.officeId, t.serviceId, t.weekday)],
);

/** Days an office is closed (inclusive range of Shanghai dates), on top of public holidays. */
export const officeClosures = mysqlTable(
  'office_closures',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    officeId: int('office_id', { unsigned: true }).notNull(),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    toDate: date('to_date', { mode: 'string' }).notNull(),
    reason: varchar('reason', { length: 255 }).notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('office_closures_office_idx').on(t.officeId, t.fromDate)],
);

/** Materialised slots; `booked <= capacity` is kept by a conditional update (never check-then-insert). */
export const appointmentSlots = mysqlTable(
  'appointment_slots',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    officeId: int('office_id', { unsigned: true }).notNull(),
    serviceId: int('service_id', { unsigned: true }).notNull(),
    /** Shanghai civil date of the start */
    day: date('day', { mode: 'string' }).notNull(),
    startsAt: datetime('starts_at', { mode: 'date' }).notNull(),
    endsAt: datetime('ends_at', { mode: 'date' }).notNull(),
    capacity: smallint('capacity', { unsigned: true }).notNull(),
    booked: smallint('booked', { unsigned: true }).notNull().default(0),
  },
  (t) => [
    uniqueIndex('appointment_slots_uq').on(t.officeId, t.serviceId, t.startsAt),
    index('appointment_slots_day_idx').on(t.officeId, t.serviceId, t.day),
  ],
);

export const APPOINTMENT_STATUSES = ['booked', 'cancelled', 'rescheduled', 'checked_in', 'no_show'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
/** statuses that hold a seat: `rescheduled` is a booking that was moved at least once */
export const ACTIVE_APPOINTMENT_STATUSES = ['booked', 'rescheduled'] as const satisfies readonly AppointmentStatus[];

export const appointments = mysqlTable(
  'appointments',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    citizenId: bigint('citizen_id', { mode: 'number', unsigned: true }).notNull(),
    slotId: bigint('slot_id', { mode: 'number', unsigned: true }).notNull(),
    officeId: int('office_id', { unsigned: true }).notNull(),
    serviceId: int('service_id', { unsigned: true }).notNull(),
    /** copied from the slot: rules and lists need no join */
    startsAt: datetime('starts_at', { mode: 'date' }).notNull(),
    endsAt: datetime('ends_at', { mode: 'date' }).notNull(),
    status: varchar('status', { length: 12 }).$type<AppointmentStatus>().notNull(),
    confirmationCode: char('confirmation_code', { length: 8 }).notNull(),
    /**
     * Per-citizen limits as unique keys, set while the booking is active and NULL otherwise
     * (NULLs never collide): a second active booking for the same service, or for the same
     * office and day, cannot be inserted however many requests race.
     */
    activeServiceKey: varchar('active_service_key', { length: 48 }),
    activeDayKey: varchar('active_day_key', { length: 64 }),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
    cancelledAt: datetime('cancelled_at', { mode: 'date', fsp: 3 }),
    checkedInAt: datetime('checked_in_at', { mode: 'date', fsp: 3 }),
    noShowAt: datetime('no_show_at', { mode: 'date', fsp: 3 }),
    /** when the day-before reminder is due (the notification outbox sends it and sets reminded_at) */
    remindAt: datetime('remind_at', { mode: 'date' }),
    remindedAt: datetime('reminded_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [
    uniqueIndex('appointments_code_uq').on(t.confirmationCode),
    uniqueIndex('appointments_active_service_uq').on(t.activeServiceKey),
    uniqueIndex('appointments_active_day_uq').on(t.activeDayKey),
    index('appointments_citizen_idx').on(t.citizenId, t.startsAt),
    index('appointments_slot_idx').on(t.slotId),
    index('appointments_remind_idx').on(t.remindAt, t.remindedAt),
  ],
);

export const APPOINTMENT_ACTIONS = ['booked', 'cancelled', 'rescheduled', 'checked_in', 'no_show'] as const;
export type AppointmentAction = (typeof APPOINTMENT_ACTIONS)[number];

/** Who booked, changed or cancelled what, written in the same transaction as the change. */
export const appointmentEvents = mysqlTable(
  'appointment_events',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    appointmentId: bigint('appointment_id', { mode: 'number', unsigned: true }).notNull(),
    action: varchar('action', { length: 12 }).$type<AppointmentAction>().notNull(),
    actorType: varchar('actor_type', { length: 8 }).$type<'citizen' | 'staff' | 'system'>().notNull(),
    /** citizen id or staff id; null for the system */
    actorId: bigint('actor_id', { mode: 'number', unsigned: true }),
    fromSlotId: bigint('from_slot_id', { mode: 'number', unsigned: true }),
    toSlotId: bigint('to_slot_id', { mode: 'number', unsigned: true }),
    note: varchar('note', { length: 255 }),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [index('appointment_events_appointment_idx').on(t.appointmentId, t.at)],
);

export type AppointmentServiceRow = typeof appointmentServices.$inferSelect;
export type OfficeRow = typeof offices.$inferSelect;
export type OfficeHoursRow = typeof officeHours.$inferSelect;
export type AppointmentSlotRow = typeof appointmentSlots.$inferSelect;
export type AppointmentRow = typeof appointments.$inferSelect;
