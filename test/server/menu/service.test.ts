import { eq, inArray } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MENU, defaultMenuSeed, seedDefaultMenu } from '../../../db/seed/default-menu';
import { menuVersions } from '../../../db/schema';
import { AppError } from '../../../server/http/errors';
import type { MenuModel } from '../../../server/menu/model';
import { createMenuService, type MenuService } from '../../../server/menu/service';
import { WechatApiError } from '../../../server/wechat/api/errors';
import type { MenuApi, MenuGetResult, WechatMenu, WechatMatchRule } from '../../../server/wechat/api/menu';
import { captureLogger } from '../../support/app';
import { testDb } from '../../support/db';

/**
 * The service's rules with a stand-in for the platform's menu endpoints (the service receives
 * its client, DESIGN §3); the same flow against the sandbox is in platform.test.ts.
 */

const BASE = 'https://portal.example.gov.cn';

function fakeMenuApi() {
  const calls: Array<{ op: string; body?: unknown }> = [];
  let current: MenuGetResult | null = null;
  let nextId = 1000;
  let failNext: WechatApiError | undefined;
  const maybeFail = () => {
    if (failNext) {
      const e = failNext;
      failNext = undefined;
      throw e;
    }
  };
  const api: MenuApi = {
    async create(menu: WechatMenu) {
      calls.push({ op: 'create', body: menu });
      maybeFail();
      current = { menu: { button: menu.button }, conditionalmenu: current?.conditionalmenu };
      return { errcode: 0, errmsg: 'ok' };
    },
    async get() {
      calls.push({ op: 'get' });
      return current;
    },
    async delete() {
      calls.push({ op: 'delete' });
      current = null;
      return { errcode: 0, errmsg: 'ok' };
    },
    async addConditional(menu: WechatMenu & { matchrule: WechatMatchRule }) {
      calls.push({ op: 'addconditional', body: menu });
      maybeFail();
      const menuid = String(nextId++);
      if (current) current.conditionalmenu = [...(current.conditionalmenu ?? []), { button: menu.button, matchrule: { ...menu.matchrule }, menuid }];
      return { menuid };
    },
    async delConditional(menuid: string) {
      calls.push({ op: 'delconditional', body: menuid });
      if (current?.conditionalmenu) current.conditionalmenu = current.conditionalmenu.filter((c) => c.menuid !== menuid);
      return { errcode: 0, errmsg: 'ok' };
    },
    async tryMatch() {
      return { button: [] };
    },
    async currentSelfmenuInfo() {
      return { is_menu_open: 1 };
    },
  };
  return {
    api,
    calls,
    failNextWith: (e: WechatApiError) => void (failNext = e),
    platform: () => current,
    setPlatform: (m: MenuGetResult | null) => void (current = m),
  };
}

