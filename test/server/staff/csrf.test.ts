import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app';
import { testDb } from '../../support/db';
import { createStaff, signedInStaff } from '../../support/staff-agent';

describe('CSRF protection for cookie-authenticated admin writes', () => {
  let t: TestApp;
  beforeAll(() => {
    t = createTestApp({ env: { PUBLIC_BASE_URL: 'https://portal.example.gov.cn' } });
  });
  afterAll(() => t.close());

  /** A signed-in admin's cookie without the agent's automatic CSRF header. */
  async function adminCookie() {
    const s = await signedInStaff(t, 'admin');
    return { cookie: `gp_staff=${s.token}`, csrf: s.csrfToken, staff: s.staff };
  }
  const write = (cookie: string) => supertest(t.app.callback()).post('/api/admin/staff/999999999/revoke-sessions').set('Cookie', cookie);

  it('refuses a write without the X-CSRF-Token header (403 STAFF_CSRF_INVALID)', async () => {
    const { cookie } = await adminCookie();
    const res = await write(cookie);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('STAFF_CSRF_INVALID');
  });

  it('refuses a wrong token, and another session’s token', async () => {
    const { cookie, csrf } = await adminCookie();
    const other = await adminCookie();
    for (const bad of ['x', csrf.slice(0, -1), `${csrf}A`, other.csrf, csrf.toLowerCase() === csrf ? csrf.toUpperCase() : csrf.toLowerCase()]) {
      const res = await write(cookie).set('X-CSRF-Token', bad);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('STAFF_CSRF_INVALID');
    }
  });

  it('accepts the session’s own token (the write then reaches the route)', async () => {
    const { cookie, csrf } = await adminCookie();
    const res = await write(cookie).set('X-CSRF-Token', csrf);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('STAFF_NOT_FOUND');
  });

  it('reads need no token', async () => {
    const { cookie } = await adminCookie();
    expect((await supertest(t.app.callback()).get('/api/admin/staff').set('Cookie', cookie)).status).toBe(200);
  });

  it('the token is the same from login and from /me, and stays the same for the session', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const agent = supertest.agent(t.app.callback());
    const login = await agent.post('/api/admin/login').send({ username: s.username, password: s.password });
    expect(login.status).toBe(200);
    const token = /gp_staff=([^;]+)/.exec(String(login.headers['set-cookie']))![1]!;
    const me = await supertest(t.app.callback()).get('/api/admin/me').set('Cookie', `gp_staff=${token}`);
    expect(me.body.data.csrfToken).toBe(login.body.data.csrfToken);
  });

  it('refuses cross-site writes by Origin even with a valid token, including sign-in', async () => {
    const { cookie, csrf } = await adminCookie();
    for (const origin of ['https://evil.example', 'null', 'http://portal.example.gov.cn', 'https://portal.example.gov.cn.evil.example']) {
      const res = await write(cookie).set('X-CSRF-Token', csrf).set('Origin', origin);
      expect([origin, res.status]).toEqual([origin, 403]);
      expect(res.body.error.code).toBe('STAFF_ORIGIN_REJECTED');
    }
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const login = await t.request.post('/api/admin/login').set('Origin', 'https://evil.example').send({ username: s.username, password: s.password });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('STAFF_ORIGIN_REJECTED');
    expect(login.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a write the browser marks cross-site when it sent no Origin', async () => {
    const { cookie, csrf } = await adminCookie();
    const res = await write(cookie).set('X-CSRF-Token', csrf).set('Sec-Fetch-Site', 'cross-site');
    expect(res.body.error.code).toBe('STAFF_ORIGIN_REJECTED');
  });

  it('accepts the portal’s own origin', async () => {
    const { cookie, csrf } = await adminCookie();
    const res = await write(cookie).set('X-CSRF-Token', csrf).set('Origin', 'https://portal.example.gov.cn').set('Sec-Fetch-Site', 'same-origin');
    expect(res.body.error.code).toBe('STAFF_NOT_FOUND');
  });

  it('a write without any session is 401, not a CSRF error', async () => {
    const res = await write('');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    const s = await createStaff(testDb().db, { role: 'clerk' });
    const login = await t.request.post('/api/admin/login').send({ username: s.username, password: s.password });
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(/; secure/i);
  });
});
