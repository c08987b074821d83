import { and, eq, gte, isNull, or, sql } from 'drizzle-orm';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationRatings, citizens, menuVersions, notificationReceipts, notifications, ratingFollowUps, usageEvents } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { DEFAULT_MENU } from '../../db/seed/default-menu';
import { DEMO_CITIZENS, seedDemoCitizens } from '../../db/seed/demo-citizens';
import type { LookupsVsTransactionsReport, MenuUsageReport } from '../../server/reports/schema';
import { launchChromium, startWebServer, usageRowsUntil } from '../support/browser';
import { testDb } from '../support/db';
import { clearAppointmentsOf } from '../support/factories';
import { typeLogin } from '../support/admin-keys';
import { createStaff } from '../support/staff-agent';

/**
 * The reports in real Chromium: a citizen uses the account in the sandbox phone (taps a menu item
 * that opens 违法查询, looks a plate up, goes to the service hall and searches for something that
 * does not exist, taps a CLICK item, books an appointment through the menu and gets its card),
 * the rollup job runs its ordinary round at the real time (the
 * visit is still open: it is counted provisionally), and an evaluator signed in to /admin finds
 * exactly that activity in every report. The menu version is published by this
 * file under a label no other file uses, so the version filter isolates this activity from the
 * rest of the worker's database. A clerk is refused.
 */
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
let version: string;
let publishedAt: number;
let citizenId: number;
const errors: string[] = [];
const CITIZEN = DEMO_CITIZENS[1]!;
// Seeded in db/seed/demo-violations.ts: 粤B5N9X3 (02), VIN …987654.
const PLATE = { type: '02', no: '粤B5N9X3', suffix: '987654' };
const startedAt = Math.floor(Date.now() / 1000) * 1000;

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  await runSeeds(db);
  await db.transaction((tx) => seedDemoCitizens(tx));
  const [who] = await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.openid, CITIZEN.openid));
  citizenId = who!.id;
  await clearAppointmentsOf(db, citizenId); // a rerun on this worker's database books again
  // The notifications and 好差评 reports read those tables, not the usage log, so the version
  // filter cannot isolate them: earlier files in this worker leave messages and ratings behind.
  await db.delete(notificationReceipts);
  await db.delete(notifications);
  await db.delete(ratingFollowUps);
  await db.delete(applicationRatings);
  // The same demo citizen's events from an earlier file less than 30 minutes ago would join this
  // file's visit (a visit is per citizen): start the usage log and its rollups empty.
  await db.delete(usageEvents);
  await web.t.deps.reportRollup.rebuild({ force: true });
  // A fresh published version with a label of its own (v<id>, far from the small ids other files reset to).
  await db.delete(menuVersions);
  await db.execute(sql.raw(`ALTER TABLE menu_versions AUTO_INCREMENT = ${7000 + Math.floor(Math.random() * 2000)}`));
  const draft = await web.t.deps.menus.createDraft({ menu: DEFAULT_MENU, createdBy: 'test:reports' });
  version = (await web.t.deps.menus.publish(draft.id, 'test:reports')).version;
  publishedAt = Date.now();
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

const phone = () => page.getByRole('group', { name: `模拟手机：${web.t.config.accountName}` });
const menuBar = () => phone().getByRole('navigation', { name: '公众号菜单' });
const inApp = (): Frame => page.frame({ name: 'wechat-inapp-browser' })!;

