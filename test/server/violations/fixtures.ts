import { randomInt } from 'node:crypto';
import { vehicles, violations, type Database } from '../../../db/schema';

const SERIAL = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A random valid ordinary plate under a test-only prefix (粤T). */
export function randomPlate(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SERIAL[randomInt(SERIAL.length)];
  return `粤T${s}`;
}

export function randomVin(): string {
  let s = 'LTEST';
  for (let i = 0; i < 12; i++) s += SERIAL[randomInt(10)];
  return s;
}

/** A vehicle with the given violations (status, points, fine) straight into the tables. */
export async function makeVehicle(
  db: Database,
  opts: { plateType?: string; plateNo?: string; vin?: string; engineNo?: string; ownerName?: string; violations?: { status: 'unprocessed' | 'processed' | 'paid'; points: number; fineYuan: number }[] } = {},
) {
  const v = {
    plateType: opts.plateType ?? '02',
    plateNo: opts.plateNo ?? randomPlate(),
    vin: opts.vin ?? randomVin(),
    engineNo: opts.engineNo ?? `EN${randomInt(10_000_000, 99_999_999)}`,
    ownerName: opts.ownerName ?? '测试车主甲',
  };
  const [res] = await db.insert(vehicles).values(v);
  const id = res.insertId;
  const list = opts.violations ?? [];
  if (list.length) {
    await db.insert(violations).values(
      list.map((x, i) => ({
        vehicleId: id,
        plateType: v.plateType,
        plateNo: v.plateNo,
        occurredAt: new Date(Date.UTC(2026, 0, 1 + i, 2, 30, 0)),
        location: `示范市测试路${i + 1}号`,
        behaviourCode: '1625',
        behaviourText: '驾驶机动车违反道路交通信号灯通行的',
        points: x.points,
        fineYuan: x.fineYuan,
        authority: '示范市公安局交通警察支队',
        status: x.status,
      })),
    );
  }
  return { id, ...v };
}
