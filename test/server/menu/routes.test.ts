import type { Context, Next } from 'koa';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { menuVersions } from '../../../db/schema';
import { DEFAULT_MENU } from '../../../db/seed/default-menu';
import { AppError } from '../../../server/http/errors';
import { menuRoutes } from '../../../server/menu/routes';
import { createMenuService } from '../../../server/menu/service';
import type { MenuApi, WechatMenu } from '../../../server/wechat/api/menu';
import { createTestApp } from '../../support/app';
import { testDb } from '../../support/db';

/** The staff menu API over the real service and database, with a stand-in for menu/create. */

const sent: WechatMenu[] = [];
const menuApi = {
  async create(menu: WechatMenu) {
    sent.push(menu);
    return { errcode: 0, errmsg: 'ok' };
  },
} as unknown as MenuApi;

const menus = createMenuService({ db: testDb().db, wechat: { menu: menuApi }, config: { publicBaseUrl: 'https://portal.example.gov.cn' }, cacheMs: 0 });
const guard = async (ctx: Context, next: Next) => {
  if (ctx.get('x-test-staff') !== 'wang') throw new AppError('UNAUTHENTICATED');
  await next();
};
const t = createTestApp({ routers: [menuRoutes({ menus, guard, actor: (ctx) => `staff:${ctx.get('x-test-staff')}` })] });
afterAll(() => t.close());
beforeEach(async () => {
  await testDb().db.delete(menuVersions);
  sent.length = 0;
});

const staff = { 'x-test-staff': 'wang' };

describe('staff menu API', () => {
  it('refuses callers the guard does not admit', async () => {
    const res = await t.request.get('/api/admin/menu/versions');
    expect(res.status).toBe(401);
    const pub = await t.request.post('/api/admin/menu/versions/1/publish');
    expect(pub.status).toBe(401);
  });

  it('draft → edit → check → preview → publish → current', async () => {
    const created = await t.request.post('/api/admin/menu/versions').set(staff).send({ menu: { button: [{ type: 'click', name: '办事指南', key: 'guide' }] }, note: '草稿' });
    expect(created.status).toBe(201);
    const draft = created.body.data;
    expect(draft).toMatchObject({ status: 'draft', createdBy: 'staff:wang', note: '草稿', problems: [], version: `v${draft.id}` });
    expect(draft.createdAt).toMatch(/Z$/);

    const updated = await t.request.put(`/api/admin/menu/versions/${draft.id}`).set(staff).send({ menu: DEFAULT_MENU });
    expect(updated.body.data.menu).toEqual(DEFAULT_MENU);

    const check = await t.request.post('/api/admin/menu/check').set(staff).send({ menu: { button: [{ name: '办事服务', sub_button: [{ type: 'view', name: '预约', url: '/admin' }] }] } });
    expect(check.body.data.problems).toMatchObject([{ rule: 'url_format', button: '办事服务 › 预约' }]);

    const preview = await t.request.get(`/api/admin/menu/versions/${draft.id}/preview`).set(staff);
    expect(preview.body.data.button[0].sub_button[0].url).toContain('/oauth/start?return=');
    expect(sent).toHaveLength(0);

    const published = await t.request.post(`/api/admin/menu/versions/${draft.id}/publish`).set(staff);
    expect(published.status).toBe(200);
    expect(published.body.data).toMatchObject({ status: 'published', publishedBy: 'staff:wang' });
    expect(sent).toHaveLength(1);

    const current = await t.request.get('/api/admin/menu/current').set(staff);
    expect(current.body.data).toMatchObject({ id: draft.id, version: draft.version });
    expect(current.body.data.items).toHaveLength(9);

    const list = await t.request.get('/api/admin/menu/versions?status=published').set(staff);
    expect(list.body.data.map((v: { id: number }) => v.id)).toEqual([draft.id]);
  });

  it('errors use the error table: invalid menu names the button, unknown id, not a draft', async () => {
    const long = '交通违法查询服务';
    const created = await t.request.post('/api/admin/menu/versions').set(staff).send({ menu: { button: [{ type: 'click', name: long, key: 'k' }] } });
    const id = created.body.data.id;
    const pub = await t.request.post(`/api/admin/menu/versions/${id}/publish`).set(staff);
    expect(pub.status).toBe(400);
    expect(pub.body.error).toMatchObject({ code: 'MENU_INVALID', message: `按钮 "${long}": name is 24 bytes, limit 16` });
    expect(pub.body.error.details).toMatchObject([{ path: 'button.0.name', rule: 'name_bytes', button: long }]);

    expect((await t.request.get('/api/admin/menu/versions/999999').set(staff)).body.error.code).toBe('MENU_VERSION_NOT_FOUND');
    await t.request.put(`/api/admin/menu/versions/${id}`).set(staff).send({ menu: DEFAULT_MENU });
    await t.request.post(`/api/admin/menu/versions/${id}/publish`).set(staff);
    const again = await t.request.put(`/api/admin/menu/versions/${id}`).set(staff).send({ note: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('MENU_NOT_DRAFT');

    const bad = await t.request.post('/api/admin/menu/versions').set(staff).send({ menu: DEFAULT_MENU, extra: 1 });
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});
