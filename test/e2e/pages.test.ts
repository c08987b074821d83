import { and, eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEvents } from '../../db/schema';
import { launchChromium, startWebServer, usageRowsUntil } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { createStaff } from '../support/staff-agent';

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;

beforeAll(async () => {
  web = await startWebServer();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});


describe('web apps in Chromium', () => {
  it('the H5 service hall loads, and its page view and a no-result search reach the usage table, attributed to the menu item', async () => {
    const menuKey = uniq('m_');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${web.base}/h5/?menu=${menuKey}&mv=v7`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('交管服务大厅');
    const term = `zz${uniq()}`;
    await page.getByPlaceholder('搜索服务，如：违章、记分、预约').fill(term);
    await page.keyboard.press('Enter');
    await page.close({ runBeforeUnload: true }); // pagehide → sendBeacon

    const rows = await usageRowsUntil(web.t, eq(usageEvents.menuKey, menuKey), (n) => n >= 3);
    const view = rows.find((r) => r.kind === 'page_view');
    expect(view).toMatchObject({ source: 'h5', menuVersion: 'v7' });
    expect(view?.visitId).toMatch(/^[A-Za-z0-9_-]{8,36}$/);
    const noResult = rows.find((r) => r.kind === 'no_result');
    expect(noResult?.props).toMatchObject({ term });
    expect(new Set(rows.map((r) => r.visitId)).size).toBe(1); // one visit
    expect(errors).toEqual([]);
  });

  it('an H5 deep link to a page that does not exist yet shows the not-found page and logs it', async () => {
    const menuKey = uniq('m_');
    const page = await browser.newPage();
    await page.goto(`${web.base}/h5/not/a/page?menu=${menuKey}&mv=v7`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('页面不存在');
    await expect.poll(() => page.getByRole('button', { name: '返回服务大厅' }).isVisible()).toBe(true);
    await page.close({ runBeforeUnload: true });
    const rows = await usageRowsUntil(web.t, and(eq(usageEvents.menuKey, menuKey), eq(usageEvents.kind, 'error'))!, (n) => n >= 1);
    expect(rows[0]).toMatchObject({ name: 'h5.not_found' });
  });

  it('the admin status page shows the server ready', async () => {
    const page = await browser.newPage();
    // The admin view needs a staff session (issue 5); sign in through the API, the cookie is the context's.
    const staff = await createStaff(testDb().db, { role: 'evaluator' });
    expect((await page.request.post(`${web.base}/api/admin/login`, { data: { username: staff.username, password: staff.password } })).status()).toBe(200);
    await page.goto(`${web.base}/admin/status`);
    await expect.poll(() => page.locator('#status-title').textContent()).toBe('系统状态');
    await expect.poll(() => page.getByText('就绪', { exact: true }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.close();
  });

  it('the sandbox page shows the phone titled with the account name and the demo citizens to choose from', async () => {
    const page = await browser.newPage();
    await page.goto(`${web.base}/sandbox/`);
    await expect.poll(() => page.locator('#sandbox-title').textContent()).toBe('微信沙箱');
    const phone = page.getByRole('group', { name: `模拟手机：${web.t.config.accountName}` });
    await expect.poll(() => phone.count()).toBe(1);
    await expect.poll(() => page.getByText('张伟').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.close();
  });
});
