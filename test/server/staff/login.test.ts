import { and, desc, eq } from 'drizzle-orm';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, staffAccounts } from '../../../db/schema';
import { parseHash } from '../../../server/staff/password';
import { createTestApp, type TestApp } from '../../support/app';
import { testDb, uniq } from '../../support/db';
import { createStaff, loginAgent } from '../../support/staff-agent';

/** A movable clock: lockout expiry and session expiry are tested without waiting. */
function clock(start = Date.UTC(2025, 5, 2, 2, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

async function auditFor(subjectId: number | string, action: string) {
  return testDb()
    .db.select()
    .from(auditEntries)
    .where(and(eq(auditEntries.subjectType, 'staff'), eq(auditEntries.subjectId, String(subjectId)), eq(auditEntries.action, action)))
    .orderBy(desc(auditEntries.id));
}

describe('staff sign-in', () => {
  const c = clock();
  let t: TestApp;
  beforeAll(() => {
    t = createTestApp({
      now: c.now,
      env: { STAFF_LOGIN_MAX_FAILURES: '3', STAFF_LOCKOUT_MINUTES: '10', STAFF_LOGIN_RATE_PER_USERNAME: '1000', STAFF_LOGIN_RATE_PER_IP: '1000' },
    });
  });
  afterAll(() => t.close());

  it('signs in with the right password: HttpOnly SameSite=Strict cookie scoped to /api/admin, CSRF token, audit row', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const { agent, res, csrfToken } = await loginAgent(t, s.username, s.password);
    expect(res.status).toBe(200);
    expect(res.body.data.staff).toEqual({ id: s.id, username: s.username, displayName: s.displayName, role: 'clerk' });
    expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/gp_staff=[A-Za-z0-9_-]{43}/);
    expect(cookie).toMatch(/path=\/api\/admin/);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=strict/i);
    expect(cookie).not.toMatch(/secure/i); // plain http here
    const me = await agent.get('/api/admin/me');
    expect(me.status).toBe(200);
    expect(me.body.data.csrfToken).toBe(csrfToken);
    expect(me.body.data.staff.role).toBe('clerk');
    expect((await auditFor(s.id, 'staff.login')).length).toBe(1);
    const [row] = await testDb().db.select().from(staffAccounts).where(eq(staffAccounts.id, s.id));
    expect(row!.lastLoginAt?.getTime()).toBe(c.now());
  });

  it('usernames are matched case-insensitively and trimmed', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const { res } = await loginAgent(t, `  ${s.username.toUpperCase()} `, s.password);
    expect(res.status).toBe(200);
  });

  it('answers the same error for a wrong password and an unknown user, and audits both', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const wrong = await t.request.post('/api/admin/login').send({ username: s.username, password: 'not-the-password' });
    const unknown = await t.request.post('/api/admin/login').send({ username: uniq('nobody'), password: 'whatever-it-is' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('STAFF_LOGIN_FAILED');
    expect(unknown.body.error.code).toBe('STAFF_LOGIN_FAILED');
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const [failed] = await auditFor(s.id, 'staff.login_failed');
    expect(failed!.detail).toMatchObject({ reason: 'wrong_password' });
    expect(JSON.stringify(failed!.detail)).not.toContain('not-the-password');
  });

  it('a disabled account cannot sign in, even with the right password', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk', disabled: true });
    const res = await t.request.post('/api/admin/login').send({ username: s.username, password: s.password });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('STAFF_LOGIN_FAILED');
    const [failed] = await auditFor(s.id, 'staff.login_failed');
    expect(failed!.detail).toMatchObject({ reason: 'disabled' });
  });

  it('locks a username after repeated failures, refuses even the right password while locked, and unlocks when the time is up', async () => {
    const s = await createStaff(testDb().db, { role: 'supervisor' });
    const attempt = (password: string) => t.request.post('/api/admin/login').send({ username: s.username, password });
    expect((await attempt('wrong-1-wrong')).body.error.code).toBe('STAFF_LOGIN_FAILED');
    expect((await attempt('wrong-2-wrong')).body.error.code).toBe('STAFF_LOGIN_FAILED');
    const third = await attempt('wrong-3-wrong');
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('STAFF_LOGIN_LOCKED');
    const during = await attempt(s.password);
    expect(during.status).toBe(429);
    expect(during.body.error.code).toBe('STAFF_LOGIN_LOCKED');
    expect(Number(during.headers['retry-after'])).toBe(600);
    expect((await auditFor(s.id, 'staff.locked')).length).toBe(1);

    c.advance(9 * 60_000);
    expect((await attempt(s.password)).body.error.code).toBe('STAFF_LOGIN_LOCKED');
    c.advance(60_000 + 1);
    expect((await attempt(s.password)).status).toBe(200);
  });

  it('a success resets the failure count', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const attempt = (password: string) => t.request.post('/api/admin/login').send({ username: s.username, password });
    await attempt('wrong-1-wrong');
    await attempt('wrong-2-wrong');
    expect((await attempt(s.password)).status).toBe(200);
    expect((await attempt('wrong-3-wrong')).body.error.code).toBe('STAFF_LOGIN_FAILED');
    expect((await attempt('wrong-4-wrong')).body.error.code).toBe('STAFF_LOGIN_FAILED');
  });

  it('locks unknown usernames exactly like real ones (no account enumeration through the lockout)', async () => {
    const name = uniq('ghost');
    const attempt = () => t.request.post('/api/admin/login').send({ username: name, password: 'guess-guess-guess' });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await attempt()).body.error.code);
    expect(codes).toEqual(['STAFF_LOGIN_FAILED', 'STAFF_LOGIN_FAILED', 'STAFF_LOGIN_LOCKED', 'STAFF_LOGIN_LOCKED']);
  });

  it('rejects malformed bodies with a 400, never a crash', async () => {
    for (const body of [{}, { username: 'a' }, { username: 'a', password: '' }, { username: 'a'.repeat(65), password: 'x' }, { username: 'a', password: 'x'.repeat(257) }, { username: 1, password: 2 }]) {
      const res = await t.request.post('/api/admin/login').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const bad = await t.request.post('/api/admin/login').set('Content-Type', 'application/json').send('{"username":');
    expect(bad.status).toBe(400);
  });

  it('raises an old hash to the current parameters on sign-in', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const t2 = createTestApp({ env: { STAFF_PASSWORD_SCRYPT_N: '2048' } });
    try {
      const res = await supertest(t2.app.callback()).post('/api/admin/login').send({ username: s.username, password: s.password });
      expect(res.status).toBe(200);
      const [row] = await testDb().db.select().from(staffAccounts).where(eq(staffAccounts.id, s.id));
      expect(parseHash(row!.passwordHash)?.N).toBe(2048);
      // and the new hash still verifies
      expect((await supertest(t2.app.callback()).post('/api/admin/login').send({ username: s.username, password: s.password })).status).toBe(200);
    } finally {
      await t2.close();
    }
  });
});

