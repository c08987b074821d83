import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationTypes, citizens, type FormFieldDef } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { holdPhoneAs, launchChromium, startWebServer } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { fakeOpenid } from '../support/factories';
import { createStaff, type TestStaff } from '../support/staff-agent';

/**
 * Issue 5's "done when" in one run, real Chromium against the real app (sandbox mode, real web
 * build, the outbox worker running in the test server): a citizen applies in 在线申请 with a real
 * PNG; a supervisor in /admin/ takes the application through 受理 → 开始办理 → 要求补正; the
 * citizen taps the card in the sandbox phone and answers by resubmitting in the phone's browser;
 * the supervisor approves and completes. After every step the phone shows the template card
 * (where the step has one) and 我的办件 shows the step in the list and the detail's timeline;
 * finally 通知记录 shows every message of the application 已送达.
 *
 * Its own citizen, application type and attachment directory, so other files in this worker's
 * database change nothing here. The server runs with a 2 MiB upload limit, which the page must
 * take from the server (not its built-in 5 MB).
 */
const SUFFIX = uniq('').slice(0, 6);
const CITIZEN = { openid: fakeOpenid(), displayName: `测试市民${SUFFIX}` };
const TYPE_NAME = `补领机动车登记证书${SUFFIX}`;
const FIELDS: FormFieldDef[] = [
  { key: 'name', label: '姓名', kind: 'text', required: true, maxLength: 30 },
  { key: 'id_number', label: '身份证号码', kind: 'id_number', required: true },
  { key: 'phone', label: '手机号码', kind: 'phone', required: true },
  { key: 'plate', label: '号牌号码', kind: 'plate', required: true },
  { key: 'cause', label: '补领原因', kind: 'selection', required: true, options: [{ value: 'lost', label: '遗失' }, { value: 'damaged', label: '损毁' }] },
  { key: 'proof', label: '遗失声明照片', kind: 'file', required: true, maxFiles: 1 },
];
const LIMIT_BYTES = 2 * 1024 * 1024;
// Two real 4×4 PNGs (the server checks the bytes): the first upload and the 补正 replacement.
const PNG_BLUE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGOQizoBRwzEcQD9oxQB2jyOrgAAAABJRU5ErkJggg==', 'base64');
const PNG_GREEN = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGPQWGADRwzEcQClgxBB9jNIvQAAAABJRU5ErkJggg==', 'base64');
const REASON = '遗失声明照片看不清，请重新拍摄上传';
const CARD_TITLE = '业务办理进度通知';

const attachmentsDir = mkdtempSync(join(tmpdir(), 'govportal-e2e-lifecycle-'));
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let citizenCtx: BrowserContext;
let staffCtx: BrowserContext;
let h5: Page;
let phonePage: Page;
let admin: Page;
let staff: TestStaff;
let typeCode: string;
const errors: string[] = [];

