import { sql } from 'drizzle-orm';
import { hashPassword, type ScryptParams } from '../../server/staff/password';
import type { StaffRole } from '../../server/staff/roles';
import { auditEntries, staffAccounts, type Transaction } from '../schema';
import type { SeedStep } from './index';

/**
 * One demo account per role, for the sandbox only: the passwords are public (printed at every
 * sandbox start and written here), so this step is never part of a live-mode seed
 * (`seedStepsFor`), whatever SEED_DEMO_DATA says.
 */
export const DEMO_STAFF: readonly { username: string; displayName: string; role: StaffRole; password: string }[] = [
  { username: 'demo.admin', displayName: '演示·系统管理员', role: 'admin', password: 'Sandbox-Admin-2025' },
  { username: 'demo.supervisor', displayName: '演示·科室负责人', role: 'supervisor', password: 'Sandbox-Supervisor-2025' },
  { username: 'demo.clerk', displayName: '演示·窗口办事员', role: 'clerk', password: 'Sandbox-Clerk-2025' },
  { username: 'demo.evaluator', displayName: '演示·数据评估员', role: 'evaluator', password: 'Sandbox-Evaluator-2025' },
];

export function demoStaffSeed(scrypt: ScryptParams): SeedStep {
  return {
    name: 'demo-staff-v1',
    async run(tx: Transaction) {
      const at = new Date();
      for (const s of DEMO_STAFF) {
        const [res] = await tx
          .insert(staffAccounts)
          .values({ username: s.username, displayName: s.displayName, role: s.role, passwordHash: await hashPassword(s.password, scrypt), createdAt: at, updatedAt: at, passwordChangedAt: at })
          // An account already there (created by hand under that name) keeps its password.
          .onDuplicateKeyUpdate({ set: { username: sql`${staffAccounts.username}` } });
        if (res.affectedRows === 1) {
          await tx.insert(auditEntries).values({ at, actorType: 'system', actorName: 'seed', action: 'staff.create', subjectType: 'staff', subjectId: String(res.insertId), detail: { username: s.username, role: s.role, demo: true } });
        }
      }
    },
  };
}

/** The lines main.ts prints under the URLs in sandbox mode. */
export function demoStaffLines(present: string[]): string[] {
  const width = Math.max(...DEMO_STAFF.map((s) => s.username.length));
  return DEMO_STAFF.filter((s) => present.includes(s.username)).map((s) => `    ${s.role.padEnd(10)} ${s.username.padEnd(width)}  ${s.password}`);
}
