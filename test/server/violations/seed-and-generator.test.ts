import { eq, inArray, like, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { connectDatabase } from '../../../db/connect';
import { runMigrations } from '../../../db/migrate';
import { citizens, driverLicences, vehicleBindings, vehicles, violations } from '../../../db/schema';
import { DEMO_CITIZENS } from '../../../db/seed/demo-citizens';
import { DEMO_VEHICLES } from '../../../db/seed/demo-violations';
import { runSeeds, SEED_STEPS } from '../../../db/seed/index';
import { demoVehicle, generateDemoViolations } from '../../../server/violations/demo-generator';
import { normalisePlateNo } from '../../../server/violations/plates';
import { scratchDatabase } from '../../support/db';

describe('demo violation data', () => {
  it('seeds valid plates, bound vehicles and licences for the demo citizens', async () => {
    const url = await scratchDatabase('violseed');
    await runMigrations(url);
    const h = connectDatabase(url, 2);
    try {
      await runSeeds(h.db, SEED_STEPS.filter((s) => s.name.startsWith('demo-citizens') || s.name.startsWith('demo-violations')));
      for (const v of DEMO_VEHICLES) expect(normalisePlateNo(v.plateNo, v.plateType)).toEqual({ ok: true, value: v.plateNo });
      const first = (await h.db.select().from(citizens).where(eq(citizens.openid, DEMO_CITIZENS[0].openid)))[0]!;
      const bound = await h.db.select().from(vehicleBindings).where(eq(vehicleBindings.citizenId, first.id));
      expect(bound).toHaveLength(1);
      expect((await h.db.select().from(violations).where(eq(violations.vehicleId, bound[0]!.vehicleId))).length).toBe(3);
      expect((await h.db.select().from(driverLicences).where(eq(driverLicences.citizenId, first.id)))[0]).toMatchObject({ vehicleClass: 'C1', pointsInCycle: 6 });
    } finally {
      await h.close();
    }
  });

  it('the generator is deterministic, writes valid distinct plates, and re-running adds nothing', async () => {
    const url = await scratchDatabase('violgen');
    await runMigrations(url);
    const h = connectDatabase(url, 2);
    try {
      const plates = Array.from({ length: 3000 }, (_, i) => demoVehicle(i, '鲁Q'));
      expect(new Set(plates.map((p) => `${p.plateType}|${p.plateNo}`)).size).toBe(3000);
      for (const p of plates.slice(0, 200)) expect(normalisePlateNo(p.plateNo, p.plateType as '02')).toEqual({ ok: true, value: p.plateNo });
      expect(demoVehicle(42, '鲁Q')).toEqual(demoVehicle(42, '鲁Q'));

      const res = await generateDemoViolations(h.pool, { vehicles: 1200, violations: 5000, seed: 7, prefix: '鲁Q', batchSize: 500 });
      expect(res.vehicles).toBe(1200);
      expect(res.violations).toBeGreaterThan(4900); // a rare (plate, time, code) repeat is ignored
      const [cnt] = await h.db.select({ n: sql<number>`COUNT(*)` }).from(violations);
      expect(Number(cnt!.n)).toBe(res.violations);
      const again = await generateDemoViolations(h.pool, { vehicles: 1200, violations: 5000, seed: 7, prefix: '鲁Q', batchSize: 500 });
      expect(again).toEqual({ vehicles: 0, violations: 0 });
      const sample = await h.db.select().from(vehicles).where(like(vehicles.plateNo, '鲁Q%')).limit(5);
      expect(sample).toHaveLength(5);
      const vs = await h.db.select().from(violations).where(inArray(violations.vehicleId, sample.map((s) => s.id)));
      for (const v of vs) expect(sample.find((s) => s.id === v.vehicleId)?.plateNo).toBe(v.plateNo);
    } finally {
      await h.close();
    }
  });
});
