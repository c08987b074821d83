import { and, eq, gte, sql } from 'drizzle-orm';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menuVersions, usageEvents } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { seedDefaultMenu } from '../../db/seed/default-menu';
import { DEMO_CITIZENS, seedDemoCitizens } from '../../db/seed/demo-citizens';
import { SANDBOX_TEMPLATES } from '../../server/sandbox';
import { launchChromium, startWebServer, usageRowsUntil } from '../support/browser';
import { testDb, uniq } from '../support/db';

/**
 * The phone emulator at /sandbox/ in real Chromium against the real app: a citizen uses the
 * account's chat and custom menu, opens an H5 page through the real OAuth redirect, gets a
 * template card, unfollows and follows again.
 */
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
let menuVersion: string;
const errors: string[] = [];
// Usage events carry the push's CreateTime (whole seconds).
const startedAt = Math.floor(Date.now() / 1000) * 1000;
const ZHANG_WEI = DEMO_CITIZENS[0];

beforeAll(async () => {
  web = await startWebServer();
  // What `npm start` does in sandbox mode: demo data (citizens, replies, menu), then the menu onto
  // the platform. Other files in this worker's database delete menu versions after their seed step
  // ran, so the seeded menu is put back as the first version, the way a fresh install has it.
  const { db } = testDb();
  await runSeeds(db);
  await db.transaction((tx) => seedDemoCitizens(tx));
  await db.delete(menuVersions);
  await db.execute(sql`ALTER TABLE menu_versions AUTO_INCREMENT = 1`);
  await db.transaction((tx) => seedDefaultMenu(tx));
  const published = await web.t.deps.menus.ensurePublishedOnPlatform();
  menuVersion = published.version ?? '';
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1320, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const phone = () => page.getByRole('group', { name: `模拟手机：${web.t.config.accountName}` });
const chat = () => phone().getByRole('log', { name: '聊天记录' });
const menuBar = () => phone().getByRole('navigation', { name: '公众号菜单' });
const inAppFrame = (): Frame | null => page.frame({ name: 'wechat-inapp-browser' });
/** Path and query of the in-app browser's page. The fragment is left out: redirects carry the
 * authorize URL's `#wechat_redirect` on to the page, as browsers (and WeChat's) do. */
const inAppPage = () => {
  const url = inAppFrame()?.url();
  if (!url || !url.startsWith('http')) return '';
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};


describe('the phone emulator at /sandbox/', () => {
  it('lists the citizens; choosing 张伟 shows the chat and the default menu with 3 top buttons', async () => {
    expect(menuVersion).toBe('v1');
    await page.goto(`${web.base}/sandbox/`);
    await expect.poll(() => page.locator('#sandbox-title').textContent()).toBe('微信沙箱');
    await expect.poll(() => phone().textContent()).toContain('手机还没有主人');

    const zhang = page.getByRole('button', { name: /^张伟/ });
    await expect.poll(() => zhang.textContent()).toContain('已关注');
    await zhang.click();
    await expect.poll(() => zhang.getAttribute('aria-pressed')).toBe('true');

    await expect.poll(() => menuBar().getByRole('button').allTextContents()).toEqual(['查询服务', '办事服务', '互动服务']);
    await expect.poll(() => chat().isVisible()).toBe(true);
  });

  it('a sub-menu pops up above its button and closes when tapping elsewhere; a CLICK item gets the guide reply', async () => {
    const top = menuBar().getByRole('button', { name: '互动服务' });
    await top.click();
    const sub = phone().getByRole('menu', { name: '互动服务' });
    await expect.poll(() => sub.getByRole('menuitem').allTextContents()).toEqual(['办事指南', '联系我们', '满意度评价']);
    expect(await top.getAttribute('aria-expanded')).toBe('true');
    // Above its button, as WeChat draws it.
    const [menuBox, topBox] = await Promise.all([sub.boundingBox(), top.boundingBox()]);
    expect(menuBox!.y + menuBox!.height).toBeLessThanOrEqual(topBox!.y);

    await chat().click({ position: { x: 20, y: 20 } });
    await expect.poll(() => sub.count()).toBe(0);

    await top.click();
    await sub.getByRole('menuitem', { name: '办事指南' }).click();
    await expect.poll(() => chat().textContent()).toContain('办事指南：驾驶证换证');
    await expect.poll(() => sub.count()).toBe(0);
  });

  it('the menu works from the keyboard: Enter opens a sub-menu on its first item, arrows move, Escape closes', async () => {
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
    const top = menuBar().getByRole('button', { name: '办事服务' });
    await top.focus();
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('预约办理');
    await page.keyboard.press('ArrowDown');
    await expect.poll(focused).toBe('在线申请');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect.poll(focused).toBe('我的办件');
    await page.keyboard.press('Escape');
    await expect.poll(() => phone().getByRole('menu').count()).toBe(0);
    await expect.poll(focused).toBe('办事服务');
  });

  it('the keyboard toggle switches to text input; 帮助 gets the help reply', async () => {
    await phone().getByRole('button', { name: '切换到键盘输入' }).click();
    const input = phone().getByLabel('输入消息');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    await input.fill('帮助');
    await input.press('Enter');
    await expect.poll(() => chat().textContent()).toContain('常用服务：回复“违法”查询交通违法');
    // The citizen's own message is on the right (the reply follows it).
    const texts = await chat().locator('li').allTextContents();
    const mine = texts.findIndex((t) => t.includes('张伟：帮助'));
    expect(mine).toBeGreaterThan(-1);
    expect(texts.slice(mine + 1).some((t) => t.includes('常用服务'))).toBe(true);

    await phone().getByRole('button', { name: '切换到菜单' }).click();
    await expect.poll(() => menuBar().isVisible()).toBe(true);
  });

  it('a VIEW item opens the H5 page inside the phone through the real OAuth redirect, signed in as the chosen citizen', async () => {
    await menuBar().getByRole('button', { name: '查询服务' }).click();
    await phone().getByRole('menu', { name: '查询服务' }).getByRole('menuitem', { name: '违法查询' }).click();

    const browserPane = phone().getByRole('region', { name: '公众号网页' });
    await expect.poll(() => browserPane.isVisible()).toBe(true);
    // /oauth/start → the simulator's authorize step (no picker: the phone's citizen is known) → /oauth/callback → the page.
    await expect.poll(inAppPage, { timeout: 15_000 }).toBe('/h5/violations?menu=violations&mv=v1');
    const frame = inAppFrame()!;
    await expect.poll(() => frame.locator('h1').first().textContent(), { timeout: 10_000 }).toBeTruthy();
    // The page's title is the in-app browser's title.
    const docTitle = await frame.evaluate(() => document.title);
    await expect.poll(() => browserPane.getByRole('heading').textContent()).toBe(docTitle);

    const me = await frame.evaluate(async () => {
      const res = await fetch('/api/h5/me', { headers: { accept: 'application/json' } });
      return { status: res.status, body: (await res.json()) as { data?: { guest: boolean; displayName: string | null } } };
    });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ guest: false, displayName: ZHANG_WEI.displayName });

    await browserPane.getByRole('button', { name: '关闭网页' }).click();
    await expect.poll(() => browserPane.count()).toBe(0);

    const clicks = await usageRowsUntil(web.t, and(eq(usageEvents.kind, 'menu_click'), eq(usageEvents.menuKey, 'guide'), gte(usageEvents.occurredAt, startedAt))!, (n) => n >= 1);
    expect(clicks[0]).toMatchObject({ source: 'wechat', menuVersion });
    const views = await usageRowsUntil(web.t, and(eq(usageEvents.kind, 'menu_view'), eq(usageEvents.menuKey, 'violations'), gte(usageEvents.occurredAt, startedAt))!, (n) => n >= 1);
    expect(views[0]).toMatchObject({ menuVersion: 'v1' });
  });

  it('a template message arrives as a card (by polling); 详情 opens its page inside the phone', async () => {
    const template = SANDBOX_TEMPLATES[0]!;
    await web.t.deps.wechat.template.send({
      touser: ZHANG_WEI.openid,
      template_id: template.template_id,
      url: `${web.base}/h5/applications/7`,
      client_msg_id: uniq('e2e'),
      data: {
        thing1: { value: '驾驶证换证' },
        character_string2: { value: 'JG20240501001' },
        phrase3: { value: '已受理' },
        time4: { value: '2024年5月1日 10:00' },
      },
    });
    const card = chat().getByRole('article', { name: `模板消息：${template.title}` });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    const text = await card.textContent();
    expect(text).toContain('办理事项');
    expect(text).toContain('JG20240501001');

    await card.getByRole('button', { name: '详情' }).click();
    await expect.poll(inAppPage, { timeout: 15_000 }).toBe('/h5/applications/7');
    await phone().getByRole('button', { name: '返回' }).click(); // back on the first page closes, as in WeChat
    await expect.poll(() => phone().getByRole('region', { name: '公众号网页' }).count()).toBe(0);
  });

  it('unfollowing shows 关注公众号 instead of the menu; following again shows the welcome', async () => {
    await phone().getByRole('button', { name: '公众号资料' }).click();
    await phone().getByRole('dialog').getByRole('button', { name: '不再关注' }).click();
    const followButton = phone().getByRole('button', { name: '关注公众号' });
    await expect.poll(() => followButton.isVisible()).toBe(true);
    expect(await menuBar().count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: /^张伟/ }).textContent()).toContain('未关注');

    await followButton.click();
    await expect.poll(() => chat().textContent()).toContain('欢迎关注！点击下方菜单可查询交通违法');
    await expect.poll(() => menuBar().getByRole('button').count()).toBe(3);
    expect(errors).toEqual([]);
  });
});
