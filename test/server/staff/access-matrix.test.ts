import type Router from '@koa/router';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_ROLES, type StaffRole } from '../../../server/staff/roles';
import { createTestApp, type TestApp } from '../../support/app';
import { testDb } from '../../support/db';
import { createStaff, signedInStaff } from '../../support/staff-agent';

type Agent = Awaited<ReturnType<typeof signedInStaff>>['agent'];
interface AdminRoute {
  method: string;
  path: string;
  roles: readonly StaffRole[] | undefined;
}

/** Every /api/admin route mounted in the app, with the roles its requireStaff declares. */
function adminRoutes(t: TestApp): AdminRoute[] {
  const routes: AdminRoute[] = [];
  for (const mw of t.app.middleware as ({ router?: Router } & object)[]) {
    for (const layer of mw.router?.stack ?? []) {
      if (typeof layer.path !== 'string' || !layer.path.startsWith('/api/admin')) continue;
      const guard = layer.stack.find((fn) => 'staffRoles' in fn) as { staffRoles?: readonly StaffRole[] } | undefined;
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) routes.push({ method, path: layer.path as string, roles: guard?.staffRoles });
    }
  }
  return routes;
}

const concrete = (path: string) => path.replace(/:(\w+)(\([^)]*\))?/g, '1');
const call = (agent: supertest.Agent | Agent, r: { method: string; path: string }) =>
  (agent as supertest.Agent)[r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](concrete(r.path)).send(r.method === 'GET' || r.method === 'DELETE' ? undefined : {});

describe('authorization matrix: every /api/admin route × anonymous and each role', () => {
  let t: TestApp;
  let agents: Record<StaffRole, Agent>;
  let routes: AdminRoute[];
  beforeAll(async () => {
    t = createTestApp();
    agents = Object.fromEntries(await Promise.all(STAFF_ROLES.map(async (r) => [r, (await signedInStaff(t, r)).agent] as const))) as Record<StaffRole, Agent>;
    routes = adminRoutes(t);
  });
  afterAll(() => t.close());

  it('finds the admin routes (the walk itself works)', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(expect.arrayContaining(['POST /api/admin/login', 'GET /api/admin/me', 'GET /api/admin/staff', 'GET /api/admin/audit']));
  });

  it('every admin route but sign-in declares its roles with requireStaff', () => {
    const undeclared = routes.filter((r) => !r.roles && !(r.method === 'POST' && r.path === '/api/admin/login'));
    expect(undeclared.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('anonymous: 401 UNAUTHENTICATED everywhere but sign-in', async () => {
    const wrong: string[] = [];
    for (const r of routes.filter((x) => x.roles)) {
      const res = await call(supertest(t.app.callback()), r);
      if (res.status !== 401 || res.body.error?.code !== 'UNAUTHENTICATED') wrong.push(`${r.method} ${r.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('each role not listed: 403 FORBIDDEN; each role listed: past the guard (reads only, writes have side effects)', async () => {
    const wrong: string[] = [];
    for (const r of routes.filter((x) => x.roles)) {
      for (const role of STAFF_ROLES) {
        const allowed = r.roles!.includes(role);
        if (allowed && r.method !== 'GET') continue;
        const res = await call(agents[role], r);
        const ok = allowed ? res.status !== 401 && res.status !== 403 : res.status === 403 && res.body.error?.code === 'FORBIDDEN';
        if (!ok) wrong.push(`${role} ${r.method} ${r.path} → ${res.status} ${res.body.error?.code ?? ''}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('staff routes: 401 / 403 / success per role', () => {
  let t: TestApp;
  beforeAll(() => {
    t = createTestApp();
  });
  afterAll(() => t.close());

  const ADMIN: readonly StaffRole[] = ['admin'];
  const AUDIT: readonly StaffRole[] = ['admin', 'supervisor'];
  const ALL = STAFF_ROLES;
  /** Each case builds its own target, so every role's successful call has something to act on. */
  const cases: { name: string; roles: readonly StaffRole[]; ok: number; run: (a: supertest.Agent | Agent) => Promise<supertest.Response> }[] = [
    { name: 'GET /api/admin/me', roles: ALL, ok: 200, run: (a) => a.get('/api/admin/me') },
    { name: 'GET /api/admin/staff', roles: ADMIN, ok: 200, run: (a) => a.get('/api/admin/staff') },
    {
      name: 'POST /api/admin/staff',
      roles: ADMIN,
      ok: 201,
      run: (a) => a.post('/api/admin/staff').send({ username: `m${Math.random().toString(36).slice(2, 10)}`, displayName: '新同事', role: 'clerk', password: 'Fresh-Password-1' }),
    },
    { name: 'GET /api/admin/staff/:id', roles: ADMIN, ok: 200, run: async (a) => a.get(`/api/admin/staff/${(await target()).id}`) },
    { name: 'PATCH /api/admin/staff/:id', roles: ADMIN, ok: 200, run: async (a) => a.patch(`/api/admin/staff/${(await target()).id}`).send({ displayName: '改名' }) },
    { name: 'POST /api/admin/staff/:id/disable', roles: ADMIN, ok: 200, run: async (a) => a.post(`/api/admin/staff/${(await target()).id}/disable`) },
    { name: 'POST /api/admin/staff/:id/enable', roles: ADMIN, ok: 200, run: async (a) => a.post(`/api/admin/staff/${(await target()).id}/enable`) },
    { name: 'POST /api/admin/staff/:id/password', roles: ADMIN, ok: 200, run: async (a) => a.post(`/api/admin/staff/${(await target()).id}/password`).send({ password: 'Reset-Password-2' }) },
    { name: 'POST /api/admin/staff/:id/revoke-sessions', roles: ADMIN, ok: 200, run: async (a) => a.post(`/api/admin/staff/${(await target()).id}/revoke-sessions`) },
    { name: 'GET /api/admin/audit', roles: AUDIT, ok: 200, run: (a) => a.get('/api/admin/audit') },
    { name: 'POST /api/admin/logout', roles: ALL, ok: 200, run: (a) => a.post('/api/admin/logout') },
  ];
  const target = () => createStaff(testDb().db, { role: 'clerk' });

  for (const c of cases) {
    it(`${c.name}: anonymous 401, ${c.roles.join('/')} ${c.ok}, others 403`, async () => {
      const anon = await c.run(supertest(t.app.callback()));
      expect(anon.status).toBe(401);
      for (const role of STAFF_ROLES) {
        // A fresh session per call: logout and the account changes must not affect the next role.
        const { agent } = await signedInStaff(t, role);
        const res = await c.run(agent);
        expect([role, res.status]).toEqual([role, c.roles.includes(role) ? c.ok : 403]);
      }
    });
  }
});
