import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { menuVersions, wechatCredentials } from '../../../db/schema';
import { DEMO_CITIZENS } from '../../../db/seed/demo-citizens';
import { DEFAULT_MENU, seedDefaultMenu } from '../../../db/seed/default-menu';
import type { MenuService } from '../../../server/menu/service';
import { testDb } from '../../support/db';
import { startSandboxServer } from '../wechat-api/support';

/**
 * The menu service as the app wires it (deps.menus → deps.wechat → the simulator under
 * /sandbox), publishing to the simulated platform.
 */

let sb: Awaited<ReturnType<typeof startSandboxServer>>;
let menus: MenuService;
beforeAll(async () => {
  sb = await startSandboxServer();
  menus = sb.app.deps.menus;
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

const OPENID = DEMO_CITIZENS[0].openid;

type PlatformMenu = { menu: { button: Array<{ name: string; type?: string; url?: string; key?: string; sub_button: Array<{ name: string; type?: string; url?: string; key?: string }> }> } };

describe('publishing to the platform', () => {
  it('the published menu is what a citizen sees and taps; VIEW items enter through OAuth with attribution', async () => {
    const d = await menus.createDraft({ menu: DEFAULT_MENU, createdBy: 'staff:test' });
    await menus.publish(d.id, 'staff:test');

    const onPlatform = sb.platform.menu() as PlatformMenu;
    expect(onPlatform.menu.button.map((b) => b.name)).toEqual(['查询服务', '办事服务', '互动服务']);
    expect(onPlatform.menu.button[2]!.sub_button[0]).toMatchObject({ type: 'click', name: '办事指南', key: 'guide' });

    const tap = await sb.platform.tapMenu(OPENID, { button: 0, sub: 0 });
    expect(tap).toMatchObject({ action: 'view', name: '违法查询' });
    const url = new URL((tap as { url: string }).url);
    expect(`${url.origin}${url.pathname}`).toBe(`${sb.publicBase}/oauth/start`);
    expect(url.searchParams.get('scope')).toBe('base');
    expect(url.searchParams.get('return')).toBe(`/h5/violations?menu=violations&mv=${d.version}`);

    // The portal's OAuth entry accepts it and sends the browser to the authorize page.
    const res = await fetch((tap as { openUrl: string }).openUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toContain('/connect/oauth2/authorize?');
  });

  it('a rejected publish (a conditional rule with an unknown tag: 45159) stays a draft with the error recorded', async () => {
    const def = await menus.createDraft({ menu: DEFAULT_MENU, createdBy: 's' });
    await menus.publish(def.id, 's');
    const c = await menus.createDraft({
      menu: { button: [{ type: 'click', name: '长辈专区', key: 'elder' }] },
      kind: 'conditional',
      matchRule: { tag_id: '999' },
      createdBy: 's',
    });
    await expect(menus.publish(c.id, 's')).rejects.toMatchObject({ code: 'WECHAT_API_FAILED', errcode: 45159 });
    expect(await menus.get(c.id)).toMatchObject({ status: 'draft', publishError: expect.stringMatching(/^errcode 45159: /) });

    // With a real tag it goes through and the platform's menu id is kept.
    const tag = await sb.app.deps.wechat.tags.create('长辈');
    await menus.updateDraft(c.id, { matchRule: { tag_id: String(tag.id) } });
    const published = await menus.publish(c.id, 's');
    expect(published).toMatchObject({ status: 'published', publishError: null, wechatMenuId: expect.stringMatching(/^\d+$/) });
    await sb.app.deps.wechat.tags.batchTagging(tag.id, [OPENID]);
    expect(sb.platform.menuFor(OPENID)).toMatchObject({ conditional: true, menuid: Number(published.wechatMenuId) });
  });

  it('"system busy" during publish is retried by the client and the publish succeeds', async () => {
    sb.platform.setFaults({ latencyMs: 0, templateQuotaExhausted: false, endpoints: { '/cgi-bin/menu/create': { errcode: -1, rate: 1, times: 2 } } });
    const d = await menus.createDraft({ menu: DEFAULT_MENU, createdBy: 's' });
    expect(await menus.publish(d.id, 's')).toMatchObject({ status: 'published' });
    expect(sb.platform.menu()).toBeDefined();
  });

  it('start-up sync: the seeded menu is pushed to an empty platform once, then left alone', async () => {
    await testDb().db.transaction((tx) => seedDefaultMenu(tx));
    expect(sb.platform.menu()).toBeUndefined();
    const first = await menus.ensurePublishedOnPlatform();
    expect(first).toMatchObject({ action: 'pushed' });
    const cur = await menus.currentPublished();
    expect(first.version).toBe(cur?.version);
    const view = (sb.platform.menu() as PlatformMenu).menu.button[1]!.sub_button[0]!;
    expect(view.url).toBe(cur?.items.find((i) => i.key === 'appointments')?.wechatUrl);

    expect(await menus.ensurePublishedOnPlatform()).toMatchObject({ action: 'unchanged' });
    // The platform lost it (e.g. deleted in the MP backend): pushed again.
    await sb.app.deps.wechat.menu.delete();
    expect(await menus.ensurePublishedOnPlatform()).toMatchObject({ action: 'pushed' });
  });
});
