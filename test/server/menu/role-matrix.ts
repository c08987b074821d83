import supertest from 'supertest';
import { expect } from 'vitest';
import { STAFF_ROLES, type StaffRole } from '../../../server/staff/roles';
import type { TestApp } from '../../support/app';
import { signedInStaff } from '../../support/staff-agent';

/**
 * The authorization matrix of admin routes: every route × anonymous and each role. Anonymous
 * must get 401 UNAUTHENTICATED, roles outside the route's list 403 FORBIDDEN, and allowed roles
 * the route's success status (each route builds what it needs, so success is real, not just
 * "not 403").
 */
export interface MatrixRoute {
  method: 'get' | 'post' | 'put' | 'delete';
  /** called per request, so a route can make a fresh subject (a draft to publish, …) */
  path: () => string | Promise<string>;
  body?: () => unknown | Promise<unknown>;
  roles: readonly StaffRole[];
  /** expected status for allowed roles */
  ok: number;
}

type Target = TestApp | { t: TestApp; base: string };
type Agent = supertest.Agent;

export async function staffAgents(target: Target): Promise<Record<StaffRole, Agent>> {
  const out = {} as Record<StaffRole, Agent>;
  for (const role of STAFF_ROLES) out[role] = (await signedInStaff(target, role)).agent;
  return out;
}

export async function checkMatrix(target: Target, agents: Record<StaffRole, Agent>, routes: MatrixRoute[]) {
  const t = 'base' in target ? target.t : target;
  const anon = supertest.agent('base' in target ? target.base : t.app.callback());
  for (const r of routes) {
    const send = async (agent: Agent) => {
      const path = await r.path();
      const req = agent[r.method](path);
      const body = r.body ? await r.body() : undefined;
      return { path, res: await (body === undefined ? req : req.send(body as object)) };
    };
    const a = await send(anon);
    expect({ route: `${r.method} ${a.path}`, who: 'anonymous', status: a.res.status, code: a.res.body?.error?.code }).toEqual({
      route: `${r.method} ${a.path}`,
      who: 'anonymous',
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    for (const role of STAFF_ROLES) {
      const { path, res } = await send(agents[role]);
      const allowed = r.roles.includes(role);
      const got = { route: `${r.method} ${path}`, who: role, status: res.status, code: res.body?.error?.code as string | undefined };
      expect(got).toEqual({ route: `${r.method} ${path}`, who: role, status: allowed ? r.ok : 403, code: allowed ? undefined : 'FORBIDDEN' });
    }
  }
}
