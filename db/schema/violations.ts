import { sql } from 'drizzle-orm';
import { bigint, char, date, datetime, index, int, mysqlTable, smallint, tinyint, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

/**
 * Traffic-violation data (REFERENCE.md "Traffic violations"), loaded from the agency's files.
 * VIN, engine number and owner name are personal data: they are used to check proof of
 * possession and never leave the server (presenters are allowlists). All times are UTC.
 */
export const vehicles = mysqlTable(
  'vehicles',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** GA 24.7 standard code (hpzl) */
    plateType: char('plate_type', { length: 2 }).notNull(),
    /** normalised, no separator (hphm) */
    plateNo: varchar('plate_no', { length: 10 }).notNull(),
    vin: varchar('vin', { length: 17 }),
    engineNo: varchar('engine_no', { length: 32 }),
    ownerName: varchar('owner_name', { length: 64 }),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('vehicles_plate_uq').on(t.plateType, t.plateNo)],
);

/** Behaviour codes (wfxw) with the points and fine currently attached: data, not code. */
export const violationBehaviours = mysqlTable('violation_behaviours', {
  code: varchar('code', { length: 8 }).primaryKey(),
  text: varchar('text', { length: 255 }).notNull(),
  points: tinyint('points', { unsigned: true }).notNull(),
  fineYuan: int('fine_yuan', { unsigned: true }).notNull(),
  updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
});

export const VIOLATION_STATUSES = ['unprocessed', 'processed', 'paid'] as const;
export type ViolationStatus = (typeof VIOLATION_STATUSES)[number];

export const violations = mysqlTable(
  'violations',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    vehicleId: bigint('vehicle_id', { mode: 'number', unsigned: true }).notNull(),
    plateType: char('plate_type', { length: 2 }).notNull(),
    plateNo: varchar('plate_no', { length: 10 }).notNull(),
    /** wfsj, UTC, whole seconds */
    occurredAt: datetime('occurred_at', { mode: 'date' }).notNull(),
    /** wfdz */
    location: varchar('location', { length: 255 }).notNull(),
    behaviourCode: varchar('behaviour_code', { length: 8 }).notNull(),
    /** wfxw text as recorded (the code's text may change later) */
    behaviourText: varchar('behaviour_text', { length: 255 }).notNull(),
    /** wfjfs */
    points: tinyint('points', { unsigned: true }).notNull(),
    /** fkje, whole yuan */
    fineYuan: int('fine_yuan', { unsigned: true }).notNull(),
    /** cjjgmc */
    authority: varchar('authority', { length: 128 }),
    status: varchar('status', { length: 12 }).$type<ViolationStatus>().notNull(),
    /** jkrq */
    paidAt: datetime('paid_at', { mode: 'date' }),
    /** jdsbh, on-site decisions */
    decisionNo: varchar('decision_no', { length: 32 }),
    /** gxsj */
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [
    uniqueIndex('violations_record_uq').on(t.plateType, t.plateNo, t.occurredAt, t.behaviourCode),
    index('violations_vehicle_time_idx').on(t.vehicleId, t.occurredAt),
  ],
);

/** Driver licences known to the portal; only a hash and a masked form of the number. */
export const driverLicences = mysqlTable(
  'driver_licences',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** HMAC/SHA-256 of the licence (ID) number, hex */
    licenceNoHash: char('licence_no_hash', { length: 64 }).notNull(),
    /** e.g. 4403**********1234 */
    licenceNoMasked: varchar('licence_no_masked', { length: 32 }).notNull(),
    /** 准驾车型, e.g. C1 */
    vehicleClass: varchar('vehicle_class', { length: 16 }).notNull(),
    /** the citizen the licence is bound to (personal data: cleared when they unfollow) */
    citizenId: bigint('citizen_id', { mode: 'number', unsigned: true }),
    pointsInCycle: smallint('points_in_cycle', { unsigned: true }).notNull().default(0),
    cycleStart: date('cycle_start', { mode: 'string' }).notNull(),
    cycleEnd: date('cycle_end', { mode: 'string' }).notNull(),
    /** normal | suspended | … as the agency reports it */
    status: varchar('status', { length: 16 }).notNull().default('normal'),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('driver_licences_no_uq').on(t.licenceNoHash), uniqueIndex('driver_licences_citizen_uq').on(t.citizenId)],
);

export const vehicleBindings = mysqlTable(
  'vehicle_bindings',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    citizenId: bigint('citizen_id', { mode: 'number', unsigned: true }).notNull(),
    vehicleId: bigint('vehicle_id', { mode: 'number', unsigned: true }).notNull(),
    verifiedAt: datetime('verified_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [uniqueIndex('vehicle_bindings_citizen_vehicle_uq').on(t.citizenId, t.vehicleId), index('vehicle_bindings_vehicle_idx').on(t.vehicleId)],
);

/**
 * Anti-enumeration counters, shared by every instance: failed proofs per key (a citizen, or a
 * plate's hash) in a window, and until when the key is blocked.
 */
export const violationLookupLimits = mysqlTable('violation_lookup_limits', {
  /** 'c:<citizenId>' or 'p:<sha256 of plate, base64url>' — never a plate in clear */
  key: varchar('key', { length: 64 }).primaryKey(),
  failures: int('failures', { unsigned: true }).notNull(),
  windowStart: datetime('window_start', { mode: 'date', fsp: 3 }).notNull(),
  blockedUntil: datetime('blocked_until', { mode: 'date', fsp: 3 }),
});

export type VehicleRow = typeof vehicles.$inferSelect;
export type ViolationRow = typeof violations.$inferSelect;
export type DriverLicenceRow = typeof driverLicences.$inferSelect;
