import { and, eq } from 'drizzle-orm';
import type supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditEntries, menuVersions, wechatCredentials } from '../../../db/schema';
import { DEFAULT_MENU } from '../../../db/seed/default-menu';
import type { MenuModel } from '../../../server/menu/model';
import type { StaffRole } from '../../../server/staff/roles';
import { testDb } from '../../support/db';
import { signedInStaff } from '../../support/staff-agent';
import { startSandboxServer } from '../wechat-api/support';
import { checkMatrix, staffAgents } from './role-matrix';

/**
 * The staff menu API as the app mounts it (/api/admin/menu, staff sessions, CSRF), publishing
 * through the real API client to the simulated platform.
 */

let sb: Awaited<ReturnType<typeof startSandboxServer>>;
let agents: Record<StaffRole, supertest.Agent>;
let supervisor: { agent: supertest.Agent; staff: { id: number; username: string } };
beforeAll(async () => {
  sb = await startSandboxServer();
  agents = await staffAgents(sb.app);
  supervisor = await signedInStaff(sb.app, 'supervisor');
});
afterAll(async () => {
  await sb.close();
});
beforeEach(async () => {
  sb.platform.reset();
  await testDb().db.delete(menuVersions);
  await testDb().db.delete(wechatCredentials);
  sb.app.deps.wechat.tokens.clearMemory();
});

const SMALL: MenuModel = { button: [{ type: 'click', name: '办事指南', key: 'guide' }] };
const withTop = (name: string): MenuModel => ({ button: [{ name, sub_button: [{ type: 'view', name: '违法查询', key: 'violations', url: '/h5/violations' }] }, { type: 'click', name: '联系我们', key: 'contact' }] });
type PlatformMenu = { menu: { button: Array<{ name: string; sub_button: Array<{ url?: string }> }> } };
const platformTops = () => (sb.platform.menu() as PlatformMenu | undefined)?.menu.button.map((b) => b.name);

async function draft(menu: MenuModel = SMALL): Promise<number> {
  const res = await supervisor.agent.post('/api/admin/menu/versions').send({ menu });
  expect(res.status).toBe(201);
  return res.body.data.id as number;
}
async function published(menu: MenuModel = SMALL): Promise<number> {
  const id = await draft(menu);
  expect((await supervisor.agent.post(`/api/admin/menu/versions/${id}/publish`)).status).toBe(200);
  return id;
}

describe('who may do what', () => {
  it('reads are open to all staff, drafts, publishes and rollbacks to admins and supervisors; anonymous is 401', async () => {
    const read: StaffRole[] = ['admin', 'supervisor', 'clerk', 'evaluator'];
    const edit: StaffRole[] = ['admin', 'supervisor'];
    const existing = await draft();
    await published(withTop('查询'));
    const old = await published(withTop('旧版'));
    await published(withTop('新版')); // `old` is now superseded
    await checkMatrix(sb.app, agents, [
      { method: 'get', path: () => '/api/admin/menu/versions', roles: read, ok: 200 },
      { method: 'get', path: () => `/api/admin/menu/versions/${existing}`, roles: read, ok: 200 },
      { method: 'get', path: () => `/api/admin/menu/versions/${existing}/preview`, roles: read, ok: 200 },
      { method: 'get', path: () => '/api/admin/menu/current', roles: read, ok: 200 },
      { method: 'post', path: () => '/api/admin/menu/check', body: () => ({ menu: SMALL }), roles: read, ok: 200 },
      { method: 'post', path: () => '/api/admin/menu/versions', body: () => ({ menu: SMALL }), roles: edit, ok: 201 },
      { method: 'put', path: () => `/api/admin/menu/versions/${existing}`, body: () => ({ note: '改' }), roles: edit, ok: 200 },
      { method: 'post', path: async () => `/api/admin/menu/versions/${await draft()}/publish`, roles: edit, ok: 200 },
      { method: 'post', path: () => `/api/admin/menu/versions/${old}/rollback`, roles: edit, ok: 201 },
    ]);
  });
});

