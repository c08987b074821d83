import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menuVersions } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { seedDefaultMenu } from '../../db/seed/default-menu';
import { seedDemoCitizens } from '../../db/seed/demo-citizens';
import { signInByKeyboard } from '../support/admin-keys';
import { launchChromium, startWebServer } from '../support/browser';
import { testDb } from '../support/db';
import { createStaff } from '../support/staff-agent';

/**
 * The menu editor in real Chromium: a supervisor signs in, edits the menu with the keyboard only
 * (live validation catches a name that is too long), sees the change in the phone-style preview,
 * publishes, and the sandbox phone shows the new menu.
 */
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  await runSeeds(db);
  await db.transaction((tx) => seedDemoCitizens(tx));
  await db.delete(menuVersions);
  await db.execute(sql`ALTER TABLE menu_versions AUTO_INCREMENT = 1`);
  await db.transaction((tx) => seedDefaultMenu(tx));
  await web.t.deps.menus.ensurePublishedOnPlatform();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const focused = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim());
/** Tab until the element with this accessible label (or text) has focus: keyboard only, no clicks. */
async function tabTo(label: string, max = 200) {
  for (let i = 0; i < max; i++) {
    if ((await focused()) === label) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach "${label}" with Tab`);
}
async function retype(text: string) {
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

describe('menu editor', () => {
  it('a supervisor edits with the keyboard, sees the preview, publishes, and the sandbox phone shows the new menu', async () => {
    const sup = await createStaff(testDb().db, { role: 'supervisor' });
    // Signed out: the guard sends us to the login page and back afterwards.
    await signInByKeyboard(page, web.base, sup, '/menu');
    await expect.poll(() => page.locator('#menu-title').textContent(), { timeout: 15_000 }).toBe('菜单管理');
    await expect.poll(() => page.getByLabel('一级菜单 3 名称').inputValue()).toBe('互动服务');

    // Rename the third top button: too long first (16-byte limit) — live validation says so.
    await page.getByLabel('一级菜单 1 名称').focus();
    await tabTo('一级菜单 3 名称');
    await retype('互动交流服务区');
    const problems = page.getByRole('list', { name: '菜单问题' });
    await expect.poll(() => problems.textContent()).toContain('名称过长');
    // The rule's particulars in Chinese, as staff read them (server/menu/validation.ts).
    expect(await problems.textContent()).toContain('按钮“互动交流服务区”：名称 21 字节，超过上限 16 字节');
    expect(await page.getByRole('button', { name: '发布' }).isDisabled()).toBe(true);
    await retype('互动交流');
    await expect.poll(() => page.getByText('符合平台规则，可以发布').count()).toBe(1);

    // Add a fourth item under 查询服务 and fill it in.
    await page.getByLabel('一级菜单 1 名称').focus();
    await tabTo('添加子菜单');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('子菜单 1-4 名称').count()).toBe(1);
    await page.getByLabel('子菜单 1-4 名称').focus();
    await retype('事故快处');
    await tabTo('子菜单 1-4 网址或页面路径');
    await retype('/h5/accidents');

    // The preview is laid out as the phone shows it, and opens from the keyboard.
    const preview = page.getByRole('group', { name: /^菜单预览/ });
    const bar = preview.getByRole('navigation', { name: '预览菜单栏' });
    await expect.poll(() => bar.getByRole('button').allTextContents()).toEqual(['≡ 查询服务', '≡ 办事服务', '≡ 互动交流']);
    await bar.getByRole('button', { name: /查询服务/ }).focus();
    await page.keyboard.press('Enter');
    const pop = preview.getByRole('menu', { name: '查询服务' });
    await expect.poll(() => pop.getByRole('menuitem').allTextContents()).toEqual(['违法查询', '驾驶证记分', '我的车辆', '事故快处']);
    await expect.poll(focused).toBe('违法查询');
    const [popBox, topBox] = await Promise.all([pop.boundingBox(), bar.getByRole('button', { name: /查询服务/ }).boundingBox()]);
    expect(popBox!.y + popBox!.height).toBeLessThanOrEqual(topBox!.y);
    await page.keyboard.press('Escape');
    await expect.poll(() => pop.count()).toBe(0);

    // Publish with the keyboard.
    await page.getByRole('button', { name: '保存草稿' }).focus();
    await page.keyboard.press('Tab');
    await expect.poll(focused).toBe('发布');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 15_000 }).toMatch(/v\d+ 已发布到公众号/);
    const history = page.getByRole('table', { name: '版本历史' });
    await expect.poll(() => history.locator('tbody tr').first().textContent()).toContain('已发布');
    await expect.poll(() => history.locator('tbody tr').first().textContent()).toContain('新增 1 项，修改 3 项');

    // The citizen's phone in the sandbox shows the new menu.
    const phonePage = await browser.newPage({ viewport: { width: 1320, height: 900 } });
    await phonePage.goto(`${web.base}/sandbox/`);
    const zhang = phonePage.getByRole('button', { name: /^张伟/ });
    await zhang.click();
    const phone = phonePage.getByRole('group', { name: `模拟手机：${web.t.config.accountName}` });
    const menuBar = phone.getByRole('navigation', { name: '公众号菜单' });
    await expect.poll(() => menuBar.getByRole('button').allTextContents(), { timeout: 15_000 }).toEqual(['查询服务', '办事服务', '互动交流']);
    await menuBar.getByRole('button', { name: '查询服务' }).click();
    await expect.poll(() => phone.getByRole('menu', { name: '查询服务' }).getByRole('menuitem').allTextContents()).toEqual(['违法查询', '驾驶证记分', '我的车辆', '事故快处']);
    await phonePage.close();
    expect(errors).toEqual([]);
  });
});
