import { createHash, timingSafeEqual } from 'node:crypto';
import { and, asc, count, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import {
  driverLicences,
  vehicleBindings,
  vehicles,
  violationLookupLimits,
  violations,
  type Database,
  type VehicleRow,
} from '../../db/schema';
import type { CitizenService } from '../citizens/service';
import { AppError } from '../http/errors';
import type { UsageRecorder } from '../usage/recorder';
import { maskPlateNo, normalisePlateNo, normalisePlateType, normaliseProofSuffix, plateTypeName, type PlateType } from './plates';
import { boundLookup, LOOKUP_ROW_LIMIT, type BoundLookupRows } from './lookup-query';
import type { BoundVehicleView, LicenceView, LookupResult, Totals, ViolationView } from './schema';

export interface ViolationLimits {
  /** failed proofs per key within the window before the key is blocked */
  failedProofLimit: number;
  failedProofWindowMinutes: number;
  blockMinutes: number;
  /** vehicles one citizen may bind */
  bindMax: number;
}

export interface CitizenRef {
  id: number;
  openid: string;
}

export interface LookupInput {
  plateType?: string;
  plateNo?: string;
  vinSuffix?: string;
  /** a bound vehicle's id from the citizen's list, instead of the plate */
  vehicleId?: number;
}

export interface ViolationService {
  lookup(citizen: CitizenRef, input: LookupInput): Promise<LookupResult>;
  listVehicles(citizen: CitizenRef): Promise<BoundVehicleView[]>;
  bindVehicle(citizen: CitizenRef, input: { plateType: string; plateNo: string; vinSuffix: string }): Promise<BoundVehicleView>;
  unbindVehicle(citizen: CitizenRef, bindingId: number): Promise<void>;
  licence(citizen: CitizenRef): Promise<LicenceView>;
}

/** the points that suspend a licence in its 12-month cycle (REFERENCE.md) */
export const LICENCE_POINTS_LIMIT = 12;

const USAGE_NAME = 'violations.lookup';
const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Constant-time check of a 6-character suffix against the VIN's and the engine number's last
 * six: both comparisons always run, over fixed-length digests.
 */
export function proofMatches(suffix: string, vin: string | null, engineNo: string | null): boolean {
  const given = sha256(suffix);
  const vinOk = timingSafeEqual(given, sha256((vin ?? '').toUpperCase().slice(-6)));
  const engineOk = timingSafeEqual(given, sha256((engineNo ?? '').toUpperCase().slice(-6)));
  return (vinOk && (vin ?? '').length >= 6) || (engineOk && (engineNo ?? '').length >= 6);
}

const plateKey = (plateType: string, plateNo: string) => `p:${createHash('sha256').update(`${plateType}:${plateNo}`).digest('base64url')}`;
const citizenKey = (id: number) => `c:${id}`;

const zero = (): Totals => ({ count: 0, points: 0, fineYuan: 0 });

function presentLookup(vehicle: Pick<VehicleRow, 'plateType' | 'plateNo'>, rows: BoundLookupRows['violations'], bound: boolean): LookupResult {
  const totals = { ...zero(), unprocessed: zero(), processed: zero(), paid: zero() };
  for (const r of rows) {
    for (const bucket of [totals, totals[r.status]]) {
      bucket.count += 1;
      bucket.points += r.points;
      bucket.fineYuan += r.fineYuan;
    }
  }
  return {
    vehicle: { plateType: vehicle.plateType, plateTypeName: plateTypeName(vehicle.plateType), plateNo: maskPlateNo(vehicle.plateNo), bound },
    violations: rows.map(presentViolation),
    totals,
  };
}

function presentViolation(v: BoundLookupRows['violations'][number]): ViolationView {
  return {
    id: v.id,
    occurredAt: v.occurredAt.toISOString(),
    location: v.location,
    behaviourCode: v.behaviourCode,
    behaviour: v.behaviourText,
    points: v.points,
    fineYuan: v.fineYuan,
    authority: v.authority,
    status: v.status,
    paidAt: v.paidAt ? v.paidAt.toISOString() : null,
    decisionNo: v.decisionNo,
  };
}

export function createViolationService(deps: {
  db: Database;
  usage: UsageRecorder;
  limits: ViolationLimits;
  /** when given, bindings and licence links are erased when a citizen unfollows */
  citizens?: CitizenService;
  now?: () => number;
}): ViolationService {
  const { db, usage, limits } = deps;
  const now = deps.now ?? Date.now;

  deps.citizens?.registerEraser(async (citizenId) => {
    await db.transaction(async (tx) => {
      await tx.delete(vehicleBindings).where(eq(vehicleBindings.citizenId, citizenId));
      await tx.update(driverLicences).set({ citizenId: null }).where(eq(driverLicences.citizenId, citizenId));
      await tx.delete(violationLookupLimits).where(eq(violationLookupLimits.key, citizenKey(citizenId)));
    });
  });

  const record = (citizen: CitizenRef, kind: 'lookup' | 'no_result', outcome: string, name = USAGE_NAME) =>
    usage.record({ kind, source: 'api', name, openid: citizen.openid, outcome });

  function parsePlate(plateType: string, plateNo: string): { plateType: PlateType; plateNo: string } {
    const t = normalisePlateType(plateType);
    if (!t.ok) throw new AppError('VIOLATION_PLATE_INVALID', t.message, [{ path: 'plateType', message: t.message }]);
    const n = normalisePlateNo(plateNo, t.value);
    if (!n.ok) throw new AppError('VIOLATION_PLATE_INVALID', n.message, [{ path: 'plateNo', message: n.message }]);
    return { plateType: t.value, plateNo: n.value };
  }

  async function findVehicle(plateType: string, plateNo: string): Promise<VehicleRow | undefined> {
    return (
      await db
        .select()
        .from(vehicles)
        .where(and(eq(vehicles.plateType, plateType), eq(vehicles.plateNo, plateNo)))
        .limit(1)
    )[0];
  }

  async function bindingOf(citizenId: number, vehicleId: number) {
    return (
      await db
        .select({ id: vehicleBindings.id })
        .from(vehicleBindings)
        .where(and(eq(vehicleBindings.citizenId, citizenId), eq(vehicleBindings.vehicleId, vehicleId)))
        .limit(1)
    )[0];
  }

  /** 429 while the citizen or the plate is blocked (the block is shared by every instance). */
  async function assertNotBlocked(keys: string[]) {
    const at = new Date(now());
    const rows = await db
      .select({ blockedUntil: violationLookupLimits.blockedUntil })
      .from(violationLookupLimits)
      .where(and(inArray(violationLookupLimits.key, keys), gt(violationLookupLimits.blockedUntil, at)));
    const until = Math.max(0, ...rows.map((r) => r.blockedUntil?.getTime() ?? 0));
    if (until > at.getTime()) {
      const seconds = Math.max(1, Math.ceil((until - at.getTime()) / 1000));
      const minutes = Math.ceil(seconds / 60);
      throw new AppError('VIOLATION_LOOKUP_LIMITED', `核验失败次数过多，请 ${minutes} 分钟后再试。`, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
    }
  }

  /**
   * One atomic upsert per key. The assignments only read the row's old values (blocked_until
   * first, window_start last), so they mean the same under either assignment order.
   */
  async function recordFailure(keys: string[]) {
    const t = new Date(now());
    const windowFloor = new Date(now() - limits.failedProofWindowMinutes * 60_000);
    const blockEnd = new Date(now() + limits.blockMinutes * 60_000);
    const values = sql.join(
      keys.map((k) => sql`(${k}, 1, ${t}, ${limits.failedProofLimit <= 1 ? blockEnd : null})`),
      sql`, `,
    );
    await db.execute(sql`
      INSERT INTO ${violationLookupLimits} (\`key\`, failures, window_start, blocked_until) VALUES ${values}
      ON DUPLICATE KEY UPDATE
        blocked_until = IF(IF(window_start <= ${windowFloor}, 1, failures + 1) >= ${limits.failedProofLimit}, ${blockEnd}, blocked_until),
        failures = IF(window_start <= ${windowFloor}, 1, failures + 1),
        window_start = IF(window_start <= ${windowFloor}, ${t}, window_start)`);
  }

  async function proveOrThrow(citizen: CitizenRef, plate: { plateType: string; plateNo: string }, vehicle: VehicleRow | undefined, rawSuffix: string | undefined) {
    if (rawSuffix === undefined || rawSuffix.trim() === '') throw new AppError('VIOLATION_PROOF_REQUIRED');
    const suffix = normaliseProofSuffix(rawSuffix);
    if (!suffix.ok) throw new AppError('VIOLATION_PROOF_REQUIRED', suffix.message, [{ path: 'vinSuffix', message: suffix.message }]);
    const keys = [citizenKey(citizen.id), plateKey(plate.plateType, plate.plateNo)];
    await assertNotBlocked(keys).catch((err: unknown) => {
      record(citizen, 'lookup', 'limited');
      throw err;
    });
    // An unknown plate answers exactly like a wrong suffix: existence is not revealed.
    const ok = proofMatches(suffix.value, vehicle?.vin ?? null, vehicle?.engineNo ?? null) && vehicle !== undefined;
    if (!ok) {
      await recordFailure(keys);
      if (vehicle) record(citizen, 'lookup', 'proof_failed');
      else record(citizen, 'no_result', 'unknown_vehicle');
      throw new AppError('VIOLATION_PROOF_FAILED');
    }
  }

  async function violationsOf(vehicle: VehicleRow, bound: boolean): Promise<LookupResult> {
    const rows = await db.select().from(violations).where(eq(violations.vehicleId, vehicle.id)).orderBy(desc(violations.occurredAt)).limit(LOOKUP_ROW_LIMIT);
    return presentLookup(vehicle, rows, bound);
  }

  function presentBinding(b: { id: number; verifiedAt: Date }, v: VehicleRow, unprocessedCount: number): BoundVehicleView {
    return {
      id: b.id,
      plateType: v.plateType,
      plateTypeName: plateTypeName(v.plateType),
      plateNo: maskPlateNo(v.plateNo),
      verifiedAt: b.verifiedAt.toISOString(),
      unprocessedCount,
    };
  }

  return {
    async lookup(citizen, input) {
      let result: LookupResult;
      if (input.vehicleId !== undefined) {
        const found = await boundLookup(db, citizen.id, input.vehicleId);
        if (!found) throw new AppError('VEHICLE_NOT_FOUND');
        result = presentLookup(found.vehicle, found.violations, true);
      } else {
        const plate = parsePlate(input.plateType ?? '', input.plateNo ?? '');
        const vehicle = await findVehicle(plate.plateType, plate.plateNo);
        const bound = vehicle !== undefined && (await bindingOf(citizen.id, vehicle.id)) !== undefined;
        if (!bound) await proveOrThrow(citizen, plate, vehicle, input.vinSuffix);
        if (!vehicle) throw new AppError('VIOLATION_PROOF_FAILED'); // unreachable: proof needs a vehicle
        result = await violationsOf(vehicle, bound);
      }
      if (result.violations.length === 0) record(citizen, 'no_result', 'no_violations');
      else record(citizen, 'lookup', 'ok');
      return result;
    },

    async listVehicles(citizen) {
      const rows = await db
        .select({ binding: vehicleBindings, vehicle: vehicles })
        .from(vehicleBindings)
        .innerJoin(vehicles, eq(vehicles.id, vehicleBindings.vehicleId))
        .where(eq(vehicleBindings.citizenId, citizen.id))
        .orderBy(asc(vehicleBindings.id));
      if (rows.length === 0) return [];
      const counts = await db
        .select({ vehicleId: violations.vehicleId, n: count() })
        .from(violations)
        .where(and(inArray(violations.vehicleId, rows.map((r) => r.vehicle.id)), eq(violations.status, 'unprocessed')))
        .groupBy(violations.vehicleId);
      const byVehicle = new Map(counts.map((c) => [c.vehicleId, Number(c.n)]));
      return rows.map((r) => presentBinding(r.binding, r.vehicle, byVehicle.get(r.vehicle.id) ?? 0));
    },

    async bindVehicle(citizen, input) {
      const plate = parsePlate(input.plateType, input.plateNo);
      const vehicle = await findVehicle(plate.plateType, plate.plateNo);
      if (vehicle && (await bindingOf(citizen.id, vehicle.id))) throw new AppError('VEHICLE_ALREADY_BOUND');
      await proveOrThrow(citizen, plate, vehicle, input.vinSuffix);
      if (!vehicle) throw new AppError('VIOLATION_PROOF_FAILED');
      const verifiedAt = new Date(now());
      const id = await db.transaction(async (tx) => {
        // Lock the citizen's bindings so two parallel binds cannot both pass the limit.
        const [{ n } = { n: 0 }] = await tx
          .select({ n: count() })
          .from(vehicleBindings)
          .where(eq(vehicleBindings.citizenId, citizen.id))
          .for('update');
        if (Number(n) >= limits.bindMax) throw new AppError('VEHICLE_BIND_LIMIT');
        const [res] = await tx.insert(vehicleBindings).ignore().values({ citizenId: citizen.id, vehicleId: vehicle.id, verifiedAt });
        if (res.affectedRows === 0) throw new AppError('VEHICLE_ALREADY_BOUND');
        return res.insertId;
      });
      usage.record({ kind: 'task_complete', source: 'api', name: 'vehicles.bind', openid: citizen.openid, outcome: 'ok' });
      const [unprocessed] = await db
        .select({ n: count() })
        .from(violations)
        .where(and(eq(violations.vehicleId, vehicle.id), eq(violations.status, 'unprocessed')));
      return presentBinding({ id, verifiedAt }, vehicle, Number(unprocessed?.n ?? 0));
    },

    async unbindVehicle(citizen, bindingId) {
      const [res] = await db.delete(vehicleBindings).where(and(eq(vehicleBindings.id, bindingId), eq(vehicleBindings.citizenId, citizen.id)));
      if (res.affectedRows === 0) throw new AppError('VEHICLE_NOT_FOUND');
    },

    async licence(citizen) {
      const row = (await db.select().from(driverLicences).where(eq(driverLicences.citizenId, citizen.id)).limit(1))[0];
      if (!row) {
        record(citizen, 'no_result', 'no_licence', 'licence.points');
        throw new AppError('LICENCE_NOT_FOUND');
      }
      record(citizen, 'lookup', 'ok', 'licence.points');
      return {
        licenceNo: row.licenceNoMasked,
        vehicleClass: row.vehicleClass,
        pointsInCycle: row.pointsInCycle,
        pointsLimit: LICENCE_POINTS_LIMIT,
        cycleStart: row.cycleStart,
        cycleEnd: row.cycleEnd,
        status: row.status,
      };
    },
  };
}
