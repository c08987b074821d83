import { spawn } from 'node:child_process';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, seedRuns, staffAccounts } from '../../../db/schema';
import { runSeeds, SEED_STEPS, seedStepsFor } from '../../../db/seed';
import { DEMO_STAFF, demoStaffLines, demoStaffSeed } from '../../../db/seed/demo-staff';
import { parseConfig } from '../../../server/config';
import { verifyPassword } from '../../../server/staff/password';
import { createTestApp, type TestApp } from '../../support/app';
import { testDb, uniq, workerDatabaseUrl } from '../../support/db';
import { liveEnv } from '../../support/factories';
import { loginAgent } from '../../support/staff-agent';

/** `npm run staff:create -- …` as a child process against the worker database. */
function runCli(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/staff/create-cli.ts', ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: workerDatabaseUrl(), STAFF_PASSWORD_SCRYPT_N: '1024', LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const account = async (username: string) => (await testDb().db.select().from(staffAccounts).where(eq(staffAccounts.username, username)))[0];

describe('npm run staff:create', () => {
  it('creates an account with --password: exit 0, hashed, audited as the CLI, can sign in', async () => {
    const username = uniq('cli');
    const r = await runCli(['--username', username, '--role', 'supervisor', '--display-name', '李科长', '--password', 'Cli-Password-123']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`created staff account ${username} \\(id \\d+, role supervisor\\)`));
    expect(r.stdout).not.toContain('Cli-Password-123');
    const row = await account(username);
    expect(row).toMatchObject({ role: 'supervisor', displayName: '李科长', disabled: false });
    expect(row!.passwordHash).toMatch(/^scrypt\$1024\$/);
    expect(await verifyPassword('Cli-Password-123', row!.passwordHash)).toBe(true);
    const [audit] = await testDb()
      .db.select()
      .from(auditEntries)
      .where(and(eq(auditEntries.action, 'staff.create'), eq(auditEntries.subjectId, String(row!.id))));
    expect(audit).toMatchObject({ actorType: 'system', actorName: 'cli' });
  }, 60_000);

  it('reads the password from stdin when --password is not given', async () => {
    const username = uniq('stdin');
    const r = await runCli(['--username', username, '--role', 'clerk'], 'Stdin-Password-456\nignored second line\n');
    expect(r.code).toBe(0);
    expect(await verifyPassword('Stdin-Password-456', (await account(username))!.passwordHash)).toBe(true);
  }, 60_000);

  it('usage errors exit 2 with a clear message and create nothing', async () => {
    const username = uniq('bad');
    const cases: [string[], RegExp][] = [
      [['--role', 'clerk', '--password', 'Cli-Password-123'], /--username is required/],
      [['--username', username, '--password', 'Cli-Password-123'], /--role is required/],
      [['--username', username, '--role', 'root', '--password', 'Cli-Password-123'], /--role must be one of admin, supervisor, clerk, evaluator/],
      [['--username', 'x y', '--role', 'clerk', '--password', 'Cli-Password-123'], /--username: /],
      [['--username', username, '--role', 'clerk', '--pasword', 'typo'], /Unknown option '--pasword'/],
      [['--username', username, '--role', 'clerk'], /a password is required/], // empty stdin
    ];
    // Two at a time: each child is a full tsx start-up, and the machine is shared.
    for (let i = 0; i < cases.length; i += 2) {
      const batch = cases.slice(i, i + 2);
      const results = await Promise.all(batch.map(([args]) => runCli(args)));
      batch.forEach(([args, message], j) => {
        const r = results[j]!;
        expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toMatch(/usage: npm run staff:create/);
      });
    }
    expect(await account(username)).toBeUndefined();
  }, 120_000);

  it('a taken username or a weak password exits 1 with the reason', async () => {
    const username = uniq('dup');
    expect((await runCli(['--username', username, '--role', 'clerk', '--password', 'Cli-Password-123'])).code).toBe(0);
    const dup = await runCli(['--username', username, '--role', 'admin', '--password', 'Cli-Password-123']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/STAFF_USERNAME_TAKEN/);
    expect((await account(username))!.role).toBe('clerk');
    const weak = await runCli(['--username', uniq('weak'), '--role', 'clerk', '--password', 'short']);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/STAFF_PASSWORD_WEAK/);
    expect(weak.stderr).not.toContain('short\n');
  }, 120_000);
});

describe('demo staff accounts', () => {
  let t: TestApp;
  beforeAll(() => {
    t = createTestApp();
  });
  afterAll(() => t.close());

  it('are seeded only in sandbox mode, whatever SEED_DEMO_DATA says', () => {
    const sandbox = seedStepsFor(parseConfig({}));
    const live = seedStepsFor(parseConfig({ ...liveEnv(), SEED_DEMO_DATA: 'true' }));
    expect(sandbox.map((s) => s.name)).toContain('demo-staff-v1');
    expect(live.map((s) => s.name)).not.toContain('demo-staff-v1');
    expect(live).toEqual(SEED_STEPS);
  });

  it('one per role, each can sign in with the printed password; running the step again changes nothing', async () => {
    const db = testDb().db;
    const step = demoStaffSeed({ N: 1024, r: 8, p: 1 });
    // The worker database may have seen this step already (another test file); run it fresh under a test name.
    await runSeeds(db, [{ ...step, name: uniq('demo-staff-test') }]);
    expect(new Set(DEMO_STAFF.map((s) => s.role))).toEqual(new Set(['admin', 'supervisor', 'clerk', 'evaluator']));
    for (const s of DEMO_STAFF) {
      const { res } = await loginAgent(t, s.username, s.password);
      expect([s.username, res.status]).toEqual([s.username, 200]);
    }
    const before = await db.select().from(staffAccounts).where(eq(staffAccounts.username, DEMO_STAFF[0]!.username));
    await runSeeds(db, [{ ...step, name: uniq('demo-staff-test') }]);
    const after = await db.select().from(staffAccounts).where(eq(staffAccounts.username, DEMO_STAFF[0]!.username));
    expect(after[0]!.passwordHash).toBe(before[0]!.passwordHash);
    const lines = demoStaffLines(DEMO_STAFF.map((s) => s.username));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/admin\s+demo\.admin\s+Sandbox-Admin-2025/);
    expect(demoStaffLines(['demo.clerk'])).toHaveLength(1);
    expect(await db.select().from(seedRuns).where(eq(seedRuns.name, 'nonexistent'))).toEqual([]);
  });
});
