import { seedRuns, type Database, type Transaction } from '../schema';
import { seedDemoCitizens } from './demo-citizens';
import { seedDefaultReplies } from './default-replies';
import { defaultMenuSeed } from './default-menu';
import { seedDemoViolations } from './demo-violations';
import { seedDemoAppointments } from './demo-appointments';

/**
 * Demo data for sandbox mode, one named step per area. Each step runs once per database: the
 * step's row in seed_runs is inserted in the same transaction as its data, so a crash leaves
 * neither, and two instances starting together cannot both run it (the primary key decides).
 */
export interface SeedStep {
  name: string;
  run(tx: Transaction): Promise<void>;
}

export const SEED_STEPS: SeedStep[] = [
  { name: 'demo-citizens-v1', run: seedDemoCitizens },
  { name: 'default-replies-v1', run: seedDefaultReplies },
  defaultMenuSeed,
  { name: 'demo-violations-v1', run: seedDemoViolations },
  { name: 'demo-appointments-v1', run: seedDemoAppointments },
];

export async function runSeeds(db: Database, steps: SeedStep[] = SEED_STEPS): Promise<string[]> {
  const ran: string[] = [];
  for (const step of steps) {
    const did = await db.transaction(async (tx) => {
      const [res] = await tx.insert(seedRuns).ignore().values({ name: step.name });
      if (res.affectedRows === 0) return false;
      await step.run(tx);
      return true;
    });
    if (did) ran.push(step.name);
  }
  return ran;
}
