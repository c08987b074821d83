import { and, eq, gte, inArray, like } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationRatings, applications, citizens, notifications, ratingFollowUps, usageEvents } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { DEMO_CITIZENS, seedDemoCitizens } from '../../db/seed/demo-citizens';
import { holdPhoneAs, launchChromium, startWebServer, usageRowsUntil } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { createStaff, type TestStaff } from '../support/staff-agent';

/**
 * 在线申请 → 办件队列 → 我的办件 in real Chromium against the real app (sandbox mode, real web
 * build, the notification worker running): a citizen in the sandbox phone applies for 检验标志
 * with an uploaded file; a clerk signs in to /admin, accepts it, asks for more information; the
 * citizen corrects and resubmits; the clerk approves and completes; the citizen sees the timeline,
 * rates both stages (one badly), the clerk answers the follow-up, the citizen reads the answer;
 * the sandbox phone shows the template messages as cards.
 */
const CITIZEN = DEMO_CITIZENS[2]!; // 王芳: other browser files use 张伟 and 李娜
const TYPE_NAME = '申领机动车检验标志（免检）';
// A real 1×1 PNG: the server checks the bytes, not the name.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let citizenCtx: BrowserContext;
let staffCtx: BrowserContext;
let h5: Page;
let admin: Page;
let clerk: TestStaff;
let citizenId: number;
const startedAt = new Date(Date.now() - 1000);
const menuKey = uniq('m_');
const errors: string[] = [];
const state: { no?: string; id?: number } = {};

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  await runSeeds(db);
  await db.transaction((tx) => seedDemoCitizens(tx));
  const [who] = await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.openid, CITIZEN.openid));
  citizenId = who!.id;
  clerk = await createStaff(db, { role: 'clerk', displayName: '窗口小李' });
  // What main.ts does after listen: the outbox worker sends to this process's own /sandbox.
  web.t.deps.notificationParts.worker.start();
  browser = await launchChromium();
  citizenCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  staffCtx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  h5 = await citizenCtx.newPage();
  admin = await staffCtx.newPage();
  for (const p of [h5, admin]) p.on('pageerror', (e) => errors.push(e.message));
  await holdPhoneAs(h5, web.base, CITIZEN);
}, 180_000);

afterAll(async () => {
  await web?.t.deps.notificationParts.worker.stop();
  await browser?.close();
  await web?.close();
});

const h5Heading = () => h5.locator('#apply-step-title');
const myApplication = async () => {
  const { db } = testDb();
  const [row] = await db.select().from(applications).where(eq(applications.applicationNo, state.no!));
  return row!;
};
const adminStatus = async () => (await admin.getByTestId('application-status').textContent())?.trim();

async function openAdminDetail(): Promise<void> {
  await admin.goto(`${web.base}/admin/applications/${state.id}`);
  await expect.poll(() => admin.getByTestId('application-no').textContent(), { timeout: 15_000 }).toBe(state.no);
}

