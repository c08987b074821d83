import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { connectDatabase } from '../../db/connect';
import { runMigrations } from '../../db/migrate';
import { citizens, seedRuns } from '../../db/schema';
import { DEMO_CITIZENS } from '../../db/seed/demo-citizens';
import { runSeeds, SEED_STEPS, type SeedStep } from '../../db/seed';
import { scratchDatabase, uniq } from '../support/db';

describe('demo data seeding', () => {
  it('runs each step once, even when several instances start together', async () => {
    const url = await scratchDatabase('seed');
    await runMigrations(url);
    const h = connectDatabase(url, 5);
    try {
      const results = await Promise.all([runSeeds(h.db), runSeeds(h.db), runSeeds(h.db)]);
      expect(results.flat().sort()).toEqual(SEED_STEPS.map((s) => s.name).sort());
      expect(await runSeeds(h.db)).toEqual([]);
      const rows = await h.db.select().from(citizens).where(inArray(citizens.openid, DEMO_CITIZENS.map((c) => c.openid)));
      expect(rows).toHaveLength(DEMO_CITIZENS.length);
    } finally {
      await h.close();
    }
  });

  it('a step that fails leaves no trace and runs again next time', async () => {
    const url = await scratchDatabase('seedfail');
    await runMigrations(url);
    const h = connectDatabase(url, 2);
    const name = uniq('step');
    let attempts = 0;
    const step: SeedStep = {
      name,
      async run(tx) {
        attempts += 1;
        await tx.insert(citizens).values({ openid: `${name}-citizen` });
        if (attempts === 1) throw new Error('half-way failure');
      },
    };
    try {
      await expect(runSeeds(h.db, [step])).rejects.toThrow('half-way failure');
      expect(await h.db.select().from(seedRuns).where(inArray(seedRuns.name, [name]))).toHaveLength(0);
      expect(await h.db.select().from(citizens).where(inArray(citizens.openid, [`${name}-citizen`]))).toHaveLength(0);
      expect(await runSeeds(h.db, [step])).toEqual([name]);
      expect(await h.db.select().from(citizens).where(inArray(citizens.openid, [`${name}-citizen`]))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
