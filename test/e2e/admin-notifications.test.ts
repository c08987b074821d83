import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, citizens, notifications } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { DEMO_CITIZENS, seedDemoCitizens } from '../../db/seed/demo-citizens';
import type { StaffPrincipal } from '../../server/staff/roles';
import { arrowSelect, typeLogin, signInByKeyboard, tabTo, tabToSelector } from '../support/admin-keys';
import { launchChromium, startWebServer } from '../support/browser';
import { testDb } from '../support/db';
import { createStaff } from '../support/staff-agent';

/**
 * Issue 5's "the notification log shows each message delivered", in real Chromium: an
 * application goes accepted → approved → completed with the outbox worker sending to the
 * sandbox, which refuses the approval message once (43004, permanent). A supervisor opens 通知记录
 * with the keyboard only, sees the other messages 已送达 and the approval 发送失败（永久）, sends
 * it again, and sees it delivered. A clerk may read the log but not retry; an evaluator is refused.
 */
const CITIZEN = DEMO_CITIZENS[3]!; // 刘洋: other browser files use 张伟, 李娜 and 王芳
const TEMPLATE_SEND = '/cgi-bin/message/template/send';

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
const errors: string[] = [];
const ids: { accepted?: number; approved?: number; completed?: number; applicationNo?: string } = {};

const rowsOf = async (applicationNo: string) =>
  (await testDb().db.select().from(notifications).where(eq(notifications.citizenId, (await citizenId()))))
    .filter((r) => r.payload.applicationNo === applicationNo);
const citizenId = async () => (await testDb().db.select({ id: citizens.id }).from(citizens).where(eq(citizens.openid, CITIZEN.openid)))[0]!.id;
const statusOf = async (id: number) => (await testDb().db.select({ s: notifications.status }).from(notifications).where(eq(notifications.id, id)))[0]?.s;

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  await runSeeds(db);
  await db.transaction((tx) => seedDemoCitizens(tx));
  // What main.ts does after listen: the outbox worker sends to this process's own /sandbox.
  web.t.deps.notificationParts.worker.start();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
}, 180_000);

afterAll(async () => {
  await web?.t.deps.notificationParts.worker.stop();
  await browser?.close();
  await web?.close();
});

