import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentEvents, appointmentSlots, appointments, citizens, menuVersions, usageEvents, vehicleBindings, violationLookupLimits } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { seedDefaultMenu } from '../../db/seed/default-menu';
import { DEMO_CITIZENS } from '../../db/seed/demo-citizens';
import { launchChromium, startWebServer, usageRowsUntil } from '../support/browser';
import { testDb } from '../support/db';
import { clearAppointmentsOf } from '../support/factories';

/**
 * Issue 4's "done when", whole, in the sandbox phone emulator (real Chromium, real app, real
 * build): a citizen taps 违法查询 in the account's menu, looks up a seeded plate with its VIN
 * suffix and binds the vehicle; then taps 预约办理, books a slot, reschedules it and cancels it.
 * Every page runs inside the phone's in-app browser, entered through the real OAuth redirect.
 */
const CITIZEN = DEMO_CITIZENS[4]; // 陈秀英（长辈）: no vehicle bound in the demo data
const PLATE = { type: '02', no: '粤B5N9X3', suffix: '987654' };

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
let citizenId: number;
const errors: string[] = [];
const state: { code?: string; firstSlot?: number } = {};

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  await runSeeds(db);
  // The seeded menu as the platform's current one (other files in this worker change menus).
  await db.delete(menuVersions);
  await db.execute(sql`ALTER TABLE menu_versions AUTO_INCREMENT = 1`);
  await db.transaction((tx) => seedDefaultMenu(tx));
  await web.t.deps.menus.ensurePublishedOnPlatform();
  // Reruns on this worker's database start from the seeded state for this citizen.
  const [who] = await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.openid, CITIZEN.openid));
  citizenId = who!.id;
  await db.delete(vehicleBindings).where(eq(vehicleBindings.citizenId, citizenId));
  await db.delete(violationLookupLimits);
  await clearAppointmentsOf(db, citizenId);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1320, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const phone = () => page.getByRole('group', { name: `模拟手机：${web.t.config.accountName}` });
const menuBar = () => phone().getByRole('navigation', { name: '公众号菜单' });
const browserPane = () => phone().getByRole('region', { name: '公众号网页' });
const frame = (): Frame => page.frame({ name: 'wechat-inapp-browser' })!;
const framePath = () => {
  const url = page.frame({ name: 'wechat-inapp-browser' })?.url();
  return url?.startsWith('http') ? new URL(url).pathname : '';
};

async function tapMenu(top: string, item: string): Promise<void> {
  await menuBar().getByRole('button', { name: top }).click();
  await phone().getByRole('menu', { name: top }).getByRole('menuitem', { name: item }).click();
  await expect.poll(() => browserPane().isVisible()).toBe(true);
}

