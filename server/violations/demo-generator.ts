import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { DEMO_BEHAVIOURS } from '../../db/seed/demo-violations';

/**
 * Large, realistic-looking violation data for benchmarks (1 M vehicles / 5 M violations):
 * deterministic for a seed, written with multi-row `INSERT … VALUES ?` through mysql2 (the
 * drizzle builder is too slow at this volume). Plates are distinct by construction (an index
 * run through a bijection of the 34⁵ serial space), so a run never collides with itself;
 * re-running the same range inserts nothing new (INSERT IGNORE).
 */
export interface GeneratorOptions {
  vehicles: number;
  /** total violations, spread over the vehicles at random */
  violations: number;
  seed?: number;
  /** province + issuing letter of the generated plates; keep it apart from real/demo data */
  prefix?: string;
  /** first vehicle index, to add more data later without overlap */
  startIndex?: number;
  batchSize?: number;
  onProgress?: (p: { vehicles: number; violations: number }) => void;
}

export interface GeneratedVehicle {
  plateType: string;
  plateNo: string;
  vin: string;
  engineNo: string;
}

const SERIAL = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'; // 34 characters, no I or O
const SPACE = 34 ** 5;
const NE_SPACE = 2 * 34 * 10_000;
const VIN_CHARS = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ';
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英', '建华', '丽娟', '志强', '海燕'];
const ROADS = ['深南大道', '滨海大道', '北环大道', '红荔路', '福华路', '新洲路', '益田路', '皇岗路', '沙河西路', '南海大道', '龙岗大道', '宝安大道'];
const CROSS = ['华富路', '彩田路', '香蜜湖路', '科苑路', '侨香路', '金田路', '香梅路', '上步路'];

/** mulberry32: small, fast, good enough for test data */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** the index-th generated plate serial: a multiplicative bijection mod 34⁵, so distinct indexes give distinct serials */
function serialOf(index: number): string {
  let n = Number((BigInt(index) * 7_919_557n + 1_234_567n) % BigInt(SPACE));
  let s = '';
  for (let i = 0; i < 5; i++) {
    s = SERIAL[n % 34]! + s;
    n = Math.floor(n / 34);
  }
  return s;
}

/** Deterministic vehicle for an index (plate, VIN, engine number): a benchmark can recompute proofs. */
export function demoVehicle(index: number, prefix = '粤Z'): GeneratedVehicle {
  const rnd = prng(index * 2654435761);
  const pick = (chars: string) => chars[Math.floor(rnd() * chars.length)]!;
  let vin = 'L';
  for (let i = 0; i < 16; i++) vin += pick(VIN_CHARS);
  let engine = '';
  for (let i = 0; i < 9; i++) engine += pick(i < 3 ? 'ABCDEFGHJKLMNPRSTUVWXYZ' : '0123456789');
  // Every 7th vehicle is small new-energy (D/F + letter-or-digit + 4 digits), from its own
  // bijection of that 2×34×10⁴ space: distinct for indexes below 4.7 M.
  if (index % 7 === 3) {
    let n = (Math.floor(index / 7) * 104_729 + 4_321) % NE_SPACE;
    const digits = String(n % 10_000).padStart(4, '0');
    n = Math.floor(n / 10_000);
    return { plateType: '52', plateNo: `${prefix}${n % 2 === 0 ? 'D' : 'F'}${SERIAL[Math.floor(n / 2)]!}${digits}`, vin, engineNo: engine };
  }
  return { plateType: rnd() < 0.08 ? '01' : '02', plateNo: `${prefix}${serialOf(index)}`, vin, engineNo: engine };
}

