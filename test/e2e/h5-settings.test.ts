import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizens, usageEvents } from '../../db/schema';
import { holdPhoneAs, launchChromium, startWebServer, usageRowsUntil } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { fakeOpenid } from '../support/factories';

/**
 * 我的设置 and the hall's 最近使用 in Chromium through the sandbox sign-in: elder mode is
 * remembered on the citizen's account (another phone shows it at once), a guest's stays on the
 * phone, the optional-notifications switch is stored, and two citizens sharing a phone each see
 * their own recent services.
 */
const alice = { openid: fakeOpenid(), displayName: '设置测试甲' };
const bob = { openid: fakeOpenid(), displayName: '设置测试乙' };
const menuKey = uniq('m_');

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
const errors: string[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  web = await startWebServer();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await web?.close();
});

async function newPhone(): Promise<{ page: Page; requests: Request[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  contexts.push(context);
  const page = await context.newPage();
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, requests };
}

async function signIn(page: Page, path: string): Promise<void> {
  const signedIn = page.waitForResponse((r) => new URL(r.url()).pathname === '/oauth/callback', { timeout: 15_000 });
  await page.goto(`${web.base}${path}`);
  await signedIn;
  await page.waitForURL((u) => u.pathname === path.split('?')[0]);
  // The redirect chain ends with a same-path navigation (the `#wechat_redirect` fragment); a goto
  // issued before it settles is interrupted by it.
  await page.waitForURL((u) => u.pathname === path.split('?')[0] && u.hash === '#wechat_redirect', { timeout: 5_000 }).catch(() => undefined);
  await page.waitForLoadState('load');
}

const isElder = (page: Page) => page.evaluate(() => document.documentElement.classList.contains('elder'));
const row = async (c: { openid: string }) => (await testDb().db.select().from(citizens).where(eq(citizens.openid, c.openid)))[0]!;
const recentList = (page: Page) => page.getByRole('region', { name: '最近使用' }).getByRole('link');

let phone1: Page;

describe('我的设置', () => {
  it('elder mode switched on in 我的设置 applies at once and is stored on the account', async () => {
    const { page } = await newPhone();
    phone1 = page;
    await holdPhoneAs(page, web.base, alice);
    await signIn(page, `/h5/settings?menu=${menuKey}&mv=v1`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('我的设置');
    const elder = page.getByRole('switch', { name: '长辈模式' });
    await expect.poll(() => elder.getAttribute('aria-checked'), { timeout: 10_000 }).toBe('false');
    // Screen readers hear why the notification switch does not cover decisions.
    const notify = page.getByRole('switch', { name: '非必要通知' });
    const describedBy = await notify.getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toContain('始终会通过公众号消息通知您');

    await elder.click();
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('已开启长辈模式。');
    expect(await isElder(page)).toBe(true);
    expect(await elder.getAttribute('aria-checked')).toBe('true');
    expect((await row(alice)).elderMode).toBe(true);
    // Larger type than Vant's default 14px body text.
    expect(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize))).toBeGreaterThanOrEqual(19);
  });

  it('non-essential notifications can be turned off; the account remembers it', async () => {
    const notify = phone1.getByRole('switch', { name: '非必要通知' });
    expect(await notify.getAttribute('aria-checked')).toBe('true');
    await notify.click();
    await expect.poll(() => phone1.getByRole('status').allTextContents()).toContain('已关闭非必要通知，办理结果等重要通知仍会发送。');
    expect((await row(alice)).notifyOptional).toBe(false);
    await phone1.reload();
    await expect.poll(() => phone1.getByRole('switch', { name: '非必要通知' }).getAttribute('aria-checked'), { timeout: 10_000 }).toBe('false');
  });

  it('on another phone the same citizen gets elder mode from the account, without touching a switch', async () => {
    const { page } = await newPhone();
    await holdPhoneAs(page, web.base, alice);
    await signIn(page, '/h5/appointments/mine');
    await page.goto(`${web.base}/h5/`);
    await expect.poll(() => isElder(page), { timeout: 10_000 }).toBe(true);
    // The simpler layout: two service tiles a row.
    const tiles = page.getByRole('region', { name: '查询' }).getByRole('link');
    const [a, b] = await Promise.all([tiles.nth(0).boundingBox(), tiles.nth(1).boundingBox()]);
    expect(a!.y).toBe(b!.y);
    expect(a!.width).toBeGreaterThan(150);
  });

  it('a guest’s elder mode stays on the phone only (no account to write)', async () => {
    const { page, requests } = await newPhone();
    await page.goto(`${web.base}/h5/`);
    const elder = page.getByRole('switch', { name: '长辈模式' });
    await expect.poll(() => elder.getAttribute('aria-checked')).toBe('false');
    await elder.click();
    await expect.poll(() => isElder(page)).toBe(true);
    await page.reload();
    await expect.poll(() => isElder(page)).toBe(true);
    expect(requests.filter((r) => r.method() === 'PATCH')).toEqual([]);
  });
});

describe('最近使用 on a shared phone', () => {
  it('the hall lists the services this citizen opened, newest first', async () => {
    const page = phone1;
    await page.goto(`${web.base}/h5/`);
    await page.getByRole('region', { name: '查询' }).getByRole('link', { name: '违法查询' }).click();
    await page.waitForURL((u) => u.pathname === '/h5/violations');
    await page.goBack();
    await page.getByRole('region', { name: '查询' }).getByRole('link', { name: '驾驶证记分' }).click();
    await page.waitForURL((u) => u.pathname === '/h5/points');
    await page.goBack();
    await expect.poll(() => recentList(page).allTextContents(), { timeout: 10_000 }).toEqual(['驾驶证记分', '违法查询']);
  });

  it('handed to another citizen, the phone shows them only their own', async () => {
    const page = phone1;
    await holdPhoneAs(page, web.base, bob); // a new owner: the portal session is dropped
    await signIn(page, '/h5/settings');
    await page.goto(`${web.base}/h5/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('交管服务大厅');
    await page.waitForLoadState('networkidle');
    expect(await recentList(page).count()).toBe(0);
    expect(await isElder(page)).toBe(false); // bob's account says no elder mode
    await page.getByRole('region', { name: '办理' }).getByRole('link', { name: '预约办理' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/h5/appointments'));
    await page.goto(`${web.base}/h5/`);
    await expect.poll(() => recentList(page).allTextContents(), { timeout: 10_000 }).toEqual(['预约办理']);

    await holdPhoneAs(page, web.base, alice);
    await signIn(page, '/h5/settings');
    await page.goto(`${web.base}/h5/`);
    await expect.poll(() => recentList(page).allTextContents(), { timeout: 10_000 }).toEqual(['驾驶证记分', '违法查询']);
  });

  it('settings changes reached usage as tasks, and there were no page errors', async () => {
    const rows = await usageRowsUntil(web.t, eq(usageEvents.menuKey, menuKey), (n) => n >= 5);
    const kinds = rows.map((r) => `${r.kind}:${r.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['page_view:h5.settings', 'task_start:settings.elder_mode', 'task_complete:settings.elder_mode', 'task_complete:settings.optional_notifications']));
    expect(errors).toEqual([]);
  });
});
