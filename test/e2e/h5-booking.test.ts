import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentEvents, appointmentSlots, appointments, citizens, usageEvents } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { DEMO_CITIZENS } from '../../db/seed/demo-citizens';
import { launchChromium, startWebServer, usageRowsUntil, holdPhoneAs } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { clearAppointmentsOf } from '../support/factories';

/**
 * 预约办理 in real Chromium against the real app (sandbox mode, real web build): the page signs
 * the citizen in through the sandbox OAuth, books a seeded slot (db/seed/demo-appointments.ts),
 * shows the confirmation code, and 我的预约 reschedules it to another slot and cancels it; the
 * database then holds a cancelled appointment and both slots' seats given back.
 */
const LI_NA = DEMO_CITIZENS[1]!;
const SERVICE = '驾驶证补证';
const OFFICE = '示范市车辆管理所（福田业务大厅）';

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
let citizenId: number;
const errors: string[] = [];
const menuKey = uniq('m_');
const state: { code?: string; firstSlot?: number; secondSlot?: number; bookedFirst?: number; bookedSecond?: number } = {};

async function bookedOf(slotId: number): Promise<number> {
  const { db } = testDb();
  const [row] = await db.select({ booked: appointmentSlots.booked }).from(appointmentSlots).where(eq(appointmentSlots.id, slotId));
  return row!.booked;
}

async function activeOn(slotId: number): Promise<number> {
  const { db } = testDb();
  const [row] = await db
    .select({ n: sql<number>`COUNT(*)`.mapWith(Number) })
    .from(appointments)
    .where(and(eq(appointments.slotId, slotId), inArray(appointments.status, ['booked', 'rescheduled'])));
  return row!.n;
}

async function myAppointments() {
  const { db } = testDb();
  return db.select().from(appointments).where(eq(appointments.citizenId, citizenId));
}

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  await runSeeds(db);
  const [who] = await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.openid, LI_NA.openid));
  citizenId = who!.id;
  // Reruns on this worker's database start without this citizen's bookings, seats given back.
  await clearAppointmentsOf(db, citizenId);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await holdPhoneAs(page, web.base, LI_NA);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const stepHeading = () => page.locator('#book-step-title');
const slotRegion = () => page.getByRole('region', { name: /可选时段$/ });
const pickableSlots = () => slotRegion().getByRole('button', { name: /余 \d+ 个号$/ });