beforeAll(async () => {
  web = await startWebServer({ ATTACHMENTS_DIR: attachmentsDir, ATTACHMENT_MAX_BYTES: String(LIMIT_BYTES) });
  const { db } = testDb();
  await runSeeds(db);
  typeCode = uniq('e2e').slice(0, 32);
  await db.insert(applicationTypes).values({
    code: typeCode,
    name: TYPE_NAME,
    description: '机动车登记证书遗失或损毁后补领',
    formSchema: FIELDS,
    materials: ['居民身份证', '遗失声明'],
    timeLimitDays: 3,
    handlingRole: 'supervisor',
    sortOrder: 99,
  });
  staff = await createStaff(db, { role: 'supervisor', displayName: '值班科长' });
  // A new citizen who follows the account in the simulator (the subscribe push creates their row).
  const made = await fetch(`${web.base}/sandbox/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ openid: CITIZEN.openid, nickname: CITIZEN.displayName, follow: true }),
  });
  expect(made.status).toBe(201);
  for (let i = 0; (await db.select().from(citizens).where(eq(citizens.openid, CITIZEN.openid))).length === 0; i++) {
    if (i > 100) throw new Error('the subscribe push did not create the citizen');
    await new Promise((r) => setTimeout(r, 100));
  }
  // What main.ts does after listen: the outbox worker sends to this process's own /sandbox.
  web.t.deps.notificationParts.worker.start();

  browser = await launchChromium();
  citizenCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  staffCtx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  h5 = await citizenCtx.newPage();
  phonePage = await citizenCtx.newPage();
  await phonePage.setViewportSize({ width: 1320, height: 900 });
  admin = await staffCtx.newPage();
  for (const p of [h5, phonePage, admin]) p.on('pageerror', (e) => errors.push(e.message));
  await holdPhoneAs(h5, web.base, CITIZEN);
}, 180_000);

afterAll(async () => {
  await web?.t.deps.notificationParts.worker.stop();
  await browser?.close();
  await web?.close();
  if (typeCode) await testDb().db.update(applicationTypes).set({ active: false }).where(eq(applicationTypes.code, typeCode));
  rmSync(attachmentsDir, { recursive: true, force: true });
});

// --- the citizen's phone (sandbox) and H5 pages -----------------------------------------------------

const phone = () => phonePage.getByRole('group', { name: `模拟手机：${web.t.config.accountName}` });
const inAppPane = () => phone().getByRole('region', { name: '公众号网页' });
const inApp = (): Frame => phonePage.frame({ name: 'wechat-inapp-browser' })!;
const inAppPath = () => {
  const url = phonePage.frame({ name: 'wechat-inapp-browser' })?.url();
  return url?.startsWith('http') ? new URL(url).pathname : '';
};
/** This application's template cards in the chat, oldest first. */
const cards = (no: string) => phone().getByRole('log', { name: '聊天记录' }).getByRole('article', { name: `模板消息：${CARD_TITLE}` }).filter({ hasText: no });

/** The phone shows `count` cards for the application, the newest saying `word`. */
async function expectCard(no: string, count: number, word: string): Promise<void> {
  await phonePage.bringToFront(); // the phone polls its chat only while visible
  await expect.poll(() => cards(no).count(), { timeout: 20_000 }).toBe(count);
  const text = (await cards(no).last().textContent()) ?? '';
  expect(text).toContain(word);
  expect(text).toContain(TYPE_NAME);
}

/** 我的办件: the list shows the state; the detail's timeline starts with it (newest first). */
async function expectMine(no: string, label: string, note?: string): Promise<void> {
  await h5.bringToFront();
  await h5.goto(`${web.base}/h5/applications`);
  const item = h5.getByRole('list', { name: '办件列表' }).getByRole('link', { name: new RegExp(no) });
  await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain(label);
  await item.click();
  const timeline = h5.getByTestId('application-timeline');
  await expect.poll(async () => (await timeline.locator('.timeline__label').first().textContent())?.replace('（当前）', ''), { timeout: 10_000 }).toBe(label);
  if (note) expect(await timeline.getByRole('listitem').first().textContent()).toContain(note);
}

// --- the admin view -----------------------------------------------------------------------------

const adminStatus = async () => (await admin.getByTestId('application-status').textContent())?.trim();

/** A transition button, the dialog (reason typed into the focused box when given), confirm; waits for the new state. */
async function transition(button: string, after: string, reason?: string): Promise<void> {
  await admin.bringToFront();
  // A move that needs a reason says so with an ellipsis (要求补正…).
  await admin.getByRole('group', { name: '可进行的操作' }).getByRole('button', { name: new RegExp(`^${button}…?$`) }).click();
  const dialog = admin.getByRole('dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await expect.poll(() => admin.evaluate(() => document.activeElement?.id)).toBe('transition-note');
  if (reason !== undefined) await admin.keyboard.type(reason);
  await dialog.getByRole('button', { name: `确认${button}` }).click();
  await expect.poll(adminStatus, { timeout: 10_000 }).toBe(after);
}

describe('an application from submission to completion', () => {
  it('goes through the admin view; the citizen sees each step as a card in the phone and in 我的办件; the log shows every message delivered', async () => {
    // 1. 在线申请 through the sandbox OAuth: choose the type, fill the generated form, upload, submit.
    const signedIn = h5.waitForResponse((r) => new URL(r.url()).pathname === '/oauth/callback', { timeout: 15_000 });
    await h5.goto(`${web.base}/h5/applications/new`);
    await signedIn;
    await h5.waitForURL((u) => u.pathname === '/h5/applications/new');
    const heading = h5.locator('#apply-step-title');
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toContain('选择申请事项');
    const choice = h5.getByRole('button', { name: new RegExp(`^${TYPE_NAME}`) });
    await expect.poll(() => choice.textContent(), { timeout: 10_000 }).toContain('承诺 3 个工作日内办结');
    await choice.click();
    await expect.poll(() => heading.textContent()).toContain('填写申请表');

    await h5.getByLabel('姓名').fill('测试市民');
    await h5.getByLabel('身份证号码').fill('11010519491231002X');
    await h5.getByLabel('手机号码').fill('13800138000');
    await h5.getByLabel('号牌号码').fill('粤B12345');
    await h5.getByRole('radiogroup', { name: '补领原因' }).getByRole('radio', { name: '遗失', exact: true }).click();
    // The limit is the server's (2 MB here), named on the page and checked before any byte is sent.
    expect(await h5.locator('#apply-proof-hint').textContent()).toContain('每个不超过 2 MB');
    let uploads = 0;
    h5.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/h5/attachments') uploads++;
    });
    const tooBig = Buffer.concat([PNG_BLUE, Buffer.alloc(LIMIT_BYTES + 1024 * 1024 - PNG_BLUE.length)]);
    await h5.locator('#apply-proof').setInputFiles({ name: '声明大图.png', mimeType: 'image/png', buffer: tooBig });
    await expect.poll(() => h5.locator('#apply-proof-error').textContent()).toBe('“声明大图.png”有 3 MB，超过 2 MB 的上限，请压缩或重新拍摄后上传');
    expect(uploads).toBe(0);
    await h5.locator('#apply-proof').setInputFiles({ name: '遗失声明.png', mimeType: 'image/png', buffer: PNG_BLUE });
    await expect.poll(() => h5.getByRole('list', { name: '遗失声明照片已选文件' }).textContent(), { timeout: 10_000 }).toContain('已上传');
    expect(uploads).toBe(1);

    await h5.getByRole('button', { name: '下一步：核对信息' }).click();
    await expect.poll(() => heading.textContent()).toContain('核对申请信息');
    expect(await h5.locator('.van-cell-group').textContent()).toContain('遗失声明.png');
    await h5.getByRole('button', { name: '确认提交' }).click();
    await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toContain('提交成功');
    const no = (await h5.getByTestId('application-no').textContent())!.trim();
    expect(no).toMatch(/^SQ\d{16}$/);
    await expectMine(no, '已提交');

    // The phone: the citizen's chat with the account (no card for a submission).
    await phonePage.goto(`${web.base}/sandbox/`);
    const me = phonePage.getByRole('button', { name: new RegExp(`^${CITIZEN.displayName}`) });
    await me.click();
    await expect.poll(() => me.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => phone().getByRole('log', { name: '聊天记录' }).isVisible()).toBe(true);
    expect(await cards(no).count()).toBe(0);

    // 2. The supervisor signs in, finds it in the queue by state and type, and accepts it.
    await admin.goto(`${web.base}/admin/`);
    await expect.poll(() => admin.url()).toContain('/admin/login');
    await admin.locator('#login-username').fill(staff.username);
    await admin.locator('#login-password').fill(staff.password);
    await admin.keyboard.press('Enter');
    await expect.poll(() => admin.locator('#dash-title').textContent(), { timeout: 15_000 }).toBe('工作台');
    await admin.getByRole('navigation', { name: '主菜单' }).getByText('办件队列').click();
    await expect.poll(() => admin.locator('#queue-title').textContent()).toBe('办件队列');
    await admin.locator('#queue-status').selectOption('submitted');
    await expect.poll(() => admin.locator('#queue-type option').allTextContents()).toContain(TYPE_NAME);
    await admin.locator('#queue-type').selectOption({ label: TYPE_NAME });
    await admin.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => admin.url()).toContain(`type=${typeCode}`);
    const link = admin.getByRole('link', { name: no });
    await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(1);
    await link.click();
    await expect.poll(() => admin.getByTestId('application-no').textContent(), { timeout: 10_000 }).toBe(no);
    expect(await adminStatus()).toBe('已提交');
    expect(await admin.getByRole('link', { name: /遗失声明\.png/ }).count()).toBe(1);

    await transition('受理', '已受理');
    await expectCard(no, 1, '已受理');
    await expectMine(no, '已受理');

    // 3. 开始办理: a step without a message; 我的办件 shows it.
    await transition('开始办理', '办理中');
    await expectMine(no, '办理中');

    // 4. 要求补正 with the reason the citizen reads.
    await transition('要求补正', '待补正', REASON);
    await expectCard(no, 2, '需补充材料');
    await expectMine(no, '待补正', REASON);

    // The citizen taps the card's 详情: the application opens in the phone's browser; they
    // replace the photo, correct the phone number and resubmit there.
    await phonePage.bringToFront();
    await cards(no).last().getByRole('button', { name: '详情' }).click();
    await expect.poll(() => inAppPane().isVisible()).toBe(true);
    await expect.poll(inAppPath, { timeout: 15_000 }).toMatch(/^\/h5\/applications\/\d+$/);
    const f = inApp();
    await expect.poll(() => f.getByTestId('application-reason').textContent(), { timeout: 10_000 }).toContain(REASON);
    await f.getByRole('button', { name: '修改并重新提交' }).click();
    await expect.poll(() => f.getByLabel('号牌号码').inputValue()).toBe('粤B12345'); // prefilled
    await f.getByRole('button', { name: '删除“遗失声明.png”' }).click();
    await f.locator('#resubmit-proof').setInputFiles({ name: '遗失声明（重拍）.png', mimeType: 'image/png', buffer: PNG_GREEN });
    await expect.poll(() => f.getByRole('list', { name: '遗失声明照片已选文件' }).textContent(), { timeout: 10_000 }).toContain('已上传');
    await f.getByLabel('手机号码').fill('13900139000');
    await f.getByLabel('给工作人员的说明（选填）').fill('已重新拍摄遗失声明');
    await f.getByRole('button', { name: '重新提交' }).click();
    await expect.poll(() => f.getByRole('status').allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining(['已重新提交，工作人员会继续办理。']));
    await phone().getByRole('button', { name: '关闭网页' }).click();
    await expectMine(no, '办理中', '已重新拍摄遗失声明');

    // 5. The supervisor sees the answer (the new photo, the citizen's note) and approves.
    await admin.bringToFront();
    await admin.reload();
    await expect.poll(adminStatus, { timeout: 10_000 }).toBe('办理中');
    expect(await admin.getByTestId('admin-timeline').textContent()).toContain('已重新拍摄遗失声明');
    expect(await admin.getByRole('link', { name: /遗失声明（重拍）\.png/ }).count()).toBe(1);
    await transition('审核通过', '审核通过', '材料齐全，准予补领');
    await expectCard(no, 3, '审核通过');
    await expectMine(no, '审核通过', '材料齐全，准予补领');

    // 6. 办结.
    await transition('办结', '已办结');
    expect(await admin.getByRole('group', { name: '可进行的操作' }).count()).toBe(0);
    await expectCard(no, 4, '已办结');
    await expectMine(no, '已办结');
    const labels = (await h5.getByTestId('application-timeline').locator('.timeline__label').allTextContents()).map((t) => t.replace('（当前）', ''));
    expect(labels).toEqual(['已办结', '审核通过', '办理中', '待补正', '办理中', '已受理', '已提交']);
    const cardWords = (await cards(no).allTextContents()).map((t) => ['已受理', '需补充材料', '审核通过', '已办结'].find((w) => t.includes(w)));
    expect(cardWords).toEqual(['已受理', '需补充材料', '审核通过', '已办结']);

    // 7. 通知记录: the application's four messages, each 已送达 once the platform's receipt is in.
    await admin.bringToFront();
    await admin.getByRole('navigation', { name: '主菜单' }).getByText('通知记录').click();
    await expect.poll(() => admin.locator('#nl-title').textContent(), { timeout: 10_000 }).toBe('通知记录');
    const rows = admin.getByRole('table', { name: '通知记录' }).locator('tbody tr').filter({ hasText: `申请 ${no}` });
    // 编号 类型 事项 市民 状态 …: type and state of each of this application's rows
    const kindAndState = async () => {
      const out: string[] = [];
      for (const r of await rows.all()) {
        const cells = (await r.getByRole('cell').allTextContents()).map((c) => c.trim());
        out.push(`${cells[1]}:${cells[4]}`);
      }
      return out.sort();
    };
    const expected = ['申请已受理:已送达', '申请需补正:已送达', '申请已通过:已送达', '申请已办结:已送达'].sort();
    await expect
      .poll(
        async () => {
          await admin.getByRole('button', { name: '查询' }).click(); // reload the list
          await expect.poll(() => admin.getByRole('table', { name: '通知记录' }).getAttribute('aria-busy')).toBe('false');
          return kindAndState();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toEqual(expected);
    expect(errors).toEqual([]);
  }, 300_000);
});