describe('evaluator reports', () => {
  // Generous: a whole phone session, a rollup and two report pages on a shared 2-core machine.
  it('count the activity a citizen made in the sandbox phone a moment ago, in every report', { timeout: 120_000 }, async () => {
    // --- the citizen, in the phone emulator
    await page.goto(`${web.base}/sandbox/`);
    await page.getByRole('button', { name: new RegExp(`^${CITIZEN.displayName}`) }).click();
    await expect.poll(() => menuBar().getByRole('button').count(), { timeout: 15_000 }).toBe(3);
    await menuBar().getByRole('button', { name: '查询服务' }).click();
    await phone().getByRole('menu', { name: '查询服务' }).getByRole('menuitem', { name: '违法查询' }).click();
    await expect.poll(() => inApp()?.url() ?? '', { timeout: 15_000 }).toContain(`/h5/violations?menu=violations&mv=${version}`);
    const form = () => inApp().getByRole('form', { name: '输入号牌查询' });
    await expect.poll(() => form().getByLabel('号牌号码').isVisible(), { timeout: 10_000 }).toBe(true);
    await form().getByLabel('号牌种类').selectOption(PLATE.type);
    await form().getByLabel('号牌号码').fill(PLATE.no);
    await form().getByLabel('车架号后6位').fill(PLATE.suffix);
    await form().getByRole('button', { name: '查询' }).click();
    await expect.poll(() => inApp().getByRole('region', { name: /的违法记录$/ }).count(), { timeout: 10_000 }).toBe(1);
    // on to the service hall (same visit, same menu attribution) and a search that finds nothing
    await inApp().goto(`${web.base}/h5/?menu=violations&mv=${version}`);
    await expect.poll(() => inApp().locator('h1').textContent()).toBe('交管服务大厅');
    await inApp().getByPlaceholder('搜索服务，如：违章、记分、预约').fill('无此服务zz');
    await inApp().getByPlaceholder('搜索服务，如：违章、记分、预约').press('Enter');
    await phone().getByRole('region', { name: '公众号网页' }).getByRole('button', { name: '关闭网页' }).click(); // pagehide → beacon
    // a CLICK item: the tap arrives as a WeChat push
    await menuBar().getByRole('button', { name: '互动服务' }).click();
    await phone().getByRole('menu', { name: '互动服务' }).getByRole('menuitem', { name: '办事指南' }).click();
    // book an appointment through 办事服务 › 预约办理 (same visit: it now booked, so it is a transaction)
    await menuBar().getByRole('button', { name: '办事服务' }).click();
    await phone().getByRole('menu', { name: '办事服务' }).getByRole('menuitem', { name: '预约办理' }).click();
    await expect.poll(() => inApp()?.url() ?? '', { timeout: 15_000 }).toContain(`/h5/appointments?menu=appointments&mv=${version}`);
    const step = () => inApp().locator('#book-step-title');
    await expect.poll(() => step().textContent(), { timeout: 10_000 }).toContain('选择业务');
    await inApp().locator('button[data-service="licence_replacement"]').click();
    await expect.poll(() => step().textContent()).toContain('选择办理网点');
    await inApp().getByRole('button', { name: /^示范市车辆管理所/ }).first().click();
    await expect.poll(() => step().textContent()).toContain('选择日期和时段');
    const slots = () => inApp().getByRole('region', { name: /可选时段$/ }).getByRole('button', { name: /余 \d+ 个号$/ });
    await expect.poll(() => slots().count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await slots().first().click();
    await expect.poll(() => step().textContent()).toContain('确认预约信息');
    await inApp().getByRole('button', { name: '确认预约' }).click();
    await expect.poll(() => step().textContent(), { timeout: 10_000 }).toContain('预约成功');
    await phone().getByRole('region', { name: '公众号网页' }).getByRole('button', { name: '关闭网页' }).click();
    // the booking's card reaches the phone; the sandbox's receipt marks it delivered
    const booked = () => testDb().db.select({ status: notifications.status }).from(notifications).where(and(eq(notifications.citizenId, citizenId), gte(notifications.queuedAt, new Date(startedAt))));
    await expect.poll(async () => (await booked()).map((n) => n.status), { timeout: 20_000 }).toEqual(['delivered']);
    await expect.poll(() => phone().getByRole('log', { name: '聊天记录' }).getByRole('article', { name: '模板消息：预约成功通知' }).count(), { timeout: 10_000 }).toBe(1);

    const mine = (kind: string) => and(eq(usageEvents.kind, kind), eq(usageEvents.menuVersion, version), gte(usageEvents.occurredAt, startedAt));
    expect(await usageRowsUntil(web.t, mine('menu_click'), (n) => n >= 1)).toHaveLength(1);
    expect((await usageRowsUntil(web.t, mine('no_result'), (n) => n >= 1)).length).toBeGreaterThanOrEqual(1);
    expect(await usageRowsUntil(web.t, and(eq(usageEvents.kind, 'task_complete'), eq(usageEvents.name, 'appointment.book'), eq(usageEvents.source, 'h5'), gte(usageEvents.occurredAt, startedAt)), (n) => n >= 1)).toHaveLength(1);

    // --- the rollup job's own round, at the real time: the visit is still open (30 minutes idle
    // ends one), so it is counted in the provisional tail
    await web.t.deps.reportJobs.tick();
    const state = await web.t.deps.reportRollup.state();
    expect(state!.provisionalUntil).toBeGreaterThan(startedAt);

    // --- the evaluator
    const evaluator = await createStaff(testDb().db, { role: 'evaluator' });
    await typeLogin(page, web.base, evaluator, `/reports/menu-usage?mv=${version}`);
    await expect.poll(() => page.locator('#menu-usage-title').textContent(), { timeout: 15_000 }).toBe('菜单使用');
    await expect.poll(() => new URL(page.url()).searchParams.get('mv')).toBe(version);
    const table = page.getByRole('table', { name: '菜单使用明细' });
    const cells = (key: string) => table.locator(`tr[data-key="${key}"] td`).allTextContents();
    // 键, 点击次数, 市民人数, 占全部点击, 趋势 — one tap each by one citizen: a third of this version's taps
    await expect.poll(() => cells('violations'), { timeout: 10_000 }).toEqual(['violations', '1', '1', '33.3%', '']);
    expect(await cells('guide')).toEqual(['guide', '1', '1', '33.3%', '']);
    expect(await cells('appointments')).toEqual(['appointments', '1', '1', '33.3%', '']);
    expect((await cells('points')).slice(1, 4)).toEqual(['0', '0', '0.0%']);
    await expect.poll(() => table.locator('tr[data-key="points"]').getAttribute('data-unused')).toBe('true');
    expect(await page.getByTestId('menu-total-taps').textContent()).toBe('3');
    // the chart is drawn (SVG) and named for screen readers
    const chart = page.getByRole('img', { name: /^菜单项点击次数与市民人数条形图/ });
    await expect.poll(() => chart.locator('svg').count()).toBe(1);
    expect(await chart.getAttribute('aria-label')).toContain('共 3 次点击');
    // the CSV link carries the same filter
    const csv = await page.getByRole('link', { name: '下载 CSV' }).getAttribute('href');
    expect(csv).toMatch(new RegExp(`^/api/admin/reports/menu-usage\\.csv\\?from=\\d{4}-\\d{2}-\\d{2}&to=\\d{4}-\\d{2}-\\d{2}&menuVersion=${version}$`));
    const api = (await (await page.request.get(`${web.base}/api/admin/reports/menu-usage?menuVersion=${version}`)).json()) as { data: MenuUsageReport };
    expect(api.data.totalTaps).toBe(3);

    // 查询与办事 with the same filter, by the tab (the filter travels in the URL)
    await page.getByRole('navigation', { name: '报表' }).getByRole('link', { name: '查询与办事' }).click();
    await expect.poll(() => page.locator('#lookups-title').textContent(), { timeout: 10_000 }).toBe('查询与办事');
    expect(new URL(page.url()).searchParams.get('mv')).toBe(version);
    const lookups = (await (await page.request.get(`${web.base}/api/admin/reports/lookups-vs-transactions?menuVersion=${version}`)).json()) as { data: LookupsVsTransactionsReport };
    // one visit: it looked a plate up and then booked, so it is a transaction, not a lookup-only visit
    expect(lookups.data.totals).toMatchObject({ visits: 1, lookup: 0, transaction: 1 });
    const totals = page.getByTestId('lookups-totals');
    await expect.poll(() => totals.textContent()).toContain('只查询0（');
    await expect.poll(() => page.getByTestId('lookups-headline').textContent()).toContain('0.0% 的来访只是查询，100.0% 的来访办成了事');
    await expect.poll(() => page.getByRole('img', { name: /^按天的堆叠面积图/ }).locator('svg').count()).toBe(1);

    // every other report shows exactly this use (the version filter travels with each tab)
    const region = (name: string) => page.getByLabel(name, { exact: true }).first();
    const shows = async (name: string, text: string) => expect.poll(() => region(name).innerText(), { timeout: 10_000 }).toContain(text);
    const checks: Record<string, () => Promise<void>> = {
      服务使用: async () => {
        await shows('服务使用明细', '违法查询\t查询\t1\t1\t0\t100.0%');
        await shows('服务使用明细', '\t预约\t1\t1\t0\t100.0%');
      },
      办事漏斗: async () => {
        // the one visit went through every step, sign-in included
        await shows('预约办事漏斗明细', '1. 选择业务\t1\t100.0%\t—\t—\n2. 微信授权\t1\t100.0%\t0\t0.0%\n3. 选择网点\t1\t100.0%\t0\t0.0%');
        await shows('预约办事漏斗明细', '6. 提交预约\t1\t100.0%\t0\t0.0%\n7. 预约成功\t1\t100.0%\t0\t0.0%');
      },
      路径与寻路: async () => {
        await shows('最常见的路径', '菜单：查询服务 › 违法查询 → 违法查询\t1\t100.0%');
        await shows('按入口的步数', '菜单\t1\t1\t2');
      },
      失败与无结果: () => shows('无结果的查询和搜索', '服务大厅\t无此服务zz\t1'),
      用户构成: async () => {
        // Follows and unfollows are whatever the phone pushed in this file (handing the phone to a
        // citizen the simulator had as unfollowed makes them follow), counted from the raw log. A
        // push carries no menu version; the rollup gives it the version published at its time:
        // this file's, for every push after it was published.
        const pushed = async (kind: string) =>
          (await testDb().db.select().from(usageEvents).where(and(eq(usageEvents.kind, kind), gte(usageEvents.occurredAt, publishedAt), or(isNull(usageEvents.menuVersion), eq(usageEvents.menuVersion, version))))).length;
        const [follows, unfollows] = [await pushed('follow'), await pushed('unfollow')];
        await shows('用户概况', `市民\n1\n新市民\n1\n回访市民\n0\n来访\n1\n关注\n${follows}\n取消关注\n${unfollows}`);
      },
      // the booking's card (the worker sends it; the sandbox's receipt marks it delivered), not opened from the message
      消息通知: () => shows('通知概况', '模板消息\n1\n送达率\n100.0%\n失败\n0\n从消息打开\n0'),
      好差评: () => shows('好差评明细', '所选时段没有评价'),
      菜单版本对比: async () => {
        await shows('指标对比', '来访次数\t0\t1\t+1');
        await shows('指标对比', '市民人数\t0\t1\t+1');
        await shows('指标对比', '菜单点击次数\t0\t3\t+3');
      },
    };
    for (const [tab, title] of [['菜单使用', '菜单使用'], ['服务使用', '服务使用'], ['办事漏斗', '办事漏斗'], ['路径与寻路', '路径与寻路'], ['失败与无结果', '失败与无结果'], ['用户构成', '用户构成'], ['消息通知', '消息通知'], ['好差评', '好差评'], ['菜单版本对比', '菜单版本对比']] as const) {
      await page.getByRole('navigation', { name: '报表' }).getByRole('link', { name: tab }).click();
      await expect.poll(() => page.getByRole('heading', { level: 2, name: title }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.getByTestId('report-data-note').textContent(), { timeout: 10_000 }).toContain('为暂计数');
      expect(await page.getByRole('alert').count(), tab).toBe(0);
      await checks[tab]?.();
    }
    await page.getByRole('link', { name: '打印摘要报告' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: '公众号使用评估报告' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('heading', { level: 2 }).count(), { timeout: 15_000 }).toBe(9);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a clerk is refused, in the page and by the API', async () => {
    const clerk = await createStaff(testDb().db, { role: 'clerk' });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const p = await ctx.newPage();
    await typeLogin(p, web.base, clerk, '/reports/menu-usage');
    await expect.poll(() => p.url(), { timeout: 15_000 }).toContain('/admin/forbidden');
    await expect.poll(() => p.getByText('无权访问', { exact: true }).count()).toBeGreaterThan(0);
    expect(await p.getByRole('navigation', { name: '主菜单' }).getByText('评估报表').count()).toBe(0);
    const res = await p.request.get(`${web.base}/api/admin/reports/menu-usage`);
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    await ctx.close();
  });
});
