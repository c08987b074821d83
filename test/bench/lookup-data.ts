/**
 * Data for test/bench/lookup.ts: violations from the demo generator (resumable: vehicles are
 * added in chunks from the current count, so an interrupted or time-boxed load continues on the
 * next run), then bench citizens with sessions and one bound vehicle each. Runnable alone:
 * `tsx test/bench/lookup-data.ts` (same env as the bench).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { connectDatabase, ensureDatabase } from '../../db/connect';
import { runMigrations } from '../../db/migrate';
import { generateDemoViolations, prng } from '../../server/violations/demo-generator';

export const BENCH_PREFIX = '粤Z';
const CHUNK_VEHICLES = 50_000;

export interface LoadedData {
  vehicles: number;
  violations: number;
  /** seconds spent generating in this run (0 when reused) */
  generatedS: number;
  generatedVehicles: number;
  generatedViolations: number;
  complete: boolean;
}

async function count(pool: Pool, sqlText: string): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(sqlText);
  return Number(rows[0]!.n);
}

/** Loads up to `wantVehicles` / `wantViolations` (5 per vehicle on average), within `budgetS` seconds of generation. */
export async function ensureViolationData(url: string, wantVehicles: number, wantViolations: number, budgetS: number): Promise<LoadedData> {
  await ensureDatabase(url);
  await runMigrations(url);
  const h = connectDatabase(url, 2);
  try {
    let vehicles = await count(h.pool, 'SELECT COUNT(*) AS n FROM vehicles');
    let violations = await count(h.pool, 'SELECT COUNT(*) AS n FROM violations');
    const t0 = performance.now();
    let genV = 0;
    let genX = 0;
    const perVehicle = wantViolations / wantVehicles;
    while (vehicles < wantVehicles && (performance.now() - t0) / 1000 < budgetS) {
      const n = Math.min(CHUNK_VEHICLES, wantVehicles - vehicles);
      // the vehicles table holds only generated rows here, so its count is the next index
      const r = await generateDemoViolations(h.pool, { vehicles: n, violations: Math.round(n * perVehicle), startIndex: vehicles, seed: 20_240_501 + vehicles, prefix: BENCH_PREFIX, batchSize: 5_000 });
      genV += r.vehicles;
      genX += r.violations;
      vehicles += n;
      violations += r.violations;
      const s = (performance.now() - t0) / 1000;
      process.stderr.write(`  generated ${vehicles.toLocaleString('en-US')} vehicles / ${violations.toLocaleString('en-US')} violations (${s.toFixed(0)} s)\n`);
    }
    const generatedS = (performance.now() - t0) / 1000;
    vehicles = await count(h.pool, 'SELECT COUNT(*) AS n FROM vehicles');
    violations = await count(h.pool, 'SELECT COUNT(*) AS n FROM violations');
    return { vehicles, violations, generatedS: genV ? generatedS : 0, generatedVehicles: genV, generatedViolations: genX, complete: vehicles >= wantVehicles && violations >= wantViolations * 0.99 };
  } finally {
    await h.close();
  }
}

export interface BenchCitizen {
  citizenId: number;
  token: string;
  /** binding id: what the H5 passes as `vehicleId` */
  bindingId: number;
  vehicleId: number;
}

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * `n` citizens (openid prefix `prefix`), each with a fresh session (30 days) and, when
 * `bindAmong` > 0, one binding to a random vehicle id in 1..bindAmong. Earlier bench citizens
 * with that prefix (and their sessions and bindings) are removed first. Bulk inserts, not the services.
 */
export async function createBenchCitizens(url: string, n: number, prefix: string, bindAmong: number, seed = 7): Promise<BenchCitizen[]> {
  const h = connectDatabase(url, 2);
  const pool = h.pool;
  try {
    const [old] = await pool.query<RowDataPacket[]>('SELECT id FROM citizens WHERE openid LIKE ?', [`${prefix}%`]);
    const oldIds = old.map((r) => Number(r.id));
    for (let i = 0; i < oldIds.length; i += 5000) {
      const ids = oldIds.slice(i, i + 5000);
      await pool.query('DELETE FROM citizen_sessions WHERE citizen_id IN (?)', [ids]);
      await pool.query('DELETE FROM vehicle_bindings WHERE citizen_id IN (?)', [ids]);
      await pool.query('DELETE FROM appointment_events WHERE appointment_id IN (SELECT id FROM appointments WHERE citizen_id IN (?))', [ids]);
      await pool.query('DELETE FROM appointments WHERE citizen_id IN (?)', [ids]);
      await pool.query('DELETE FROM citizens WHERE id IN (?)', [ids]);
    }
    const now = new Date();
    const expires = new Date(Date.now() + 30 * 86_400_000);
    const openids = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(10, '0')}`);
    for (let i = 0; i < n; i += 5000) {
      await pool.query('INSERT INTO citizens (openid, subscribed, subscribed_at, last_seen_at) VALUES ?', [openids.slice(i, i + 5000).map((o) => [o, true, now, now])]);
    }
    const [rows] = await pool.query<RowDataPacket[]>('SELECT id, openid FROM citizens WHERE openid LIKE ? ORDER BY openid', [`${prefix}%`]);
    const ids = rows.map((r) => Number(r.id));
    const tokens = ids.map(() => randomBytes(32).toString('base64url'));
    for (let i = 0; i < n; i += 5000) {
      await pool.query('INSERT INTO citizen_sessions (id_hash, citizen_id, guest, scope, created_at, last_seen_at, expires_at) VALUES ?', [
        ids.slice(i, i + 5000).map((id, k) => [sha256hex(tokens[i + k]!), id, false, 'base', now, now, expires]),
      ]);
    }
    const out: BenchCitizen[] = ids.map((citizenId, k) => ({ citizenId, token: tokens[k]!, bindingId: 0, vehicleId: 0 }));
    if (bindAmong > 0) {
      const [range] = await pool.query<RowDataPacket[]>('SELECT MIN(id) AS lo, MAX(id) AS hi FROM vehicles');
      const lo = Number(range[0]!.lo);
      const hi = Number(range[0]!.hi);
      const rnd = prng(seed);
      for (const c of out) c.vehicleId = lo + Math.floor(rnd() * Math.min(bindAmong, hi - lo + 1));
      for (let i = 0; i < n; i += 5000) {
        await pool.query('INSERT INTO vehicle_bindings (citizen_id, vehicle_id, verified_at) VALUES ?', [out.slice(i, i + 5000).map((c) => [c.citizenId, c.vehicleId, now])]);
      }
      const [b] = await pool.query<RowDataPacket[]>('SELECT b.id, b.citizen_id FROM vehicle_bindings b JOIN citizens c ON c.id = b.citizen_id WHERE c.openid LIKE ?', [`${prefix}%`]);
      const byCitizen = new Map(b.map((r) => [Number(r.citizen_id), Number(r.id)]));
      for (const c of out) c.bindingId = byCitizen.get(c.citizenId)!;
    }
    return out;
  } finally {
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/govportal_bench_lookup';
  const r = await ensureViolationData(url, Number(process.env.BENCH_VEHICLES ?? 1_000_000), Number(process.env.BENCH_VIOLATIONS ?? 5_000_000), Number(process.env.BENCH_GEN_BUDGET_S ?? 900));
  console.log(JSON.stringify(r));
  process.exit(0);
}
