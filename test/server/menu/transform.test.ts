import { describe, expect, it } from 'vitest';
import { DEFAULT_MENU } from '../../../db/seed/default-menu';
import { menuItems, portalPagePath, rewriteViewUrl, sameButtons, toWechatMenu } from '../../../server/menu/transform';
import { menuProblems } from '../../../server/menu/validation';
import type { MenuModel } from '../../../server/menu/model';

const ctx = { publicBaseUrl: 'https://portal.example.gov.cn', version: 'v7' };

describe('VIEW URL rewrite', () => {
  it('a portal page path goes through OAuth with menu and mv', () => {
    const url = rewriteViewUrl('/h5/violations', { ...ctx, menuKey: 'violations' });
    expect(url).toBe('https://portal.example.gov.cn/oauth/start?return=%2Fh5%2Fviolations%3Fmenu%3Dviolations%26mv%3Dv7&scope=base');
    const u = new URL(url);
    expect(u.searchParams.get('scope')).toBe('base');
    expect(u.searchParams.get('return')).toBe('/h5/violations?menu=violations&mv=v7');
  });

  it('an absolute URL on the portal origin is rewritten too, keeping its query and fragment', () => {
    const url = rewriteViewUrl('https://portal.example.gov.cn/h5/applications/new?service=licence-renewal#top', { ...ctx, menuKey: 'application_new' });
    expect(new URL(url).searchParams.get('return')).toBe('/h5/applications/new?service=licence-renewal&menu=application_new&mv=v7#top');
  });

  it('an existing menu/mv parameter is replaced, not duplicated', () => {
    const url = rewriteViewUrl('/h5/points?menu=old&mv=v1', { ...ctx, menuKey: 'points' });
    expect(new URL(url).searchParams.get('return')).toBe('/h5/points?menu=points&mv=v7');
  });

  it('other sites, other origins and non-/h5 paths are left alone', () => {
    for (const u of ['https://www.gov.cn/zhengce/', 'http://portal.example.gov.cn/h5/x', 'https://portal.example.gov.cn/admin/', 'https://portal.example.gov.cn.evil.cn/h5/x']) {
      expect(rewriteViewUrl(u, { ...ctx, menuKey: 'k' })).toBe(u);
    }
    expect(portalPagePath('https://portal.example.gov.cn:8443/h5/x', ctx.publicBaseUrl)).toBeNull();
  });
});

describe('menu items and keys', () => {
  it('keys come from the model, or from the position when a leaf has none', () => {
    const model: MenuModel = {
      button: [
        { name: '查询', sub_button: [{ type: 'view', name: '违法', url: '/h5/violations' }, { type: 'view', name: '记分', url: '/h5/points', key: 'points' }] },
        { type: 'view', name: '官网', url: 'https://www.gov.cn/' },
        { type: 'click', name: '指南', key: 'guide' },
      ],
    };
    const items = menuItems(model, ctx);
    expect(items.map((i) => [i.key, i.keyGenerated, i.label, i.path])).toEqual([
      ['m1_1', true, '查询 › 违法', 'button.0.sub_button.0'],
      ['points', false, '查询 › 记分', 'button.0.sub_button.1'],
      ['m2', true, '官网', 'button.1'],
      ['guide', false, '指南', 'button.2'],
    ]);
    expect(items[0]!.wechatUrl).toBe('https://portal.example.gov.cn/oauth/start?return=%2Fh5%2Fviolations%3Fmenu%3Dm1_1%26mv%3Dv7&scope=base');
    expect(items[2]!.wechatUrl).toBe('https://www.gov.cn/');
  });

  it('a derived key never collides with an explicit one', () => {
    const model: MenuModel = { button: [{ type: 'view', name: 'a', url: '/h5/a' }, { type: 'click', name: 'b', key: 'm1' }] };
    expect(menuItems(model).map((i) => i.key)).toEqual(['m1_2', 'm1']);
  });

  it('keys stay the same when the menu is republished under a new version', () => {
    const a = menuItems(DEFAULT_MENU, { ...ctx, version: 'v1' }).map((i) => i.key);
    const b = menuItems(DEFAULT_MENU, { ...ctx, version: 'v2' }).map((i) => i.key);
    expect(a).toEqual(b);
    expect(a).toEqual(['violations', 'points', 'vehicles', 'appointments', 'application_new', 'applications', 'guide', 'contact', 'ratings']);
  });
});

describe('toWechatMenu', () => {
  it('sends only what WeChat needs: no key on view buttons, no type on parents', () => {
    const out = toWechatMenu(DEFAULT_MENU, ctx);
    expect(out.button).toHaveLength(3);
    expect(out.button[0]).toEqual({
      name: '查询服务',
      sub_button: [
        { type: 'view', name: '违法查询', url: 'https://portal.example.gov.cn/oauth/start?return=%2Fh5%2Fviolations%3Fmenu%3Dviolations%26mv%3Dv7&scope=base' },
        { type: 'view', name: '驾驶证记分', url: 'https://portal.example.gov.cn/oauth/start?return=%2Fh5%2Fpoints%3Fmenu%3Dpoints%26mv%3Dv7&scope=base' },
        { type: 'view', name: '我的车辆', url: 'https://portal.example.gov.cn/oauth/start?return=%2Fh5%2Fvehicles%3Fmenu%3Dvehicles%26mv%3Dv7&scope=base' },
      ],
    });
    expect(out.button[2]!.sub_button![0]).toEqual({ type: 'click', name: '办事指南', key: 'guide' });
    expect(menuProblems(out as MenuModel, { stage: 'payload' })).toEqual([]);
  });

  it('a URL that fits in the model but not after the rewrite is caught at the payload stage', () => {
    const path = `/h5/${'a'.repeat(980)}`;
    const model: MenuModel = { button: [{ type: 'view', name: '长', url: path }] };
    expect(menuProblems(model)).toEqual([]);
    const problems = menuProblems(toWechatMenu(model, ctx) as MenuModel, { stage: 'payload' });
    expect(problems).toMatchObject([{ rule: 'url_bytes', button: '长' }]);
    expect(problems[0]!.message).toMatch(/^按钮“长”：网址（加上网页授权跳转后） \d+ 字节，超过上限 1024 字节$/);
  });

  it('compares with menu/get\'s answer (empty sub_button arrays on leaves)', () => {
    const ours = toWechatMenu(DEFAULT_MENU, ctx).button;
    const platform = ours.map((b) => ({ ...b, sub_button: (b.sub_button ?? []).map((s) => ({ ...s, sub_button: [] })) }));
    expect(sameButtons(ours, platform)).toBe(true);
    expect(sameButtons(ours, toWechatMenu(DEFAULT_MENU, { ...ctx, version: 'v8' }).button)).toBe(false);
  });
});
