import { and, eq, inArray } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizens, usageEvents, vehicleBindings, vehicles, violationLookupLimits } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { DEMO_CITIZENS } from '../../db/seed/demo-citizens';
import { launchChromium, startWebServer, usageRowsUntil, holdPhoneAs } from '../support/browser';
import { testDb, uniq } from '../support/db';

/**
 * 违法查询 in real Chromium against the real app (sandbox mode, real web build): the page's
 * first API call answers 401, the app goes through the sandbox's OAuth and comes back signed
 * in; a seeded plate is looked up with its VIN suffix, bound, looked up again without it, and a
 * wrong suffix shows what to fix.
 */
const WANG_FANG = DEMO_CITIZENS[2]; // no vehicle bound in the demo data
// Seeded in db/seed/demo-violations.ts: 粤B5N9X3 (02), VIN …987654, two violations, bound to nobody.
const PLATE = { type: '02', no: '粤B5N9X3', suffix: '987654' };
// 粤B7J25学 (16 教练汽车), also unbound: used for the wrong-suffix case.
const OTHER = { type: '16', no: '粤B7J25学' };

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
const errors: string[] = [];
const menuKey = uniq('m_');

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  await runSeeds(db);
  // Reruns on this worker's database start from the seeded state.
  const [wang] = await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.openid, WANG_FANG.openid));
  const vs = await db.select({ id: vehicles.id }).from(vehicles).where(inArray(vehicles.plateNo, [PLATE.no, OTHER.no]));
  if (wang && vs.length) {
    await db.delete(vehicleBindings).where(and(eq(vehicleBindings.citizenId, wang.id), inArray(vehicleBindings.vehicleId, vs.map((v) => v.id))));
  }
  await db.delete(violationLookupLimits);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await holdPhoneAs(page, web.base, WANG_FANG);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const lookupForm = () => page.getByRole('form', { name: '输入号牌查询' });
const results = () => page.getByRole('region', { name: /的违法记录$/ });

async function fillLookup(p: { type: string; no: string; suffix: string }) {
  await lookupForm().getByLabel('号牌种类').selectOption(p.type);
  await lookupForm().getByLabel('号牌号码').fill(p.no);
  await lookupForm().getByLabel('车架号后6位').fill(p.suffix);
  await lookupForm().getByRole('button', { name: '查询' }).click();
}