describe('预约办理 in Chromium', () => {
  it('enters /h5/appointments through the sandbox OAuth and comes back to the page', async () => {
    const signedIn = page.waitForResponse((r) => new URL(r.url()).pathname === '/oauth/callback', { timeout: 15_000 });
    await page.goto(`${web.base}/h5/appointments?menu=${menuKey}&mv=v1`);
    await signedIn;
    await page.waitForURL((u) => u.pathname === '/h5/appointments');
    await expect.poll(() => page.locator('h1').textContent()).toBe('预约办理');
    await expect.poll(() => stepHeading().textContent(), { timeout: 10_000 }).toContain('选择业务');
  });

  it('books a slot: service → office → calendar day → slot → confirm → confirmation code', async () => {
    await page.getByRole('button', { name: new RegExp(`^${SERVICE}`) }).click();
    await expect.poll(() => stepHeading().textContent()).toContain('选择办理网点');
    const office = page.getByRole('button', { name: new RegExp(`^${OFFICE}`) }).first();
    await expect.poll(() => office.textContent(), { timeout: 10_000 }).toContain('北环大道 7001 号');
    await office.click();
    await expect.poll(() => stepHeading().textContent()).toContain('选择日期和时段');

    // The calendar: closed days (weekends, holidays) are disabled, a day with room is picked.
    const calendar = page.getByRole('group', { name: /^可预约日期/ });
    await expect.poll(() => calendar.getByRole('button', { name: /可预约，余 \d+ 个号$/ }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const closed = calendar.getByRole('button', { name: /不可预约$/ });
    if ((await closed.count()) > 0) expect(await closed.first().isDisabled()).toBe(true);

    await expect.poll(() => pickableSlots().count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await pickableSlots().first().click();
    await expect.poll(() => stepHeading().textContent()).toContain('确认预约信息');
    expect(await page.getByRole('list').filter({ hasText: '居民身份证' }).count()).toBe(1);

    await page.getByRole('button', { name: '确认预约' }).click();
    await expect.poll(() => stepHeading().textContent(), { timeout: 10_000 }).toContain('预约成功');
    const code = (await page.getByTestId('confirmation-code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^\S{4,}$/);
    expect(await page.getByText('（北京时间）').count()).toBeGreaterThan(0);

    const [row] = await myAppointments();
    expect(row).toMatchObject({ confirmationCode: code, status: 'booked' });
    const ics = page.getByRole('link', { name: /下载 \.ics 文件/ });
    expect(await ics.getAttribute('href')).toBe(`/api/h5/appointments/${row!.id}/ics`);
    const file = await page.request.get(`${web.base}/api/h5/appointments/${row!.id}/ics`);
    expect(file.status()).toBe(200);
    expect(await file.text()).toContain(code);

    state.code = code;
    state.firstSlot = row!.slotId;
    state.bookedFirst = await bookedOf(row!.slotId);
    expect(state.bookedFirst).toBe(await activeOn(row!.slotId));
  });

  it('我的预约 lists it; reschedule moves it to another slot and gives the first seat back', async () => {
    await page.getByRole('link', { name: '查看我的预约' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('预约详情');
    await page.getByRole('link', { name: '返回我的预约' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('我的预约');
    const item = page.getByRole('link', { name: new RegExp(state.code!) });
    await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain('已预约');
    await item.click();
    await expect.poll(() => page.getByTestId('confirmation-code').textContent(), { timeout: 10_000 }).toBe(state.code);

    await page.getByRole('button', { name: '改约' }).click();
    await expect.poll(() => pickableSlots().count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await pickableSlots().first().click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('改约到');
    await dialog.getByRole('button', { name: '确认改约' }).click();
    await expect.poll(() => page.getByRole('status').allTextContents(), { timeout: 10_000 }).toEqual(
      expect.arrayContaining([expect.stringContaining('已改约到')]),
    );

    const [row] = await myAppointments();
    expect(row).toMatchObject({ confirmationCode: state.code, status: 'rescheduled' });
    expect(row!.slotId).not.toBe(state.firstSlot);
    state.secondSlot = row!.slotId;
    expect(await bookedOf(state.firstSlot!)).toBe(state.bookedFirst! - 1);
    state.bookedSecond = await bookedOf(row!.slotId);
    expect(state.bookedSecond).toBe(await activeOn(row!.slotId));
  });

  it('cancels after confirmation; the appointment is cancelled and no seat is held', async () => {
    const cancelButton = page.locator('#main').getByRole('button', { name: '取消预约' });
    await cancelButton.click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('确定取消');
    await dialog.getByRole('button', { name: '保留预约' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect((await myAppointments())[0]!.status).toBe('rescheduled');

    await cancelButton.click();
    await dialog.getByRole('button', { name: '取消预约' }).click();
    await expect.poll(() => page.getByRole('status').allTextContents(), { timeout: 10_000 }).toContain('预约已取消。');
    expect(await page.getByRole('button', { name: '改约' }).count()).toBe(0);

    const rows = await myAppointments();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'cancelled', slotId: state.secondSlot });
    expect(await bookedOf(state.secondSlot!)).toBe(state.bookedSecond! - 1);
    for (const slot of [state.firstSlot!, state.secondSlot!]) expect(await bookedOf(slot)).toBe(await activeOn(slot));

    await page.getByRole('link', { name: '返回我的预约' }).click();
    await expect.poll(() => page.getByRole('link', { name: new RegExp(state.code!) }).textContent(), { timeout: 10_000 }).toContain('已取消');
  });

  it('reported the booking task to usage, and had no page errors', async () => {
    await page.goto(`${web.base}/h5/`); // pagehide flushes the tracker
    const rows = await usageRowsUntil(web.t, eq(usageEvents.menuKey, menuKey), (n) => n >= 3);
    const kinds = rows.filter((r) => r.source === 'h5').map((r) => `${r.kind}:${r.name}`);
    expect(kinds).toContain('page_view:h5.appointments');
    expect(kinds).toContain('task_start:appointment.book');
    expect(kinds).toContain('task_complete:appointment.book');
    expect(await page.getByRole('link', { name: '我的预约' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