describe('a citizen in the sandbox phone: violations, binding, booking, reschedule, cancel', () => {
  it('picks the citizen in the phone emulator', async () => {
    await page.goto(`${web.base}/sandbox/`);
    const who = page.getByRole('button', { name: new RegExp(`^${CITIZEN.displayName.replace(/[()（）]/g, '.')}`) });
    await who.click();
    await expect.poll(() => who.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => menuBar().getByRole('button').allTextContents()).toEqual(['查询服务', '办事服务', '互动服务']);
  });

  it('taps 违法查询, looks up a seeded plate with its VIN suffix and binds the vehicle', async () => {
    await tapMenu('查询服务', '违法查询');
    await expect.poll(framePath, { timeout: 15_000 }).toBe('/h5/violations');
    const form = frame().getByRole('form', { name: '输入号牌查询' });
    await expect.poll(() => form.getByLabel('号牌号码').isVisible(), { timeout: 10_000 }).toBe(true);
    await form.getByLabel('号牌种类').selectOption(PLATE.type);
    await form.getByLabel('号牌号码').fill(PLATE.no);
    await form.getByLabel('车架号后6位').fill(PLATE.suffix);
    await form.getByRole('button', { name: '查询' }).click();
    const results = frame().getByRole('region', { name: /的违法记录$/ });
    await expect.poll(() => results.textContent(), { timeout: 10_000 }).toContain('共 2 条违法记录');

    await frame().getByRole('button', { name: '绑定此车辆' }).click();
    await expect.poll(() => frame().getByText('已绑定到您的账号').count(), { timeout: 10_000 }).toBe(1);
    const bound = await testDb().db.select().from(vehicleBindings).where(eq(vehicleBindings.citizenId, citizenId));
    expect(bound).toHaveLength(1);
    await phone().getByRole('button', { name: '关闭网页' }).click();
    await expect.poll(() => browserPane().count()).toBe(0);
  });

  it('taps 预约办理 and books a slot, getting a confirmation code', async () => {
    await tapMenu('办事服务', '预约办理');
    await expect.poll(framePath, { timeout: 15_000 }).toBe('/h5/appointments');
    const f = frame();
    const heading = f.locator('#book-step-title');
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toContain('选择业务');
    await f.getByRole('button', { name: /^违法处理/ }).click();
    await expect.poll(() => heading.textContent()).toContain('选择办理网点');
    await f.getByRole('button', { name: /^示范市车辆管理所/ }).click();
    const slots = f.getByRole('region', { name: /可选时段$/ }).getByRole('button', { name: /余 \d+ 个号$/ });
    await expect.poll(() => slots.count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await slots.first().click();
    await f.getByRole('button', { name: '确认预约' }).click();
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toContain('预约成功');
    state.code = (await f.getByTestId('confirmation-code').textContent())?.trim();
    const [row] = await testDb().db.select().from(appointments).where(eq(appointments.citizenId, citizenId));
    expect(row).toMatchObject({ status: 'booked', confirmationCode: state.code });
    state.firstSlot = row!.slotId;
  });

  it('reschedules it from 我的预约 to another slot', async () => {
    const f = frame();
    await f.getByRole('link', { name: '查看我的预约' }).click();
    await expect.poll(() => f.getByTestId('confirmation-code').textContent(), { timeout: 10_000 }).toBe(state.code);
    await f.getByRole('button', { name: '改约' }).click();
    const slots = f.getByRole('region', { name: /可选时段$/ }).getByRole('button', { name: /余 \d+ 个号$/ });
    await expect.poll(() => slots.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await slots.first().click();
    await f.getByRole('dialog').getByRole('button', { name: '确认改约' }).click();
    await expect.poll(async () => (await f.getByRole('status').allTextContents()).join(' '), { timeout: 10_000 }).toContain('已改约到');
    const [row] = await testDb().db.select().from(appointments).where(eq(appointments.citizenId, citizenId));
    expect(row!.status).toBe('rescheduled');
    expect(row!.slotId).not.toBe(state.firstSlot);
  });

  it('cancels it', async () => {
    const f = frame();
    await f.locator('#main').getByRole('button', { name: '取消预约' }).click();
    await f.getByRole('dialog').getByRole('button', { name: '取消预约' }).click();
    await expect.poll(async () => (await f.getByRole('status').allTextContents()).join(' '), { timeout: 10_000 }).toContain('预约已取消。');
    const rows = await testDb().db.select().from(appointments).where(eq(appointments.citizenId, citizenId));
    expect(rows.map((r) => r.status)).toEqual(['cancelled']);
  });

  it('the journey reached usage attributed to the two menu items, and had no page errors', async () => {
    await phone().getByRole('button', { name: '关闭网页' }).click(); // the page hides: the tracker flushes
    const rows = await usageRowsUntil(web.t, and(eq(usageEvents.source, 'h5'), inArray(usageEvents.menuKey, ['violations', 'appointments'])), (n) => n >= 8);
    const seen = rows.map((r) => `${r.menuKey}:${r.kind}:${r.name}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'violations:page_view:h5.violations',
        'violations:task_complete:violations.lookup',
        'violations:task_complete:vehicles.bind',
        'appointments:page_view:h5.appointments',
        'appointments:task_complete:appointment.book',
        'appointments:task_complete:appointment.reschedule',
        'appointments:task_complete:appointment.cancel',
      ]),
    );
    expect(errors).toEqual([]);
  });
});