function makeService(fake = fakeMenuApi()): { menus: MenuService; fake: ReturnType<typeof fakeMenuApi> } {
  return {
    menus: createMenuService({ db: testDb().db, wechat: { menu: fake.api }, config: { publicBaseUrl: BASE }, logger: captureLogger().logger, cacheMs: 0 }),
    fake,
  };
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const small: MenuModel = {
  button: [
    { type: 'view', name: '违法查询', url: '/h5/violations', key: 'violations' },
    { type: 'click', name: '办事指南', key: 'guide' },
  ],
};

beforeEach(async () => {
  // This file owns menu state in its worker's database while it runs.
  await testDb().db.delete(menuVersions);
});

describe('drafts', () => {
  it('create → get → list; the label is v + id', async () => {
    const { menus } = makeService();
    const d = await menus.createDraft({ menu: small, createdBy: 'staff:wang', note: '春运' });
    expect(d).toMatchObject({ version: `v${d.id}`, kind: 'default', status: 'draft', menu: small, matchRule: null, createdBy: 'staff:wang', note: '春运', problems: [] });
    expect(await menus.get(d.id)).toEqual(d);
    expect((await menus.list()).map((v) => v.id)).toContain(d.id);
    expect(await menus.list({ status: 'published' })).toEqual([]);
  });

  it('a draft may break platform rules (listed as problems) but must have the menu shape', async () => {
    const { menus } = makeService();
    const d = await menus.createDraft({ menu: { button: [{ type: 'click', name: '交通违法查询服务' }] }, createdBy: 's' });
    expect(d.problems.map((p) => p.rule)).toEqual(['name_bytes', 'field_required']);
    const err = await appError(menus.createDraft({ menu: { button: 'x' }, createdBy: 's' }));
    expect(err.code).toBe('MENU_INVALID');
  });

  it('update changes only drafts', async () => {
    const { menus } = makeService();
    const d = await menus.createDraft({ menu: small, createdBy: 's' });
    const u = await menus.updateDraft(d.id, { menu: DEFAULT_MENU, note: 'n2' });
    expect(u).toMatchObject({ menu: DEFAULT_MENU, note: 'n2', status: 'draft' });
    await menus.publish(d.id, 'staff:li');
    expect((await appError(menus.updateDraft(d.id, { note: 'x' }))).code).toBe('MENU_NOT_DRAFT');
    expect((await appError(menus.get(987654321))).code).toBe('MENU_VERSION_NOT_FOUND');
  });

  it('a default menu has no match rule; a conditional one needs a valid one', async () => {
    const { menus } = makeService();
    expect((await appError(menus.createDraft({ menu: small, matchRule: { tag_id: '1' }, createdBy: 's' }))).code).toBe('MENU_INVALID');
    const err = await appError(menus.createDraft({ menu: small, kind: 'conditional', matchRule: { sex: '1' }, createdBy: 's' }));
    expect(err.details).toMatchObject([{ rule: 'matchrule_privacy' }]);
    const c = await menus.createDraft({ menu: small, kind: 'conditional', matchRule: { tag_id: 2 }, createdBy: 's' });
    expect(c.matchRule).toEqual({ tag_id: '2' });
  });
});

describe('publish', () => {
  it('validates, transforms, calls menu/create, then marks it published and the previous one superseded', async () => {
    const { menus, fake } = makeService();
    const first = await menus.createDraft({ menu: small, createdBy: 's' });
    await menus.publish(first.id, 'staff:li');
    const second = await menus.createDraft({ menu: DEFAULT_MENU, createdBy: 's' });
    const published = await menus.publish(second.id, 'staff:zhao');

    expect(published).toMatchObject({ status: 'published', publishedBy: 'staff:zhao', publishError: null });
    expect(published.publishedAt).toBeInstanceOf(Date);
    expect((await menus.get(first.id)).status).toBe('superseded');
    expect(fake.calls.map((c) => c.op)).toEqual(['create', 'create']);

    const sent = fake.calls[1]!.body as WechatMenu;
    const firstView = sent.button[0]!.sub_button![0]!;
    expect(firstView).toEqual({
      type: 'view',
      name: '违法查询',
      url: `${BASE}/oauth/start?return=${encodeURIComponent(`/h5/violations?menu=violations&mv=${second.version}`)}&scope=base`,
    });
    expect(sent.button[2]!.sub_button![1]).toEqual({ type: 'click', name: '联系我们', key: 'contact' });

    const cur = await menus.currentPublished();
    expect(cur).toMatchObject({ id: second.id, version: second.version, kind: 'default' });
    expect(cur!.items.find((i) => i.key === 'violations')?.wechatUrl).toBe(firstView.url);
  });

  it('nothing is sent when the menu breaks a rule; the error names the button', async () => {
    const { menus, fake } = makeService();
    const long = `预约办理${'x'.repeat(56)}`;
    const d = await menus.createDraft({ menu: { button: [{ name: '办事服务', sub_button: [{ type: 'view', name: long, url: '/h5/appointments' }] }] }, createdBy: 's' });
    const err = await appError(menus.publish(d.id, 's'));
    expect(err.code).toBe('MENU_INVALID');
    expect(err.message).toBe(`按钮“办事服务 › ${long}”：名称 68 字节，超过上限 60 字节（一个汉字占 3 字节）`);
    expect(fake.calls).toEqual([]);
    expect((await menus.get(d.id)).status).toBe('draft');
  });

  it('an API error is recorded in publish_error and the version stays a draft', async () => {
    const { menus, fake } = makeService();
    const live = await menus.createDraft({ menu: small, createdBy: 's' });
    await menus.publish(live.id, 's');
    const d = await menus.createDraft({ menu: DEFAULT_MENU, createdBy: 's' });
    fake.failNextWith(new WechatApiError('/cgi-bin/menu/create', 40018, 'invalid button name size rid: 1'));
    const err = await appError(menus.publish(d.id, 's'));
    expect(err).toMatchObject({ code: 'WECHAT_API_FAILED', errcode: 40018 });
    expect(await menus.get(d.id)).toMatchObject({ status: 'draft', publishError: 'errcode 40018: invalid button name size rid: 1' });
    expect((await menus.get(live.id)).status).toBe('published');

    // A later successful attempt clears it.
    const ok = await menus.publish(d.id, 's');
    expect(ok).toMatchObject({ status: 'published', publishError: null });
  });

  it('only drafts can be published', async () => {
    const { menus } = makeService();
    const d = await menus.createDraft({ menu: small, createdBy: 's' });
    await menus.publish(d.id, 's');
    expect((await appError(menus.publish(d.id, 's'))).code).toBe('MENU_NOT_DRAFT');
  });

  it('concurrent publishes are serialised: exactly one version ends up published, the one sent last', async () => {
    const { menus, fake } = makeService();
    const ds = await Promise.all([1, 2, 3].map(() => menus.createDraft({ menu: small, createdBy: 's' })));
    await Promise.all(ds.map((d) => menus.publish(d.id, 's')));
    const rows = await testDb().db.select().from(menuVersions).where(inArray(menuVersions.id, ds.map((d) => d.id)));
    expect(rows.filter((r) => r.status === 'published')).toHaveLength(1);
    const lastSent = (fake.calls.at(-1)!.body as WechatMenu).button[0]!.url!;
    const winner = rows.find((r) => r.status === 'published')!;
    expect(lastSent).toContain(encodeURIComponent(`mv=${winner.version}`));
  });

  it('conditional menus: need a published default, store the menuid, replace the one with the same rule', async () => {
    const { menus, fake } = makeService();
    const c1 = await menus.createDraft({ menu: small, kind: 'conditional', matchRule: { client_platform_type: '1' }, createdBy: 's' });
    const err = await appError(menus.publish(c1.id, 's'));
    expect(err.details).toMatchObject([{ rule: 'default_required' }]);

    const def = await menus.createDraft({ menu: DEFAULT_MENU, createdBy: 's' });
    await menus.publish(def.id, 's');
    const p1 = await menus.publish(c1.id, 's');
    expect(p1).toMatchObject({ status: 'published', wechatMenuId: '1000' });
    expect(fake.calls.at(-1)).toMatchObject({ op: 'addconditional', body: { matchrule: { client_platform_type: '1' } } });

    const c2 = await menus.createDraft({ menu: DEFAULT_MENU, kind: 'conditional', matchRule: { client_platform_type: '1' }, createdBy: 's' });
    await menus.publish(c2.id, 's');
    expect((await menus.get(c1.id)).status).toBe('superseded');
    expect(fake.calls.at(-1)).toEqual({ op: 'delconditional', body: '1000' });
    // The default menu is untouched by conditional publishes.
    expect((await menus.get(def.id)).status).toBe('published');
    expect((await menus.currentPublished())?.id).toBe(def.id);
  });

  it('preview shows the JSON that would be sent', async () => {
    const { menus, fake } = makeService();
    const d = await menus.createDraft({ menu: small, createdBy: 's' });
    const p = await menus.preview(d.id);
    expect(p.button[1]).toEqual({ type: 'click', name: '办事指南', key: 'guide' });
    expect(p.button[0]!.url).toContain('/oauth/start?return=');
    expect(fake.calls).toEqual([]);
  });
});

describe('seed and start-up sync', () => {
  it('the seed stores the default menu as published, once', async () => {
    const db = testDb().db;
    expect(defaultMenuSeed.name).toBe('default-menu-v1');
    await db.transaction((tx) => seedDefaultMenu(tx));
    await db.transaction((tx) => seedDefaultMenu(tx));
    const rows = await db.select().from(menuVersions).where(eq(menuVersions.status, 'published'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'default', createdBy: 'seed', version: `v${rows[0]!.id}` });

    const { menus } = makeService();
    const cur = await menus.currentPublished();
    expect(cur?.menu).toEqual(DEFAULT_MENU);
    expect(cur?.items.map((i) => i.url ?? i.key)).toEqual([
      '/h5/violations',
      '/h5/points',
      '/h5/vehicles',
      '/h5/appointments',
      '/h5/applications/new',
      '/h5/applications',
      'guide',
      'contact',
      '/h5/ratings',
    ]);
  });

  it('ensurePublishedOnPlatform pushes only when the platform differs', async () => {
    const { menus, fake } = makeService();
    expect(await menus.ensurePublishedOnPlatform()).toEqual({ action: 'none', conditionalPushed: 0 });
    await testDb().db.transaction((tx) => seedDefaultMenu(tx));

    const first = await menus.ensurePublishedOnPlatform();
    expect(first).toMatchObject({ action: 'pushed' });
    expect(fake.calls.map((c) => c.op)).toEqual(['get', 'create']);

    // menu/get reports leaves with empty sub_button arrays: still the same menu.
    const cur = fake.platform()!;
    fake.setPlatform({ menu: { button: cur.menu.button.map((b) => ({ ...b, sub_button: (b.sub_button ?? []).map((s) => ({ ...s, sub_button: [] })) })) } });
    expect(await menus.ensurePublishedOnPlatform()).toMatchObject({ action: 'unchanged' });

    // Someone changed the menu in the MP backend: ours goes back.
    fake.setPlatform({ menu: { button: [{ type: 'click', name: '别的', key: 'x' }] } });
    expect(await menus.ensurePublishedOnPlatform()).toMatchObject({ action: 'pushed' });
    expect(fake.calls.at(-1)?.op).toBe('create');
  });

  it('ensurePublishedOnPlatform re-adds a published conditional menu the platform lost', async () => {
    const { menus, fake } = makeService();
    const def = await menus.createDraft({ menu: DEFAULT_MENU, createdBy: 's' });
    await menus.publish(def.id, 's');
    const c = await menus.createDraft({ menu: small, kind: 'conditional', matchRule: { tag_id: '100' }, createdBy: 's' });
    await menus.publish(c.id, 's');
    expect(await menus.ensurePublishedOnPlatform()).toMatchObject({ action: 'unchanged', conditionalPushed: 0 });

    fake.setPlatform({ menu: fake.platform()!.menu }); // conditional menus gone
    expect(await menus.ensurePublishedOnPlatform()).toMatchObject({ action: 'unchanged', conditionalPushed: 1 });
    expect((await menus.get(c.id)).wechatMenuId).not.toBe('1000');
  });
});
