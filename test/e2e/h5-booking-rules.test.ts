import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentSlots, appointments, citizens, usageEvents } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { holdPhoneAs, launchChromium, startWebServer, usageRowsUntil } from '../support/browser';
import { signedInAgent } from '../support/citizen-agent';
import { testDb, uniq } from '../support/db';
import { fakeOpenid } from '../support/factories';

/**
 * 预约办理's rules as a citizen meets them in Chromium through the sandbox sign-in: the phone's
 * Back button walks the steps (choices kept), a slot taken by others while confirming
 * (APPOINTMENT_SLOT_FULL), a second booking of the same service (APPOINTMENT_SERVICE_LIMIT) and a
 * second booking at the same office on the same day (APPOINTMENT_DAY_LIMIT), each with a message
 * that says what to do.
 */
const OFFICE = '示范市车辆管理所（福田业务大厅）';
const citizen = { openid: fakeOpenid(), displayName: '规则测试' };
const menuKey = uniq('m_');

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
const errors: string[] = [];
const state: { date?: string; bookedSlot?: number } = {};

beforeAll(async () => {
  web = await startWebServer();
  await runSeeds(testDb().db);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await holdPhoneAs(page, web.base, citizen);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const heading = () => page.locator('#book-step-title');
const alert = () => page.locator('#main').getByRole('alert');
const calendar = () => page.getByRole('group', { name: /^可预约日期/ });
const pickable = () => page.getByRole('region', { name: /可选时段$/ }).getByRole('button', { name: /余 \d+ 个号$/ });
const query = () => new URL(page.url()).searchParams;

const SEEDED_CODE: Record<string, string> = { 驾驶证换证: 'licence_renewal', 驾驶证补证: 'licence_replacement' };

async function pickServiceAndOffice(service: string): Promise<void> {
  // the seeded service, by its code (the name is shown; the code is unique)
  const choice = page.locator(`button[data-service="${SEEDED_CODE[service]}"]`);
  expect(await choice.textContent()).toContain(service);
  await choice.click();
  await expect.poll(() => heading().textContent()).toContain('选择办理网点');
  await page.getByRole('button', { name: new RegExp(`^${OFFICE}`) }).click();
  await expect.poll(() => heading().textContent()).toContain('选择日期和时段');
}

async function myActive() {
  const { db } = testDb();
  const [me] = await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.openid, citizen.openid));
  return db.select().from(appointments).where(and(eq(appointments.citizenId, me!.id), eq(appointments.status, 'booked')));
}

