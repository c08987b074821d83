import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatCredentials } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { DEMO_OFFICES } from '../../db/seed/demo-appointments';
import { holdPhoneAs, launchChromium, startWebServer } from '../support/browser';
import { testDb } from '../support/db';
import { fakeOpenid } from '../support/factories';

/**
 * 导航 through the JS-SDK in real Chromium against the real app in sandbox mode: the page loads
 * the simulator's stand-in SDK, signs wx.config with GET /api/h5/jssdk-config and the
 * simulator verifies it against its jsapi ticket. A correct config opens the map card; a
 * tampered signature fires wx.error and the page shows the address instead; on iOS the landing
 * URL is signed (PROTOCOL §6).
 */
const OFFICE = DEMO_OFFICES[0];
const IOS_WECHAT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
const errors: string[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const { db } = testDb();
  // A ticket cached by an earlier app on this database is unknown to this app's simulator.
  await db.delete(wechatCredentials);
  web = await startWebServer();
  await runSeeds(db);
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await web?.close();
});

async function phone(opts: { userAgent?: string } = {}): Promise<{ page: Page; requests: Request[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, ...opts });
  contexts.push(context);
  const page = await context.newPage();
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('pageerror', (e) => errors.push(e.message));
  await holdPhoneAs(page, web.base, { openid: fakeOpenid(), displayName: '导航测试' });
  return { page, requests };
}

/** Opens a page that needs a sign-in: through the sandbox OAuth and back. */
async function openSignedIn(page: Page, path: string): Promise<void> {
  const signedIn = page.waitForResponse((r) => new URL(r.url()).pathname === '/oauth/callback', { timeout: 15_000 });
  await page.goto(`${web.base}${path}`);
  await signedIn;
  await page.waitForURL((u) => `${u.pathname}${u.search}` === path);
}

const verdict = (page: Page) =>
  page.waitForResponse((r) => new URL(r.url()).pathname === '/sandbox/api/jssdk/verify', { timeout: 15_000 }).then(async (r) => (await r.json()).data as { errMsg: string });
const navButton = (page: Page) => page.getByRole('button', { name: `导航到${OFFICE.name}` });
const mapCard = (page: Page) => page.getByRole('dialog', { name: `位置：${OFFICE.name}` });

describe('导航 with the JS-SDK', () => {
  it('the hall, which has no map, does not load the SDK', async () => {
    const { page, requests } = await phone();
    await page.goto(`${web.base}/h5/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('交管服务大厅');
    await page.waitForLoadState('networkidle');
    expect(requests.filter((r) => /jweixin/.test(r.url()))).toEqual([]);
  });

  it('a correctly signed config is ready; openLocation shows the office on the map', async () => {
    const { page, requests } = await phone();
    // A deep link to the office step (restored from the query after the sign-in).
    await openSignedIn(page, '/h5/appointments/office?service=licence_renewal');
    await expect.poll(() => navButton(page).count(), { timeout: 10_000 }).toBe(1);
    const checked = verdict(page);
    await navButton(page).click();
    expect(await checked).toEqual({ errMsg: 'config:ok' });
    await expect.poll(() => mapCard(page).isVisible(), { timeout: 10_000 }).toBe(true);
    const card = (await mapCard(page).textContent()) ?? '';
    expect(card).toContain(OFFICE.address);
    expect(card).toContain(`纬度 ${OFFICE.latitude}，经度 ${OFFICE.longitude}`);

    // The SDK came from the simulator, never from WeChat's CDN, and was signed for this page.
    const scripts = requests.filter((r) => /jweixin/.test(r.url())).map((r) => new URL(r.url()).pathname);
    expect(scripts).toEqual(['/sandbox/jweixin.js']);
    const signedFor = requests.filter((r) => new URL(r.url()).pathname === '/api/h5/jssdk-config').map((r) => new URL(r.url()).searchParams.get('url'));
    expect(signedFor).toEqual([`${web.base}/h5/appointments/office?service=licence_renewal`]);

    await mapCard(page).getByRole('button', { name: '关闭' }).click();
    await expect.poll(() => mapCard(page).count()).toBe(0);
    expect(await navButton(page).evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('a tampered signature fires wx.error ("invalid signature") and the page shows the address instead', async () => {
    const { page } = await phone();
    await page.route('**/api/h5/jssdk-config?**', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { data: { signature: string } };
      body.data.signature = body.data.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      await route.fulfill({ response, json: body });
    });
    await openSignedIn(page, '/h5/appointments/office?service=licence_renewal');
    await expect.poll(() => navButton(page).count(), { timeout: 10_000 }).toBe(1);
    const checked = verdict(page);
    await navButton(page).click();
    expect((await checked).errMsg).toBe('config:invalid signature');
    const fallback = page.getByRole('status').filter({ hasText: '暂时无法打开地图' });
    await expect.poll(() => fallback.textContent(), { timeout: 10_000 }).toContain(OFFICE.address);
    expect(await mapCard(page).count()).toBe(0);
  });

  it('on iOS the URL the app was landed on is signed, and WeChat (the stand-in) accepts it after in-app navigation', async () => {
    const { page, requests } = await phone({ userAgent: IOS_WECHAT });
    await openSignedIn(page, '/h5/appointments');
    const landing = `${web.base}/h5/appointments`;
    // the seeded service by its code: other test files in this worker add services of the same name
    await page.locator('button[data-service="licence_renewal"]').click();
    await page.waitForURL((u) => u.pathname === '/h5/appointments/office');
    await expect.poll(() => navButton(page).count(), { timeout: 10_000 }).toBe(1);
    const checked = verdict(page);
    await navButton(page).click();
    expect(await checked).toEqual({ errMsg: 'config:ok' });
    await expect.poll(() => mapCard(page).isVisible(), { timeout: 10_000 }).toBe(true);
    const signedFor = requests.filter((r) => new URL(r.url()).pathname === '/api/h5/jssdk-config').map((r) => new URL(r.url()).searchParams.get('url'));
    expect(signedFor).toEqual([landing]);
    expect(page.url()).not.toBe(landing);
  });

  it('had no page errors', () => {
    expect(errors).toEqual([]);
  });
});
