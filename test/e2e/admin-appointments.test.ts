import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointments, auditEntries, officeClosures, officeHours } from '../../db/schema';
import { addDays, shanghaiStartOfDay, toShanghaiDate } from '../../server/calendar/civil-date';
import { arrowSelect, typeLogin, focusedName, signInByKeyboard, tabTo, tabToSelector } from '../support/admin-keys';
import { launchChromium, startWebServer } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { makeCitizen } from '../support/factories';
import { createStaff, type TestStaff } from '../support/staff-agent';
import { makeOffice, makeService, makeSlot, makeWeekdayHours } from '../server/appointments/fixtures';

/**
 * 预约管理 in real Chromium with the keyboard only: a clerk checks one citizen in and marks another
 * as not come (after a confirmation, first cancelled with Esc); a supervisor changes the weekly
 * hours and arranges, then cancels, a closure. The results are read back from the database; an
 * evaluator is refused the page and the API, a clerk the managing API.
 */
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
const errors: string[] = [];
const fx: { officeId?: number; officeName?: string; serviceId?: number; serviceName?: string; a?: { id: number; code: string }; b?: { id: number; code: string } } = {};

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  const office = await makeOffice(db, { name: uniq('键盘测试网点') });
  const service = await makeService(db, { name: uniq('键盘测试业务') });
  await makeWeekdayHours(db, office.id, service.id, { weekdays: [1, 2, 3, 4, 5, 6, 0] });
  Object.assign(fx, { officeId: office.id, officeName: office.name, serviceId: service.id, serviceName: service.name });

  // Two bookings today that have already started (so both may be checked in or marked no-show).
  const today = toShanghaiDate(Date.now());
  const startsAt = new Date(Math.max(shanghaiStartOfDay(today).getTime(), Math.floor(Date.now() / 60_000) * 60_000 - 60_000));
  const slot = await makeSlot(db, { officeId: office.id, serviceId: service.id, startsAt, capacity: 5, booked: 2 });
  for (const [key, name] of [
    ['a', '张伟'],
    ['b', '欧阳小明'],
  ] as const) {
    const c = await makeCitizen(db, { displayName: name });
    const code = uniq('').replace(/[^A-Za-z0-9]/g, '').slice(-8).toUpperCase().padStart(8, 'K');
    const [res] = await db.insert(appointments).values({
      citizenId: c.id,
      slotId: slot.id,
      officeId: office.id,
      serviceId: service.id,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      status: 'booked',
      confirmationCode: code,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    fx[key] = { id: res.insertId, code };
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const statusOf = async (id: number) => (await testDb().db.select({ s: appointments.status }).from(appointments).where(eq(appointments.id, id)))[0]!.s;
const list = () => page.getByRole('table', { name: '预约列表' });

/** Choose our office in the 办理网点 select with the arrow keys (other files' offices may come first). */
async function chooseOffice(p: Page) {
  await p.locator('#appt-title').focus();
  await tabToSelector(p, '#appt-office');
  await expect.poll(() => p.locator('#appt-office option').allTextContents()).toContain(fx.officeName);
  const options = await p.locator('#appt-office option').allTextContents();
  const current = await p.evaluate(() => (document.activeElement as HTMLSelectElement).selectedIndex);
  await arrowSelect(p, fx.officeName!, { up: options.indexOf(fx.officeName!) < current });
}

async function signInAs(staff: TestStaff) {
  await signInByKeyboard(page, web.base, staff, '/appointments');
  await expect.poll(() => page.locator('#appt-title').textContent()).toBe('预约管理');
  await chooseOffice(page);
  await expect.poll(() => list().textContent(), { timeout: 10_000 }).toContain(fx.a!.code);
}

describe('appointments, keyboard only', () => {
  it('a clerk sees today’s list with masked names, checks one citizen in and marks the other as not come', async () => {
    const clerk = await createStaff(testDb().db, { role: 'clerk', displayName: '窗口小陈' });
    await signInAs(clerk);
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toContain('今日预约');
    const text = await list().textContent();
    expect(text).toContain('张*');
    expect(text).toContain('欧***');
    expect(text).not.toContain('张伟');
    // A clerk does not manage hours or closures.
    expect(await page.getByRole('table', { name: '营业时间' }).count()).toBe(0);

    await tabTo(page, new RegExp(`^签到：张\\* \\d\\d:\\d\\d（${fx.a!.code}）$`));
    await page.keyboard.press('Enter');
    await expect.poll(() => statusOf(fx.a!.id), { timeout: 10_000 }).toBe('checked_in');
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(new RegExp(`已签到$`));
    // Focus went to the result, not to the top of the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('status');
    const [audit] = await testDb().db.select().from(auditEntries).where(and(eq(auditEntries.action, 'appointment.check_in'), eq(auditEntries.subjectId, String(fx.a!.id))));
    expect(audit).toMatchObject({ actorId: clerk.id });

    // 标记未到 asks first; Esc cancels and nothing changes.
    const noShow = new RegExp(`^标记未到：欧\\*\\*\\* \\d\\d:\\d\\d（${fx.b!.code}）$`);
    await tabTo(page, noShow);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: '请确认' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain(`将 欧***`);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await statusOf(fx.b!.id)).toBe('booked');

    await page.locator('#appt-title').focus();
    await tabTo(page, noShow);
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await tabTo(page, /^标记未到$/, { max: 6 });
    await page.keyboard.press('Enter');
    await expect.poll(() => statusOf(fx.b!.id), { timeout: 10_000 }).toBe('no_show');
    await expect.poll(() => list().textContent()).toContain('未到');

    // The managing API is not the clerk's.
    const me = (await (await page.request.get(`${web.base}/api/admin/me`)).json()) as { data: { csrfToken: string } };
    const put = await page.request.put(`${web.base}/api/admin/appointments/offices/${fx.officeId}/hours/${fx.serviceId}`, {
      headers: { 'x-csrf-token': me.data.csrfToken },
      data: { rows: [] },
    });
    expect(put.status()).toBe(403);
    expect(errors).toEqual([]);
  });

  it('a supervisor changes the weekly hours and arranges, then cancels, a closure', async () => {
    await page.context().clearCookies();
    const sup = await createStaff(testDb().db, { role: 'supervisor' });
    await signInAs(sup);
    await expect.poll(() => page.getByRole('table', { name: '营业时间' }).count(), { timeout: 10_000 }).toBe(1);

    // The 业务 select: our service, by arrow keys.
    await tabToSelector(page, '#appt-hours-service', { max: 60 });
    const options = await page.locator('#appt-hours-service option').allTextContents();
    expect(options).toContain(fx.serviceName);
    await arrowSelect(page, fx.serviceName!, { max: options.length + 1 });
    const hours = page.getByRole('table', { name: '营业时间' });
    await expect.poll(() => hours.locator('tbody tr').count()).toBe(7);

    // Row 1: 人数 2 → 3; then 保存营业时间.
    await tabTo(page, /^第 1 行 每段人数$/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('3');
    await tabTo(page, /^保存营业时间$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toContain('营业时间已保存');
    const rows = await testDb().db.select().from(officeHours).where(and(eq(officeHours.officeId, fx.officeId!), eq(officeHours.serviceId, fx.serviceId!)));
    expect(rows).toHaveLength(7);
    expect(rows.filter((r) => r.capacity === 3)).toHaveLength(1);

    // A closure ten days ahead: dates typed into the date fields (month, day, year as this Chromium shows them).
    const from = addDays(toShanghaiDate(Date.now()), 10);
    const to = addDays(from, 1);
    const typeDate = async (d: string) => {
      const [y, m, dd] = d.split('-');
      await page.keyboard.type(`${m}${dd}${y}`);
    };
    const closureForm = 'form[aria-label="新增闭馆"]';
    await tabToSelector(page, `${closureForm} label:nth-of-type(1) input`);
    await typeDate(from);
    await tabToSelector(page, `${closureForm} label:nth-of-type(2) input`, { max: 6 });
    await typeDate(to);
    await tabToSelector(page, `${closureForm} label:nth-of-type(3) input`, { max: 6 });
    await page.keyboard.type('设备检修');
    expect(await page.locator('form[aria-label="新增闭馆"] input[type=date]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual([from, to]);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toBe('已安排闭馆');
    const closure = async () => (await testDb().db.select().from(officeClosures).where(eq(officeClosures.officeId, fx.officeId!)))[0];
    expect(await closure()).toMatchObject({ fromDate: from, toDate: to, reason: '设备检修' });

    // Cancelling it asks first: Esc keeps it; confirming removes it.
    const cancel = new RegExp(`^取消闭馆：${from} 至 ${to}$`);
    await page.locator('#appt-title').focus();
    await tabTo(page, cancel);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: '请确认' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await closure()).toBeDefined();
    await page.locator('#appt-title').focus();
    await tabTo(page, cancel);
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await tabTo(page, /^取消闭馆$/, { max: 6 });
    expect(await focusedName(page)).toBe('取消闭馆');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toContain('闭馆安排已取消');
    expect(await closure()).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('an evaluator is refused: 无权访问 on the page, 403 from the API', async () => {
    const evaluator = await createStaff(testDb().db, { role: 'evaluator' });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const p = await ctx.newPage();
    await typeLogin(p, web.base, evaluator, '/appointments');
    await expect.poll(() => p.getByText('无权访问').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await p.locator('nav[aria-label="主菜单"]').textContent()).not.toContain('预约管理');
    expect((await p.request.get(`${web.base}/api/admin/appointments/offices/${fx.officeId}/day`)).status()).toBe(403);
    await ctx.close();
  });
});