export async function generateDemoViolations(pool: Pool, opts: GeneratorOptions): Promise<{ vehicles: number; violations: number }> {
  const seed = opts.seed ?? 20_240_501;
  const prefix = opts.prefix ?? '粤Z';
  const start = opts.startIndex ?? 0;
  const batch = opts.batchSize ?? 5_000;
  const rnd = prng(seed);
  const perVehicle = opts.violations / Math.max(1, opts.vehicles);
  const now = Date.UTC(2026, 10, 1);
  const threeYears = 3 * 365 * 86_400_000;
  let insertedVehicles = 0;
  let insertedViolations = 0;
  let remaining = opts.violations;

  await pool.query('INSERT IGNORE INTO violation_behaviours (code, text, points, fine_yuan) VALUES ?', [DEMO_BEHAVIOURS.map((b) => [b.code, b.text, b.points, b.fineYuan])]);

  for (let from = start; from < start + opts.vehicles; from += batch) {
    const to = Math.min(start + opts.vehicles, from + batch);
    const chunk: GeneratedVehicle[] = [];
    const rows: unknown[][] = [];
    for (let i = from; i < to; i++) {
      const v = demoVehicle(i, prefix);
      chunk.push(v);
      const owner = `${SURNAMES[Math.floor(rnd() * SURNAMES.length)]}${GIVEN[Math.floor(rnd() * GIVEN.length)]}`;
      rows.push([v.plateType, v.plateNo, v.vin, v.engineNo, owner]);
    }
    const [vres] = await pool.query<ResultSetHeader>('INSERT IGNORE INTO vehicles (plate_type, plate_no, vin, engine_no, owner_name) VALUES ?', [rows]);
    insertedVehicles += vres.affectedRows;
    const [ids] = await pool.query<(RowDataPacket & { id: number; plate_type: string; plate_no: string })[]>(
      'SELECT id, plate_type, plate_no FROM vehicles WHERE (plate_type, plate_no) IN (?)',
      [chunk.map((v) => [v.plateType, v.plateNo])],
    );
    const idOf = new Map(ids.map((r) => [`${r.plate_type}|${r.plate_no}`, Number(r.id)]));

    // Violations for this chunk: its share of the total, vehicles chosen at random within it.
    const isLast = to >= start + opts.vehicles;
    const want = isLast ? remaining : Math.min(remaining, Math.round(perVehicle * chunk.length));
    remaining -= want;
    const vrows: unknown[][] = [];
    for (let k = 0; k < want; k++) {
      const v = chunk[Math.floor(rnd() * chunk.length)]!;
      const b = DEMO_BEHAVIOURS[Math.floor(rnd() * DEMO_BEHAVIOURS.length)]!;
      const at = new Date(Math.floor((now - rnd() * threeYears) / 1000) * 1000);
      const age = now - at.getTime();
      const status = age < 30 * 86_400_000 ? 'unprocessed' : rnd() < 0.75 ? 'paid' : rnd() < 0.5 ? 'processed' : 'unprocessed';
      const road = ROADS[Math.floor(rnd() * ROADS.length)]!;
      const location = rnd() < 0.5 ? `示范市${road}与${CROSS[Math.floor(rnd() * CROSS.length)]!}交叉口` : `示范市${road}${Math.floor(rnd() * 3000) + 1}号`;
      vrows.push([
        idOf.get(`${v.plateType}|${v.plateNo}`),
        v.plateType,
        v.plateNo,
        at,
        location,
        b.code,
        b.text,
        b.points,
        b.fineYuan,
        '示范市公安局交通警察支队',
        status,
        status === 'paid' ? new Date(at.getTime() + 10 * 86_400_000) : null,
      ]);
    }
    for (let i = 0; i < vrows.length; i += batch) {
      const [res] = await pool.query<ResultSetHeader>(
        'INSERT IGNORE INTO violations (vehicle_id, plate_type, plate_no, occurred_at, location, behaviour_code, behaviour_text, points, fine_yuan, authority, status, paid_at) VALUES ?',
        [vrows.slice(i, i + batch)],
      );
      insertedViolations += res.affectedRows;
    }
    opts.onProgress?.({ vehicles: insertedVehicles, violations: insertedViolations });
  }
  return { vehicles: insertedVehicles, violations: insertedViolations };
}