/** Clicks a transition button, fills the reason when given, confirms; waits for the new state. */
async function transition(button: string | RegExp, after: string, reason?: string): Promise<void> {
  await admin.getByRole('group', { name: '可进行的操作' }).getByRole('button', { name: button, exact: typeof button === 'string' }).click();
  const dialog = admin.getByRole('dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  // The reason box has focus, so a keyboard user types straight away.
  await expect.poll(() => admin.evaluate(() => document.activeElement?.id)).toBe('transition-note');
  if (reason !== undefined) await admin.keyboard.type(reason);
  await dialog.getByRole('button', { name: /^确认/ }).click();
  await expect.poll(adminStatus, { timeout: 10_000 }).toBe(after);
}

describe('applications end to end in Chromium', () => {
  it('the citizen enters 在线申请 through the sandbox OAuth and picks a type showing materials and promised time', async () => {
    const signedIn = h5.waitForResponse((r) => new URL(r.url()).pathname === '/oauth/callback', { timeout: 15_000 });
    await h5.goto(`${web.base}/h5/applications/new?menu=${menuKey}&mv=v1`);
    await signedIn;
    await h5.waitForURL((u) => u.pathname === '/h5/applications/new');
    await expect.poll(() => h5Heading().textContent(), { timeout: 10_000 }).toContain('选择申请事项');
    const choice = h5.getByRole('button', { name: new RegExp(`^${TYPE_NAME}`) });
    await expect.poll(() => choice.textContent(), { timeout: 10_000 }).toContain('承诺 2 个工作日内办结');
    await choice.click();
    await expect.poll(() => h5Heading().textContent()).toContain('填写申请表');
    expect(await h5.getByRole('listitem').filter({ hasText: '机动车交通事故责任强制保险凭证' }).count()).toBe(1);
  });

  it('says what to fix before sending anything, and refuses a wrong file type before upload', async () => {
    await h5.getByRole('button', { name: '下一步：核对信息' }).click();
    await expect.poll(() => h5.getByRole('alert').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^有 \d+ 项需要修改/)]));
    // Focus lands on the first field with a problem, which is described by its message.
    await expect.poll(() => h5.evaluate(() => document.activeElement?.id)).toBe('apply-name');
    expect(await h5.locator('#apply-name').getAttribute('aria-invalid')).toBe('true');
    expect(await h5.locator(`#${await h5.locator('#apply-name').getAttribute('aria-describedby')}`).textContent()).toBe('请填写姓名');

    await h5.getByLabel('身份证号码').fill('110105194912310021');
    await h5.getByLabel('号牌号码').fill('粤B1234');
    await h5.getByRole('button', { name: '下一步：核对信息' }).click();
    await expect.poll(() => h5.locator('#apply-id_number-error').textContent()).toBe('身份证号码校验位不正确，请核对');
    await expect.poll(() => h5.locator('#apply-plate-error').textContent()).toContain('号牌号码应为7位');

    let uploads = 0;
    h5.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/h5/attachments') uploads++;
    });
    await h5.locator('#apply-insurance').setInputFiles({ name: '保单.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
    await expect.poll(() => h5.locator('#apply-insurance-error').textContent()).toBe('“保单.gif”的格式不支持，交强险保单请上传 JPG、PNG、PDF 文件');
    expect(uploads).toBe(0);
  });

  it('fills every control, uploads a file with progress, reviews and submits; the success page shows the reference number', async () => {
    await h5.getByLabel('姓名').fill('王芳');
    await h5.getByLabel('身份证号码').fill('11010519491231002x');
    await h5.getByLabel('手机号码').fill('13800138000');
    await h5.getByLabel('号牌种类').selectOption('02');
    await h5.getByLabel('号牌号码').fill('粤b12345');
    await h5.getByLabel('注册登记日期').fill('2020-05-01');
    await h5.getByLabel('行驶里程（公里）').fill('52000');
    await h5.locator('#apply-insurance').setInputFiles({ name: '交强险保单.png', mimeType: 'image/png', buffer: PNG });
    const files = h5.getByRole('list', { name: '交强险保单已选文件' });
    await expect.poll(() => files.textContent(), { timeout: 10_000 }).toContain('已上传');

    await h5.getByRole('button', { name: '下一步：核对信息' }).click();
    await expect.poll(() => h5Heading().textContent()).toContain('核对申请信息');
    const review = await h5.locator('.van-cell-group').textContent();
    expect(review).toContain('110105********002X'); // masked on screen
    expect(review).toContain('粤B12345');
    expect(review).toContain('交强险保单.png');

    // the phone's Back goes back one step with the answers kept, and Forward returns
    await h5.evaluate(() => window.history.back());
    await expect.poll(() => h5Heading().textContent()).toContain('填写申请表');
    expect(await h5.getByLabel('姓名').inputValue()).toBe('王芳');
    await h5.evaluate(() => window.history.forward());
    await expect.poll(() => h5Heading().textContent()).toContain('核对申请信息');

    await h5.getByRole('button', { name: '确认提交' }).click();
    await expect.poll(() => h5Heading().textContent(), { timeout: 10_000 }).toContain('提交成功');
    state.no = (await h5.getByTestId('application-no').textContent())?.trim();
    // Back from the result never offers the same application again: it starts a new one
    await h5.evaluate(() => window.history.back());
    await expect.poll(() => h5Heading().textContent()).toContain('选择申请事项');
    await h5.evaluate(() => window.history.forward());
    expect(state.no).toMatch(/^\S{8,}$/);
    const row = await myApplication();
    state.id = row.id;
    expect(row).toMatchObject({ citizenId, status: 'submitted' });
    expect(row.answers).toMatchObject({ name: '王芳', id_number: '11010519491231002X', plate: '粤B12345', plate_type: '02', mileage_km: 52000 });
    expect((row.answers as { insurance: number[] }).insurance).toHaveLength(1);
  });

  it('a clerk signs in and lands on the dashboard, finds it in the queue, opens the uploaded file, accepts it and asks for more information', async () => {
    await admin.goto(`${web.base}/admin/`);
    await expect.poll(() => admin.url()).toContain('/admin/login');
    await admin.locator('#login-username').fill(clerk.username);
    await admin.locator('#login-password').fill(clerk.password);
    await admin.keyboard.press('Enter');
    await expect.poll(() => admin.locator('#dash-title').textContent(), { timeout: 15_000 }).toBe('工作台');
    await expect.poll(() => admin.getByTestId('dash-submitted').textContent()).toMatch(/待受理\s*[1-9]/);

    await admin.getByRole('navigation', { name: '主菜单' }).getByText('办件队列').click();
    await expect.poll(() => admin.locator('#queue-title').textContent()).toBe('办件队列');
    await admin.getByLabel('状态').selectOption('submitted');
    await admin.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => admin.url()).toContain('status=submitted');
    const link = admin.getByRole('link', { name: state.no! });
    await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(1);
    await link.click();
    await expect.poll(() => admin.getByTestId('application-no').textContent(), { timeout: 10_000 }).toBe(state.no);
    expect(await adminStatus()).toBe('已提交');
    expect(await admin.getByText('11010519491231002X').count()).toBe(1); // staff see it in full

    const file = admin.getByRole('link', { name: /交强险保单\.png/ });
    const href = (await file.getAttribute('href'))!;
    expect(href).toMatch(/^\/api\/admin\/attachments\/\d+$/);
    const res = await admin.request.get(`${web.base}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('image/png');
    expect(Buffer.from(await res.body()).equals(PNG)).toBe(true);

    await transition('受理', '已受理');
    await transition('开始办理', '办理中');
    // 要求补正 needs a reason: confirming without one is refused in the dialog.
    await admin.getByRole('group', { name: '可进行的操作' }).getByRole('button', { name: /要求补正/ }).click();
    await admin.getByRole('dialog').getByRole('button', { name: '确认要求补正' }).click();
    await expect.poll(() => admin.locator('#transition-error').textContent()).toContain('补正什么');
    await admin.getByRole('dialog').getByRole('button', { name: '取消' }).click();
    await transition(/要求补正/, '待补正', '保单照片看不清，请重新拍摄上传');
    expect((await myApplication()).status).toBe('needs_info');
  });

  it('the citizen sees 待补正 with the reason in 我的办件, corrects the form and resubmits', async () => {
    await h5.goto(`${web.base}/h5/applications`);
    const item = h5.getByRole('link', { name: new RegExp(state.no!) });
    await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain('需要您补正材料');
    await item.click();
    await expect.poll(() => h5.getByTestId('application-reason').textContent(), { timeout: 10_000 }).toContain('保单照片看不清');

    await h5.getByRole('button', { name: '修改并重新提交' }).click();
    await expect.poll(() => h5.getByLabel('号牌号码').inputValue()).toBe('粤B12345'); // prefilled
    await h5.getByLabel('手机号码').fill('13900139000');
    await h5.getByLabel('给工作人员的说明（选填）').fill('已更新联系电话');
    await h5.getByRole('button', { name: '重新提交' }).click();
    await expect.poll(() => h5.getByRole('status').allTextContents(), { timeout: 10_000 }).toEqual(
      expect.arrayContaining(['已重新提交，工作人员会继续办理。']),
    );
    expect((await h5.getByTestId('application-status').textContent())?.trim()).toBe('办理中');
    const row = await myApplication();
    expect(row.status).toBe('in_review');
    expect(row.answers).toMatchObject({ phone: '13900139000' });
  });

  it('the clerk approves and completes it', async () => {
    await openAdminDetail();
    expect(await adminStatus()).toBe('办理中');
    expect(await admin.getByTestId('admin-timeline').textContent()).toContain('已更新联系电话');
    // Keyboard only: the action button, the reason box (focused), Tab past 取消 to the confirm button.
    await admin.getByRole('group', { name: '可进行的操作' }).getByRole('button', { name: '审核通过', exact: true }).focus();
    await admin.keyboard.press('Enter');
    await expect.poll(() => admin.evaluate(() => document.activeElement?.id)).toBe('transition-note');
    await admin.keyboard.type('材料齐全');
    await admin.keyboard.press('Tab');
    await admin.keyboard.press('Tab');
    expect(await admin.evaluate(() => document.activeElement?.textContent?.trim())).toBe('确认审核通过');
    await admin.keyboard.press('Enter');
    await expect.poll(adminStatus, { timeout: 10_000 }).toBe('审核通过');
    await transition('办结', '已办结');
    expect(await admin.getByRole('group', { name: '可进行的操作' }).count()).toBe(0);
    expect((await myApplication()).status).toBe('completed');
  });

  it('the citizen sees the whole timeline and rates both stages once; a bad rating opens a follow-up', async () => {
    await h5.reload();
    await expect.poll(async () => (await h5.getByTestId('application-status').textContent())?.trim(), { timeout: 10_000 }).toBe('已办结');
    const timeline = h5.getByTestId('application-timeline').getByRole('listitem');
    // newest first: 已办结 … 已提交, the 补正 reason and the citizen's note in between
    const labels = (await timeline.locator('.timeline__label').allTextContents()).map((t) => t.replace('（当前）', ''));
    expect(labels).toEqual(['已办结', '审核通过', '办理中', '待补正', '办理中', '已受理', '已提交']);
    expect(await h5.getByTestId('application-timeline').textContent()).toContain('保单照片看不清，请重新拍摄上传');

    const accepted = h5.getByRole('form', { name: '请评价受理环节的服务' });
    const completed = h5.getByRole('form', { name: '请评价办结环节的服务' });
    await expect.poll(() => completed.count()).toBe(1);
    expect(await accepted.getByRole('radio').allTextContents()).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
    await accepted.getByRole('radio', { name: '非常满意', exact: true }).click();
    await accepted.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => h5.getByTestId('rating-accepted').textContent(), { timeout: 10_000 }).toContain('受理环节：非常满意');
    expect(await accepted.count()).toBe(0); // once per stage

    await completed.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => completed.getByText('请先选择一个评价等级').count()).toBe(1);
    await completed.getByRole('radio', { name: '不满意', exact: true }).click();
    await completed.getByLabel(/请告诉我们哪里做得不好/).fill('补正说明不够具体');
    await completed.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => h5.getByTestId('rating-completed').textContent(), { timeout: 10_000 }).toContain('工作人员正在核实');

    const { db } = testDb();
    const ratings = await db.select().from(applicationRatings).where(eq(applicationRatings.applicationId, state.id!));
    expect(ratings.map((r) => [r.stage, r.score]).sort()).toEqual([
      ['accepted', 5],
      ['completed', 2],
    ]);
    const [fu] = await db.select().from(ratingFollowUps).where(eq(ratingFollowUps.applicationId, state.id!));
    expect(fu).toMatchObject({ status: 'open' });
  });

  it('the clerk answers the follow-up and the citizen reads the answer', async () => {
    await admin.goto(`${web.base}/admin/follow-ups`);
    const row = admin.getByRole('row').filter({ hasText: state.no! });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.getByRole('button', { name: '答复并办结' }).click();
    const dialog = admin.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: '答复并办结' }).click();
    await expect.poll(() => admin.locator('#fu-response-error').textContent()).toContain('请写明');
    await admin.getByLabel('核实情况与整改措施（必填，申请人会看到）').fill('已核实，补正说明今后写明具体要求');
    await dialog.getByRole('button', { name: '答复并办结' }).click();
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0); // left the open list

    await h5.reload();
    await expect.poll(() => h5.getByTestId('rating-completed').textContent(), { timeout: 10_000 }).toContain('工作人员答复：已核实，补正说明今后写明具体要求');
  });

  it('each step reached the citizen: the sandbox phone shows the template cards', async () => {
    const { db } = testDb();
    const sentKinds = async () =>
      (
        await db
          .select({ kind: notifications.kind, status: notifications.status })
          .from(notifications)
          .where(and(eq(notifications.citizenId, citizenId), like(notifications.kind, 'application.%'), gte(notifications.queuedAt, startedAt), inArray(notifications.status, ['sent', 'delivered'])))
      ).map((r) => r.kind);
    await expect
      .poll(sentKinds, { timeout: 20_000 })
      .toEqual(expect.arrayContaining(['application.accepted', 'application.needs_info', 'application.approved', 'application.completed']));

    const phonePage = await citizenCtx.newPage();
    phonePage.on('pageerror', (e) => errors.push(e.message));
    await phonePage.setViewportSize({ width: 1320, height: 900 });
    await phonePage.goto(`${web.base}/sandbox/`);
    await phonePage.getByRole('button', { name: new RegExp(`^${CITIZEN.displayName}`) }).click();
    const chat = phonePage.getByRole('log', { name: '聊天记录' });
    const cards = chat.getByRole('article', { name: '模板消息：业务办理进度通知' });
    await expect.poll(() => cards.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    const text = (await cards.allTextContents()).join('\n');
    expect(text).toContain(state.no!);
    for (const word of ['已受理', '需补充材料', '审核通过', '已办结']) expect(text).toContain(word);
    await phonePage.close();
  });

  it('a second application (choices as radios) is withdrawn after a confirm dialog; cancelling the dialog keeps it', async () => {
    await h5.goto(`${web.base}/h5/applications/new?type=contact_change`);
    await expect.poll(() => h5Heading().textContent(), { timeout: 10_000 }).toContain('填写申请表'); // ?type= skips the choice
    await h5.getByLabel('姓名').fill('王芳');
    await h5.getByLabel('身份证号码').fill('11010519491231002X');
    const doc = h5.getByRole('radiogroup', { name: '变更的证件' });
    expect(await doc.getByRole('radio').allTextContents()).toEqual(['机动车驾驶证', '机动车行驶证', '驾驶证和行驶证']);
    await doc.getByRole('radio', { name: '机动车驾驶证', exact: true }).click();
    await h5.getByLabel('新手机号码').fill('13700137000');
    await h5.getByLabel('新通信地址').fill('示范市福田区深南大道 1 号');
    await h5.getByRole('button', { name: '下一步：核对信息' }).click();
    await h5.getByRole('button', { name: '确认提交' }).click();
    await expect.poll(() => h5Heading().textContent(), { timeout: 10_000 }).toContain('提交成功');
    const no = (await h5.getByTestId('application-no').textContent())!.trim();
    const { db } = testDb();
    const [row] = await db.select().from(applications).where(eq(applications.applicationNo, no));
    expect(row!.answers).toMatchObject({ document: 'licence', new_phone: '13700137000' });

    await h5.getByRole('link', { name: '查看办理进度' }).click();
    const dialog = h5.getByRole('dialog');
    await h5.getByRole('button', { name: '撤回申请' }).click();
    await expect.poll(() => dialog.textContent()).toContain(`确定撤回“驾驶证/行驶证联系方式变更”申请（${no}）吗？`);
    await dialog.getByRole('button', { name: '不撤回' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect((await db.select().from(applications).where(eq(applications.applicationNo, no)))[0]!.status).toBe('submitted');

    await h5.getByRole('button', { name: '撤回申请' }).click();
    await dialog.getByRole('button', { name: '确定撤回' }).click();
    await expect.poll(() => h5.getByRole('status').allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining(['申请已撤回。']));
    expect(await h5.getByRole('button', { name: '撤回申请' }).count()).toBe(0);
    expect((await db.select().from(applications).where(eq(applications.applicationNo, no)))[0]!.status).toBe('withdrawn');
  });

  it('reported the tasks to usage, and no page had an error', async () => {
    await h5.goto(`${web.base}/h5/`); // pagehide flushes the tracker
    const rows = await usageRowsUntil(web.t, eq(usageEvents.menuKey, menuKey), (n) => n >= 4);
    const kinds = rows.filter((r) => r.source === 'h5').map((r) => `${r.kind}:${r.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'page_view:h5.application_new',
        'task_start:application.submit',
        'validation_error:application.submit',
        'task_complete:application.submit',
        'task_complete:application.upload',
      ]),
    );
    expect(errors).toEqual([]);
  });
});