describe('违法查询 in Chromium', () => {
  it('enters /h5/violations through the sandbox OAuth and comes back to the page with its query', async () => {
    const seen: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest()) seen.push(new URL(r.url()).pathname);
    });
    const signedIn = page.waitForResponse((r) => new URL(r.url()).pathname === '/oauth/callback', { timeout: 15_000 });
    await page.goto(`${web.base}/h5/violations?menu=${menuKey}&mv=v1`);
    await signedIn;
    await page.waitForURL((u) => u.pathname === '/h5/violations');
    expect(new URL(page.url()).search).toBe(`?menu=${menuKey}&mv=v1`);
    expect(seen).toEqual(expect.arrayContaining(['/oauth/start', '/sandbox/connect/oauth2/authorize', '/oauth/callback']));
    await expect.poll(() => page.locator('h1').textContent()).toBe('违法查询');
    await expect.poll(() => lookupForm().getByLabel('号牌号码').isVisible()).toBe(true);
  });

  it('validates the form in the page with the server’s messages before sending', async () => {
    await fillLookup({ type: '02', no: '粤B12I45', suffix: '' });
    await expect.poll(() => lookupForm().textContent()).toContain('号牌号码序号中不使用字母 I 和 O');
  });

  it('looks up a seeded plate with its VIN suffix: violations with Shanghai times, status tags and totals', async () => {
    await fillLookup(PLATE);
    await expect.poll(() => results().isVisible(), { timeout: 10_000 }).toBe(true);
    const text = (await results().textContent()) ?? '';
    expect(text).toContain('粤B·5**X3（小型汽车）的违法记录');
    expect(text).toContain('共 2 条违法记录，累计记 6 分，罚款 400 元');
    expect(text).toContain('2026-10-28 16:22');
    expect(text).toContain('2026-08-14 21:30');
    expect(text).toContain('红荔路与新洲路交叉口');
    expect(text).toContain('驾驶机动车有拨打、接听手持电话等妨碍安全驾驶的行为的');
    expect(text).toContain('未处理');
    expect(text).toContain('已处理未缴款');
    expect(text).toContain('440304100012345678');
  });

  it('binds the vehicle it just proved, and it then appears under 我的车辆 on the page', async () => {
    await page.getByRole('button', { name: '绑定此车辆' }).click();
    await expect.poll(() => page.getByText('已绑定到您的账号').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: '查询 粤B·5**X3 的违法记录' }).count()).toBe(1);
  });

  it('looks the bound vehicle up again without the suffix, by plate and from the bound list', async () => {
    await page.reload();
    await fillLookup({ ...PLATE, suffix: '' });
    await expect.poll(() => results().textContent(), { timeout: 10_000 }).toContain('共 2 条违法记录');
    expect(await page.getByRole('button', { name: '绑定此车辆' }).count()).toBe(0);

    await page.reload();
    await page.getByRole('button', { name: '查询 粤B·5**X3 的违法记录' }).click();
    await expect.poll(() => results().textContent(), { timeout: 10_000 }).toContain('共 2 条违法记录');
  });

  it('a wrong suffix shows what to fix', async () => {
    await fillLookup({ type: OTHER.type, no: OTHER.no, suffix: '000000' });
    await expect.poll(async () => (await page.getByRole('alert').allTextContents()).join('\n'), { timeout: 10_000 }).toContain(
      '号牌号码与车架号或发动机号后6位不匹配，请核对后重试。',
    );
    expect(await results().count()).toBe(0);
  });

  it('reported the page view and the lookup task, attributed to the menu item, and had no page errors', async () => {
    await page.goto(`${web.base}/h5/`); // pagehide flushes the tracker
    const rows = await usageRowsUntil(web.t, eq(usageEvents.menuKey, menuKey), (n) => n >= 6);
    const kinds = rows.filter((r) => r.source === 'h5').map((r) => `${r.kind}:${r.name}`);
    expect(kinds).toContain('page_view:h5.violations');
    expect(kinds).toContain('task_start:violations.lookup');
    expect(kinds).toContain('task_complete:violations.lookup');
    expect(kinds).toContain('task_fail:violations.lookup');
    expect(kinds).toContain('task_complete:vehicles.bind');
    expect(errors).toEqual([]);
  });

  it('the hall’s tiles lead to the real pages; 驾驶证记分 shows a clear state when no licence is linked', async () => {
    await page.goto(`${web.base}/h5/`);
    await page.getByRole('region', { name: '查询' }).getByRole('link', { name: '驾驶证记分' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('驾驶证记分');
    await expect.poll(() => page.getByText('未找到与您微信账号关联的驾驶证').count(), { timeout: 10_000 }).toBe(1);
    await page.goBack();
    // The tile in its group (最近使用 above now lists the same service).
    await page.getByRole('region', { name: '查询' }).getByRole('link', { name: '违法查询' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('违法查询');
  });

  it('我的车辆 lists the bound vehicle with its plate masked and unbinds it after confirmation', async () => {
    await page.goto(`${web.base}/h5/vehicles`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('我的车辆');
    const unbind = page.getByRole('button', { name: '解除绑定 粤B·5**X3' });
    await expect.poll(() => unbind.count(), { timeout: 10_000 }).toBe(1);
    await unbind.click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('确定解除绑定 粤B·5**X3（小型汽车）吗？');
    await dialog.getByRole('button', { name: '取消' }).click();
    await expect.poll(() => unbind.count()).toBe(1);
    await unbind.click();
    await dialog.getByRole('button', { name: '解除绑定' }).click();
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('已解除绑定 粤B·5**X3。');
    await expect.poll(() => unbind.count()).toBe(0);
    expect(await page.getByText('还没有绑定车辆').count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