async function setFaults(body: unknown) {
  const res = await fetch(`${web.base}/sandbox/api/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

describe('notification log in Chromium, keyboard only', () => {
  it('an application’s messages go out; the sandbox refuses the approval once', async () => {
    const { db } = testDb();
    const clerkRow = await createStaff(db, { role: 'clerk', displayName: '窗口小刘' });
    const clerk: StaffPrincipal = { id: clerkRow.id, username: clerkRow.username, displayName: clerkRow.displayName, role: 'clerk', sessionId: 'e2e' };
    const apps = web.t.deps.applications;
    const submitted = await apps.submit(
      { id: await citizenId(), openid: CITIZEN.openid },
      { typeCode: 'contact_change', answers: { name: '刘洋', id_number: '11010519491231002X', document: 'licence', new_phone: '13700137000', new_address: '示范市福田区深南大道 1 号' } },
    );
    ids.applicationNo = submitted.applicationNo;
    await apps.transition(clerk, submitted.id, 'accepted');
    await expect.poll(async () => (await rowsOf(ids.applicationNo!)).map((r) => r.status), { timeout: 20_000 }).toEqual(['delivered']);

    // 43004 (the user refuses the account's messages) is permanent: no automatic retry.
    await setFaults({ endpoints: { [TEMPLATE_SEND]: { errcode: 43004, times: 1 } } });
    await apps.transition(clerk, submitted.id, 'in_review');
    await apps.transition(clerk, submitted.id, 'approved', '材料齐全');
    const approvedRow = async () => (await rowsOf(ids.applicationNo!)).find((r) => r.kind === 'application.approved');
    await expect.poll(async () => (await approvedRow())?.status, { timeout: 20_000 }).toBe('permanent_failure');
    await apps.transition(clerk, submitted.id, 'completed');

    const rows = await rowsOf(ids.applicationNo!);
    ids.accepted = rows.find((r) => r.kind === 'application.accepted')!.id;
    ids.approved = rows.find((r) => r.kind === 'application.approved')!.id;
    ids.completed = rows.find((r) => r.kind === 'application.completed')!.id;
    await expect.poll(() => statusOf(ids.completed!), { timeout: 20_000 }).toBe('delivered');
    expect(await statusOf(ids.approved!)).toBe('permanent_failure');
  });

  it('a supervisor sees each message’s state, retries the failed one with the keyboard, and sees it delivered', async () => {
    const sup = await createStaff(testDb().db, { role: 'supervisor', displayName: '值班科长' });
    await signInByKeyboard(page, web.base, sup, '/dashboard');

    // The side menu by keyboard: Tab to 通知记录, Enter.
    await tabTo(page, /^通知记录$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/admin/notifications');
    await expect.poll(() => page.locator('#nl-title').textContent()).toBe('通知记录');

    const table = page.getByRole('table', { name: '通知记录' });
    // the first cell is the 编号 (other cells may hold the same digits: 尝试, 市民 #)
    const row = (id: number) => table.locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^\\s*${id}\\s*$`) }) });
    const cells = async (id: number) => (await row(id).getByRole('cell').allTextContents()).map((c) => c.trim());
    // 编号 类型 事项 市民 状态 …
    await expect.poll(async () => (await cells(ids.accepted!)).slice(1, 5), { timeout: 10_000 }).toEqual(['申请已受理', `申请 ${ids.applicationNo}`, `市民 #${await citizenId()}`, '已送达']);
    expect((await cells(ids.completed!)).slice(1, 5)).toEqual(['申请已办结', `申请 ${ids.applicationNo}`, `市民 #${await citizenId()}`, '已送达']);
    const failed = await cells(ids.approved!);
    expect(failed.slice(1, 5)).toEqual(['申请已通过', `申请 ${ids.applicationNo}`, `市民 #${await citizenId()}`, '发送失败（永久）']);
    expect(failed[6]).toBe('WECHAT_43004');
    // Only the failed message offers a retry, and the button says which message it is for.
    expect(await row(ids.accepted!).getByRole('button').count()).toBe(0);

    // Filter with the keyboard: the status select by arrow keys, then Tab to 查询 and Enter.
    await tabToSelector(page, 'select[name=status]', { back: true });
    await arrowSelect(page, '发送失败（永久）');
    await tabTo(page, /^查询$/);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await table.locator('tbody tr').allTextContents()).every((t) => t.includes('发送失败（永久）')), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => row(ids.approved!).count()).toBe(1);
    expect(await row(ids.accepted!).count()).toBe(0);

    // Retry it: Tab to its button, Enter; the page confirms and the server queues it again.
    await tabTo(page, new RegExp(`^重新发送通知 #${ids.approved}$`));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toBe(`通知 #${ids.approved} 已重新加入发送队列`);
    await expect.poll(() => statusOf(ids.approved!), { timeout: 20_000 }).toBe('delivered');
    const [audit] = await testDb()
      .db.select()
      .from(auditEntries)
      .where(and(eq(auditEntries.action, 'notification.retry'), eq(auditEntries.subjectId, String(ids.approved))));
    expect(audit).toMatchObject({ actorType: 'staff', actorId: sup.id });

    // Back to 全部 and search again: every message of the application now shows 已送达.
    await tabToSelector(page, 'select[name=status]', { back: true });
    await arrowSelect(page, '全部', { up: true });
    await tabTo(page, /^查询$/);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await cells(ids.approved!))[4], { timeout: 10_000 }).toBe('已送达');
    expect((await cells(ids.approved!))[9]).not.toBe('—'); // 送达 time shown
    expect(await row(ids.approved!).getByRole('button').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a clerk reads the log but cannot retry; an evaluator is refused the page and the API', async () => {
    const { db } = testDb();
    const clerk = await createStaff(db, { role: 'clerk' });
    const clerkCtx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const p = await clerkCtx.newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    await signInByKeyboard(p, web.base, clerk, '/notifications');
    const table = p.getByRole('table', { name: '通知记录' });
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(await table.getByRole('columnheader', { name: '操作' }).count()).toBe(0);
    expect(await table.getByRole('button').count()).toBe(0);
    // With a valid CSRF token, so the 403 is the role's.
    const me = (await (await p.request.get(`${web.base}/api/admin/me`)).json()) as { data: { csrfToken: string } };
    const retried = await p.request.post(`${web.base}/api/admin/notifications/${ids.approved}/retry`, { headers: { 'x-csrf-token': me.data.csrfToken } });
    expect(retried.status()).toBe(403);
    expect(((await retried.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    await clerkCtx.close();

    const evaluator = await createStaff(db, { role: 'evaluator' });
    const evalCtx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const e = await evalCtx.newPage();
    await typeLogin(e, web.base, evaluator, '/notifications');
    await expect.poll(() => e.getByText('无权访问').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await e.locator('nav[aria-label="主菜单"]').textContent()).not.toContain('通知记录');
    expect((await e.request.get(`${web.base}/api/admin/notifications`)).status()).toBe(403);
    await evalCtx.close();
    expect(errors).toEqual([]);
  });
});