describe('staff sign-in rate limits', () => {
  const c = clock();
  let t: TestApp;
  let ipSeq = 0;
  const nextIp = () => `203.0.113.${++ipSeq}`;
  beforeAll(() => {
    t = createTestApp({
      now: c.now,
      env: { TRUST_PROXY: 'true', STAFF_LOGIN_MAX_FAILURES: '1000', STAFF_LOGIN_RATE_PER_USERNAME: '5', STAFF_LOGIN_RATE_PER_IP: '8', STAFF_LOGIN_RATE_WINDOW_MINUTES: '15' },
    });
  });
  afterAll(() => t.close());
  const attempt = (username: string, password: string, ip: string) =>
    supertest(t.app.callback()).post('/api/admin/login').set('X-Forwarded-For', ip).send({ username, password });

  it('racing attempts on one username: exactly the limit get an answer, the rest 429 with Retry-After', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    // Each from its own address, so only the per-username limit applies.
    const results = await Promise.all(Array.from({ length: 12 }, () => attempt(s.username, 'wrong-wrong-wrong', nextIp())));
    const codes = results.map((r) => r.body.error.code as string);
    expect(codes.filter((x) => x === 'STAFF_LOGIN_FAILED')).toHaveLength(5);
    expect(codes.filter((x) => x === 'RATE_LIMITED')).toHaveLength(7);
    const limited = results.find((r) => r.status === 429)!;
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // the right password is limited too until the window ends
    expect((await attempt(s.username, s.password, nextIp())).status).toBe(429);
    c.advance(15 * 60_000 + 1);
    expect((await attempt(s.username, s.password, nextIp())).status).toBe(200);
  });

  it('one address trying many usernames is limited; another address is not', async () => {
    const ip = nextIp();
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) codes.push((await attempt(uniq('spray'), 'password-spray', ip)).body.error.code);
    expect(codes.slice(0, 8).every((x) => x === 'STAFF_LOGIN_FAILED')).toBe(true);
    expect(codes.slice(8)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    const s = await createStaff(testDb().db, { role: 'clerk' });
    expect((await attempt(s.username, s.password, ip)).status).toBe(429);
    expect((await attempt(s.username, s.password, nextIp())).status).toBe(200);
  });
});

describe('staff sign-in logging', () => {
  it('never writes the password, the session token or the CSRF token to the log', async () => {
    const t = createTestApp({ env: { LOG_LEVEL: 'trace' } });
    try {
      const s = await createStaff(testDb().db, { role: 'admin', password: 'Very-Secret-Passw0rd' });
      await t.request.post('/api/admin/login').send({ username: s.username, password: 'Wrong-Secret-Passw0rd' });
      const { agent, res, csrfToken } = await loginAgent(t, s.username, s.password);
      const token = /gp_staff=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!;
      await agent.get('/api/admin/me');
      await agent.post('/api/admin/logout').set('X-CSRF-Token', csrfToken!);
      const all = t.logs.lines.join('\n');
      expect(t.logs.lines.length).toBeGreaterThan(0);
      for (const secret of ['Very-Secret-Passw0rd', 'Wrong-Secret-Passw0rd', token, csrfToken!]) expect(all).not.toContain(secret);
      const audit = JSON.stringify(await testDb().db.select().from(auditEntries).where(eq(auditEntries.subjectId, String(s.id))));
      for (const secret of ['Very-Secret-Passw0rd', 'Wrong-Secret-Passw0rd', token, csrfToken!]) expect(audit).not.toContain(secret);
    } finally {
      await t.close();
    }
  });
});