describe('booking rules in Chromium', () => {
  it('each step is a route: Back goes to the previous step with the choices kept, Forward returns', async () => {
    const signedIn = page.waitForResponse((r) => new URL(r.url()).pathname === '/oauth/callback', { timeout: 15_000 });
    await page.goto(`${web.base}/h5/appointments?menu=${menuKey}&mv=v1`);
    await signedIn;
    await expect.poll(() => heading().textContent(), { timeout: 10_000 }).toContain('选择业务');

    await pickServiceAndOffice('驾驶证补证');
    expect(new URL(page.url()).pathname).toBe('/h5/appointments/slot');
    await page.goBack();
    await expect.poll(() => heading().textContent()).toContain('选择办理网点');
    expect(await page.locator('.book__chosen').textContent()).toContain('驾驶证补证');
    await page.goBack();
    await expect.poll(() => heading().textContent()).toContain('选择业务');
    expect(new URL(page.url()).pathname).toBe('/h5/appointments');
    await page.goForward();
    await expect.poll(() => heading().textContent()).toContain('选择办理网点');
    await page.goForward();
    await expect.poll(() => heading().textContent()).toContain('选择日期和时段');

    // A later day than the first offered, a slot, then Back: the same day is still chosen.
    const days = calendar().getByRole('button', { name: /可预约，余 \d+ 个号$/ });
    await expect.poll(() => days.count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const day = (await days.nth(1).getAttribute('data-date'))!;
    await days.nth(1).click();
    await expect.poll(() => pickable().count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await pickable().first().click();
    await expect.poll(() => heading().textContent()).toContain('确认预约信息');
    expect(query().get('date')).toBe(day);
    await page.goBack();
    await expect.poll(() => heading().textContent()).toContain('选择日期和时段');
    await expect.poll(() => calendar().locator(`[data-date="${day}"]`).getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    state.date = day;
  });

  it('APPOINTMENT_SLOT_FULL: the slot fills while confirming; the message says to pick another and the slot step is shown again', async () => {
    await expect.poll(() => pickable().count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await pickable().first().click();
    await expect.poll(() => heading().textContent()).toContain('确认预约信息');
    const slotId = Number(query().get('slot'));
    // Other citizens take the remaining seats meanwhile (the real booking API).
    const { db } = testDb();
    const [slot] = await db.select().from(appointmentSlots).where(eq(appointmentSlots.id, slotId));
    for (let i = slot!.booked; i < slot!.capacity; i++) {
      const other = await signedInAgent(web.t);
      expect((await other.agent.post('/api/h5/appointments').send({ slotId })).status).toBe(201);
    }

    await page.getByRole('button', { name: '确认预约' }).click();
    await expect.poll(() => alert().textContent(), { timeout: 10_000 }).toContain('这个时段刚刚被约满了，请重新选择其他时段');
    await expect.poll(() => heading().textContent()).toContain('选择日期和时段');
    expect(new URL(page.url()).pathname).toBe('/h5/appointments/slot');
    expect(await page.locator('.book__chosen').textContent()).toContain(OFFICE);
    // Another slot books.
    await expect.poll(() => pickable().count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await pickable().first().click();
    await page.getByRole('button', { name: '确认预约' }).click();
    await expect.poll(() => heading().textContent(), { timeout: 10_000 }).toContain('预约成功');
    const mine = await myActive();
    expect(mine).toHaveLength(1);
    expect(mine[0]!.slotId).not.toBe(slotId);
    state.bookedSlot = mine[0]!.slotId;
    state.date = (await db.select().from(appointmentSlots).where(eq(appointmentSlots.id, mine[0]!.slotId)))[0]!.day;
  });

  it('Back from the result does not offer the same booking again', async () => {
    await page.goBack();
    await expect.poll(() => heading().textContent()).toContain('选择日期和时段');
    await page.goForward();
    await expect.poll(() => heading().textContent()).toContain('预约成功');
  });

  it('APPOINTMENT_SERVICE_LIMIT: a second booking of the same service says to reschedule in 我的预约', async () => {
    await page.getByRole('button', { name: '再预约一项业务' }).click();
    await expect.poll(() => heading().textContent()).toContain('选择业务');
    await pickServiceAndOffice('驾驶证补证');
    await expect.poll(() => pickable().count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await pickable().last().click();
    await page.getByRole('button', { name: '确认预约' }).click();
    await expect.poll(() => alert().textContent(), { timeout: 10_000 }).toContain('您已有该业务的有效预约');
    expect(await alert().textContent()).toContain('请到“我的预约”改约');
    expect(await myActive()).toHaveLength(1);
  });

  it('APPOINTMENT_DAY_LIMIT: another service at the same office on the same day says to choose another date', async () => {
    await page.getByRole('button', { name: '上一步' }).click();
    await expect.poll(() => heading().textContent()).toContain('选择日期和时段');
    await page.getByRole('button', { name: '上一步' }).click();
    await page.getByRole('button', { name: '上一步' }).click();
    await expect.poll(() => heading().textContent()).toContain('选择业务');
    await pickServiceAndOffice('驾驶证换证');
    const day = calendar().locator(`[data-date="${state.date}"]`);
    await expect.poll(() => day.isEnabled(), { timeout: 10_000 }).toBe(true);
    await day.click();
    await expect.poll(() => pickable().count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await pickable().first().click();
    await page.getByRole('button', { name: '确认预约' }).click();
    await expect.poll(() => alert().textContent(), { timeout: 10_000 }).toContain('每人每天每个网点只能预约一次，请选择其他日期');
    await expect.poll(() => heading().textContent()).toContain('选择日期和时段');
    expect(await myActive()).toHaveLength(1);
  });

  it('reported each failure with its code to usage, and had no page errors', async () => {
    await page.goto(`${web.base}/h5/`); // pagehide flushes the tracker
    const rows = await usageRowsUntil(web.t, eq(usageEvents.menuKey, menuKey), (n) => n >= 8);
    const fails = rows.filter((r) => r.kind === 'task_fail' && r.name === 'appointment.book').map((r) => (r.props as { code?: string } | null)?.code);
    expect(fails.sort()).toEqual(['APPOINTMENT_DAY_LIMIT', 'APPOINTMENT_SERVICE_LIMIT', 'APPOINTMENT_SLOT_FULL']);
    const views = rows.filter((r) => r.kind === 'page_view').map((r) => r.name);
    expect(views).toEqual(expect.arrayContaining(['h5.appointments', 'h5.appointments.office', 'h5.appointments.slot', 'h5.appointments.confirm', 'h5.appointments.done']));
    expect(errors).toEqual([]);
  });
});
