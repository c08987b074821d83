import type { ScryptParams } from '../../server/staff/password';
import { seedRuns, type Database, type Transaction } from '../schema';
import { seedDemoCitizens } from './demo-citizens';
import { demoStaffSeed } from './demo-staff';
import { seedDefaultReplies } from './default-replies';
import { defaultMenuSeed } from './default-menu';
import { seedDemoViolations } from './demo-violations';
import { seedDemoAppointments, seedDemoOfficeLocations } from './demo-appointments';
import { seedApplicationTypes } from './application-types';

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
  { name: 'demo-office-locations-v1', run: seedDemoOfficeLocations },
  { name: 'application-types-v1', run: seedApplicationTypes },
];

/**
 * The steps for a WeChat mode: demo staff accounts (public passwords) only ever in sandbox mode,
 * even when SEED_DEMO_DATA=true is set for a live deployment.
 */
export function seedStepsFor(config: { wechat: { mode: 'sandbox' | 'live' }; staff: { scrypt: ScryptParams } }): SeedStep[] {
  return config.wechat.mode === 'sandbox' ? [...SEED_STEPS, demoStaffSeed(config.staff.scrypt)] : SEED_STEPS;
}

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
