import supertest from 'supertest';
import { staffAccounts, type Database } from '../../db/schema';
import { hashPassword } from '../../server/staff/password';
import type { StaffRole } from '../../server/staff/roles';
import { CSRF_HEADER } from '../../server/staff/session-middleware';
import { STAFF_COOKIE } from '../../server/staff/sessions';
import type { TestApp } from './app';
import { testDb, uniq } from './db';

/** Cheap scrypt parameters for test accounts: the hash carries them, so verification stays cheap whatever the config says. */
const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };
export const TEST_STAFF_PASSWORD = 'Correct-Horse-42';

export interface TestStaff {
  id: number;
  username: string;
  displayName: string;
  role: StaffRole;
  password: string;
}

/** A staff account straight into the table (no audit row), with a known password. */
export async function createStaff(
  db: Database,
  opts: { role: StaffRole; username?: string; password?: string; displayName?: string; disabled?: boolean },
): Promise<TestStaff> {
  const username = (opts.username ?? uniq(opts.role.slice(0, 3))).toLowerCase();
  const password = opts.password ?? TEST_STAFF_PASSWORD;
  const displayName = opts.displayName ?? `测试${opts.role}`;
  const [res] = await db.insert(staffAccounts).values({
    username,
    displayName,
    role: opts.role,
    passwordHash: await hashPassword(password, TEST_SCRYPT),
    disabled: opts.disabled ?? false,
  });
  return { id: res.insertId, username, displayName, role: opts.role, password };
}

type AppOrServer = TestApp | { t: TestApp; base: string };

/**
 * A supertest agent signed in as a new staff member of `role` (a session is created directly,
 * as after POST /api/admin/login). Every request carries the session cookie and the session's
 * X-CSRF-Token, so writes pass the CSRF check. Pass `{ t, base }` from startTestServer to go
 * over real HTTP.
 */
export async function signedInStaff(target: AppOrServer, role: StaffRole, opts: { username?: string; staff?: TestStaff } = {}) {
  const t = 'base' in target ? target.t : target;
  const staff = opts.staff ?? (await createStaff(testDb().db, { role, username: opts.username }));
  const session = await t.deps.staffSessions.create(t.deps.db, staff.id, { ip: '127.0.0.1', userAgent: 'vitest' });
  const agent = supertest
    .agent('base' in target ? target.base : t.app.callback())
    .set('Cookie', `${STAFF_COOKIE}=${session.token}`)
    .set(CSRF_HEADER, session.csrfToken);
  return { agent, staff, csrfToken: session.csrfToken, token: session.token, sessionId: session.sessionId };
}

/** Signs in through POST /api/admin/login; returns the agent (cookie kept by supertest) and the CSRF token. */
export async function loginAgent(target: AppOrServer, username: string, password: string) {
  const t = 'base' in target ? target.t : target;
  const agent = supertest.agent('base' in target ? target.base : t.app.callback());
  const res = await agent.post('/api/admin/login').send({ username, password });
  return { agent, res, csrfToken: (res.body as { data?: { csrfToken?: string } }).data?.csrfToken };
}