describe('validation for the editor', () => {
  it('publishing a menu that breaks the platform rules is MENU_INVALID with every problem naming its button', async () => {
    const long = '交通违法查询服务'; // 24 bytes, limit 16
    const id = await draft({ button: [{ type: 'click', name: long, key: 'k' }, { name: '办事', sub_button: [{ type: 'view', name: '预约', url: 'ftp://x' }] }] });
    const shown = await supervisor.agent.get(`/api/admin/menu/versions/${id}`);
    expect(shown.body.data.problems.map((p: { rule: string }) => p.rule)).toEqual(['name_bytes', 'url_format']);

    const res = await supervisor.agent.post(`/api/admin/menu/versions/${id}/publish`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MENU_INVALID');
    expect(res.body.error.message).toBe(`按钮“${long}”：名称 24 字节，超过上限 16 字节（一个汉字占 3 字节）（另有 1 个问题）`);
    expect(res.body.error.details).toEqual([
      { path: 'button.0.name', button: long, rule: 'name_bytes', message: `按钮“${long}”：名称 24 字节，超过上限 16 字节（一个汉字占 3 字节）` },
      { path: 'button.1.sub_button.0.url', button: '办事 › 预约', rule: 'url_format', message: expect.stringContaining('网址必须是 http(s) 地址') },
    ]);
    expect(sb.platform.menu()).toBeUndefined();

    const four = { button: [SMALL.button[0]!, { ...SMALL.button[0]!, key: 'b' }, { ...SMALL.button[0]!, key: 'c' }, { ...SMALL.button[0]!, key: 'd' }] };
    const check = await agents.clerk.post('/api/admin/menu/check').send({ menu: four });
    expect(check.status).toBe(200);
    expect(check.body.data.problems).toMatchObject([{ rule: 'top_count', button: null }]);

    // A sub-button with sub-buttons is not a menu at all: refused before it is stored.
    const shape = await supervisor.agent.post('/api/admin/menu/versions').send({ menu: { button: [{ name: 'a', sub_button: [{ name: 'b', sub_button: [] }] }] } });
    expect(shape.status).toBe(400);
    expect(shape.body.error).toMatchObject({ code: 'MENU_INVALID', details: [{ rule: 'nesting', button: 'a › b' }] });
  });

  it('a body outside the contract is VALIDATION_FAILED; unknown ids and non-drafts use their own codes', async () => {
    const bad = await supervisor.agent.post('/api/admin/menu/versions').send({ menu: SMALL, extra: 1 });
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await supervisor.agent.get('/api/admin/menu/versions/999999999')).body.error.code).toBe('MENU_VERSION_NOT_FOUND');
    expect((await supervisor.agent.get('/api/admin/menu/versions/abc')).body.error.code).toBe('VALIDATION_FAILED');
    const id = await published();
    const again = await supervisor.agent.put(`/api/admin/menu/versions/${id}`).send({ note: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('MENU_NOT_DRAFT');
  });
});

describe('publish and rollback reach the platform', () => {
  it('publish shows the new menu on the platform; rollback publishes the earlier menu again as a new version; both are audited', async () => {
    const first = await published(DEFAULT_MENU);
    expect(platformTops()).toEqual(['查询服务', '办事服务', '互动服务']);
    const second = await published(withTop('新查询'));
    expect(platformTops()).toEqual(['新查询', '联系我们']);

    const res = await supervisor.agent.post(`/api/admin/menu/versions/${first}/rollback`);
    expect(res.status).toBe(201);
    const rolled = res.body.data;
    expect(rolled).toMatchObject({ status: 'published', note: `回滚至 v${first}`, publishedBy: `staff:${supervisor.staff.username}`, menu: DEFAULT_MENU });
    expect(rolled.id).toBeGreaterThan(second);
    expect(platformTops()).toEqual(['查询服务', '办事服务', '互动服务']);
    // Usage after the rollback is attributed to the new version, not the old one.
    const url = (sb.platform.menu() as PlatformMenu).menu.button[0]!.sub_button[0]!.url!;
    expect(decodeURIComponent(url)).toContain(`mv=${rolled.version}`);

    const list = await agents.evaluator.get('/api/admin/menu/versions');
    const status = Object.fromEntries(list.body.data.map((v: { id: number; status: string }) => [v.id, v.status]));
    expect(status).toMatchObject({ [first]: 'superseded', [second]: 'superseded', [rolled.id]: 'published' });
    expect((await agents.clerk.get('/api/admin/menu/current')).body.data).toMatchObject({ id: rolled.id });

    const audit = await testDb().db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'menu_version'), eq(auditEntries.actorId, supervisor.staff.id)));
    const byVersion = Object.fromEntries(audit.map((a) => [a.subjectId, a]));
    expect(byVersion[String(first)]).toMatchObject({ action: 'menu.publish', actorType: 'staff' });
    expect(byVersion[String(second)]).toMatchObject({ action: 'menu.publish' });
    expect(byVersion[String(rolled.id)]).toMatchObject({ action: 'menu.rollback', detail: { rollbackOf: `v${first}`, version: rolled.version } });
  });

  it('only a version that was live and has been replaced can be rolled back to', async () => {
    const d = await draft();
    const toDraft = await supervisor.agent.post(`/api/admin/menu/versions/${d}/rollback`);
    expect(toDraft.status).toBe(409);
    expect(toDraft.body.error.code).toBe('MENU_ROLLBACK_INVALID');
    const live = await published();
    const toLive = await supervisor.agent.post(`/api/admin/menu/versions/${live}/rollback`);
    expect(toLive.body.error).toMatchObject({ code: 'MENU_ROLLBACK_INVALID', message: '该版本就是当前发布的菜单，无需回滚。' });
    expect((await supervisor.agent.post('/api/admin/menu/versions/999999999/rollback')).body.error.code).toBe('MENU_VERSION_NOT_FOUND');
  });

  it('a platform refusal during rollback leaves the new version a draft with the error, and the live menu as it was', async () => {
    const first = await published(DEFAULT_MENU);
    await published(withTop('新查询'));
    sb.platform.setFaults({ latencyMs: 0, templateQuotaExhausted: false, endpoints: { '/cgi-bin/menu/create': { errcode: 40018, rate: 1, times: 1 } } });
    const res = await supervisor.agent.post(`/api/admin/menu/versions/${first}/rollback`);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('WECHAT_API_FAILED');
    expect(platformTops()).toEqual(['新查询', '联系我们']);
    const drafts = (await supervisor.agent.get('/api/admin/menu/versions?status=draft')).body.data;
    expect(drafts[0]).toMatchObject({ note: `回滚至 v${first}`, publishError: expect.stringMatching(/^errcode 40018/) });
  });
});
