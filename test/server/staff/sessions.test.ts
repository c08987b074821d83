import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSessions } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../support/app';
import { testDb } from '../../support/db';
import { createStaff, loginAgent, signedInStaff } from '../../support/staff-agent';

function clock(start = Date.UTC(2025, 5, 3, 1, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}
const MIN = 60_000;

describe('staff sessions', () => {
  const c = clock();
  let t: TestApp;
  beforeAll(() => {
    t = createTestApp({ now: c.now, env: { STAFF_SESSION_IDLE_MINUTES: '30', STAFF_SESSION_ABSOLUTE_HOURS: '12' } });
  });
  afterAll(() => t.close());

  it('stores only a hash of the cookie token', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const { res } = await loginAgent(t, s.username, s.password);
    const token = /gp_staff=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!;
    const rows = await testDb().db.select().from(staffSessions).where(eq(staffSessions.staffId, s.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('ends after the idle time without requests, and activity keeps it alive', async () => {
    const { agent } = await signedInStaff(t, 'clerk');
    c.advance(29 * MIN);
    expect((await agent.get('/api/admin/me')).status).toBe(200);
    c.advance(29 * MIN); // 58 min since sign-in, 29 since the last request
    const alive = await agent.get('/api/admin/me');
    expect(alive.status).toBe(200);
    expect(Date.parse(alive.body.data.idleExpiresAt)).toBe(c.now() + 30 * MIN);
    c.advance(30 * MIN + 1);
    const dead = await agent.get('/api/admin/me');
    expect(dead.status).toBe(401);
    expect(dead.body.error.code).toBe('UNAUTHENTICATED');
    expect(String(dead.headers['set-cookie'])).toMatch(/gp_staff=;.*expires=Thu, 01 Jan 1970/);
  });

  it('ends at the absolute limit however active it is', async () => {
    const { agent } = await signedInStaff(t, 'supervisor');
    for (let i = 0; i < 35; i++) {
      c.advance(20 * MIN); // 35 × 20 min = 11 h 40 min
      expect((await agent.get('/api/admin/me')).status).toBe(200);
    }
    c.advance(19 * MIN);
    expect((await agent.get('/api/admin/me')).status).toBe(200);
    c.advance(MIN + 1); // 12 h after sign-in
    expect((await agent.get('/api/admin/me')).status).toBe(401);
  });

  it('logout ends the session on the server: the old cookie no longer works', async () => {
    const s = await createStaff(testDb().db, { role: 'evaluator' });
    const { agent, res, csrfToken } = await loginAgent(t, s.username, s.password);
    const cookie = /gp_staff=[^;]+/.exec(String(res.headers['set-cookie']))![0];
    const out = await agent.post('/api/admin/logout').set('X-CSRF-Token', csrfToken!);
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/gp_staff=;/);
    // replaying the cookie captured before logout
    expect((await t.request.get('/api/admin/me').set('Cookie', cookie)).status).toBe(401);
  });

  it('an admin revoking a member’s sessions signs out all of them, and only them', async () => {
    const admin = await signedInStaff(t, 'admin');
    const member = await createStaff(testDb().db, { role: 'clerk' });
    const a = await signedInStaff(t, 'clerk', { staff: member });
    const b = await signedInStaff(t, 'clerk', { staff: member });
    const other = await signedInStaff(t, 'clerk');
    const res = await admin.agent.post(`/api/admin/staff/${member.id}/revoke-sessions`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ended: 2 });
    expect((await a.agent.get('/api/admin/me')).status).toBe(401);
    expect((await b.agent.get('/api/admin/me')).status).toBe(401);
    expect((await other.agent.get('/api/admin/me')).status).toBe(200);
    expect((await admin.agent.get('/api/admin/me')).status).toBe(200);
  });

  it('disabling an account, resetting its password or changing its role ends its sessions', async () => {
    const admin = await signedInStaff(t, 'admin');
    for (const change of [
      (id: number) => admin.agent.post(`/api/admin/staff/${id}/disable`),
      (id: number) => admin.agent.post(`/api/admin/staff/${id}/password`).send({ password: 'Brand-New-Pass-77' }),
      (id: number) => admin.agent.patch(`/api/admin/staff/${id}`).send({ role: 'supervisor' }),
    ]) {
      const member = await signedInStaff(t, 'clerk');
      expect((await member.agent.get('/api/admin/me')).status).toBe(200);
      expect((await change(member.staff.id)).status).toBe(200);
      expect((await member.agent.get('/api/admin/me')).status).toBe(401);
    }
  });

  it('a display-name change keeps the member signed in', async () => {
    const admin = await signedInStaff(t, 'admin');
    const member = await signedInStaff(t, 'clerk');
    expect((await admin.agent.patch(`/api/admin/staff/${member.staff.id}`).send({ displayName: '新名字' })).status).toBe(200);
    const me = await member.agent.get('/api/admin/me');
    expect(me.status).toBe(200);
    expect(me.body.data.staff.displayName).toBe('新名字');
  });

  it('changing one’s own password needs the current one and ends every session, this one too', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const first = await loginAgent(t, s.username, s.password);
    const second = await loginAgent(t, s.username, s.password);
    const wrong = await first.agent.post('/api/admin/me/password').set('X-CSRF-Token', first.csrfToken!).send({ currentPassword: 'not-it-at-all', newPassword: 'Another-Pass-99' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('STAFF_CURRENT_PASSWORD_WRONG');
    const ok = await first.agent.post('/api/admin/me/password').set('X-CSRF-Token', first.csrfToken!).send({ currentPassword: s.password, newPassword: 'Another-Pass-99' });
    expect(ok.status).toBe(200);
    expect((await first.agent.get('/api/admin/me')).status).toBe(401);
    expect((await second.agent.get('/api/admin/me')).status).toBe(401);
    expect((await loginAgent(t, s.username, s.password)).res.status).toBe(401);
    expect((await loginAgent(t, s.username, 'Another-Pass-99')).res.status).toBe(200);
  });

  it('a garbage or unknown cookie is simply signed out', async () => {
    for (const cookie of ['gp_staff=x', `gp_staff=${'A'.repeat(43)}`, 'gp_staff=%00%ff', `gp_staff=${'a'.repeat(5000)}`]) {
      const res = await t.request.get('/api/admin/me').set('Cookie', cookie);
      expect(res.status).toBe(401);
    }
  });
});
