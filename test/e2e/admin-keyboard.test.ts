import { asc, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationNotes, applicationRatings, applications, menuVersions, notifications, ratingFollowUps, staffAccounts } from '../../db/schema';
import { runSeeds } from '../../db/seed';
import { DEFAULT_MENU } from '../../db/seed/default-menu';
import type { StaffPrincipal } from '../../server/staff/roles';
import { arrowSelect, focusedId, focusedName, signInByKeyboard, tabTo, tabToSelector } from '../support/admin-keys';
import { launchChromium, startWebServer } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { makeCitizen } from '../support/factories';
import { createStaff, type TestStaff } from '../support/staff-agent';

/**
 * Issue 5's "the admin view works with the keyboard only", for the pages the other keyboard files
 * do not cover, in real Chromium: the application queue (filters, paging, opening an item), the
 * application detail (assignment to a clerk by name, an internal note, every transition through
 * its dialog, reasons required for 补正 and 不予许可), 差评回访, the staff accounts page (create,
 * change role, deactivate) and the reports filter bar (dates, version, entry, CSV). No clicks:
 * Tab, Shift+Tab, arrows, Enter and Escape. Data is set up through the services. Besides each
 * action's effect, the tests check where focus goes: into a dialog and kept there, back to the
 * button that opened it on Escape, and on to the next sensible control when the action removed
 * the button it was on.
 */
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
const errors: string[] = [];
const tag = uniq('').slice(0, 6);
let sup: TestStaff;
let clerk: TestStaff;
let citizen: { id: number; openid: string };
const queued: { id: number; no: string }[] = [];

const ANSWERS = { name: '键盘测试', id_number: '11010519491231002X', document: 'licence', new_phone: '13700137000', new_address: '示范市福田区深南大道 1 号' };
const principal = (s: TestStaff): StaffPrincipal => ({ id: s.id, username: s.username, displayName: s.displayName, role: s.role, sessionId: 'e2e' });
const apps = () => web.t.deps.applications;
const submitOne = async () => {
  const d = await apps().submit(citizen, { typeCode: 'contact_change', answers: ANSWERS });
  return { id: d.id, no: d.applicationNo };
};
const appRow = async (id: number) => (await testDb().db.select().from(applications).where(eq(applications.id, id)))[0]!;

const inDialog = (p: Page) => p.evaluate(() => Boolean(document.activeElement?.closest('[role=dialog]')));
/** Tab and Shift+Tab well past the dialog's controls: focus must never leave it. */
async function expectFocusTrapped(p: Page): Promise<void> {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < 8; i++) {
      await p.keyboard.press(key);
      expect(await inDialog(p), `${key} #${i + 1} left the dialog (on "${await focusedName(p)}")`).toBe(true);
    }
  }
}
const dialogShown = (p: Page) => p.locator('[role=dialog]:visible').count();
/** The queue's query as the first test leaves it (filtered, page 2), and where 返回办件队列 points. */
const leftQuery = () => `status=submitted&type=contact_change&assignee=${clerk.id}&page=2`;
const backHref = () => page.getByRole('link', { name: '返回办件队列' }).getAttribute('href');
const statusText = async () => (await page.getByTestId('application-status').textContent())?.trim();

beforeAll(async () => {
  web = await startWebServer();
  const { db } = testDb();
  await runSeeds(db);
  sup = await createStaff(db, { role: 'supervisor', displayName: `键盘科长${tag}` });
  clerk = await createStaff(db, { role: 'clerk', displayName: `键盘经办${tag}` });
  citizen = await makeCitizen(db);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  // This file's citizen is not a sandbox user and no worker runs here: drop the template messages
  // its moves queued and its two bad ratings, so a later file in this worker's database neither
  // sends them nor counts them in its reports (the delivery and satisfaction figures are not per menu version).
  if (!citizen) return;
  const { db } = testDb();
  const mine = (await db.select({ id: applications.id }).from(applications).where(eq(applications.citizenId, citizen.id))).map((a) => a.id);
  await db.delete(notifications).where(eq(notifications.citizenId, citizen.id));
  if (mine.length) {
    await db.delete(ratingFollowUps).where(inArray(ratingFollowUps.applicationId, mine));
    await db.delete(applicationRatings).where(inArray(applicationRatings.applicationId, mine));
  }
});

describe('application queue and detail, keyboard only', () => {
  it('filters the queue by status, type and a clerk by name, pages, and opens an item', { timeout: 60_000 }, async () => {
    // 22 applications for this file's clerk: two pages of 20, and no other file's rows match.
    for (let i = 0; i < 22; i++) queued.push(await submitOne());
    for (const a of queued) await apps().assign(principal(sup), a.id, clerk.id);

    await signInByKeyboard(page, web.base, sup, '/applications');
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('办件队列');
    await tabToSelector(page, '#queue-status');
    await arrowSelect(page, '已提交');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('queue-type');
    await arrowSelect(page, '驾驶证/行驶证联系方式变更');
    await tabToSelector(page, '#queue-assignee');
    await arrowSelect(page, clerk.displayName);
    await tabTo(page, /^查询$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.toString()).toBe(`status=submitted&type=contact_change&assignee=${clerk.id}`);
    await expect.poll(() => page.locator('.queue__summary').textContent(), { timeout: 10_000 }).toBe('共 22 件');
    const links = page.locator('a.queue__link');
    await expect.poll(() => links.count()).toBe(20);
    expect(await focusedName(page)).toBe('查询'); // the search keeps focus where it was

    // The pager: Tab to page 2, Enter. Oldest due first, then by id: this file's last two.
    await tabTo(page, /^第 2 页$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe('2');
    await expect.poll(() => links.allTextContents()).toEqual(queued.slice(20).map((a) => a.no));
    expect(await focusedName(page)).toBe('第 2 页');

    // Back to the last application's link, Enter: the detail opens with focus at its content.
    const last = queued[21]!;
    await tabTo(page, new RegExp(`^${last.no}$`), { back: true });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('application-no').textContent(), { timeout: 10_000 }).toBe(last.no);
    expect(new URL(page.url()).pathname).toBe(`/admin/applications/${last.id}`);
    expect(await focusedId(page)).toBe('main-content');
    await page.keyboard.press('Tab');
    expect(await focusedName(page)).toBe('返回办件队列');

    // 返回办件队列 (Enter): the queue as it was left, filters and page 2, focus at the page's content.
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.toString(), { timeout: 10_000 }).toBe(leftQuery());
    expect(new URL(page.url()).pathname).toBe('/admin/applications');
    await expect.poll(() => links.allTextContents(), { timeout: 10_000 }).toEqual(queued.slice(20).map((a) => a.no));
    expect(await page.locator('.queue__summary').textContent()).toBe('共 22 件');
    expect([await page.locator('#queue-status').inputValue(), await page.locator('#queue-type').inputValue(), await page.locator('#queue-assignee').inputValue()]).toEqual([
      'submitted',
      'contact_change',
      String(clerk.id),
    ]);
    expect(await page.locator('.queue__pager .el-pager li.is-active').textContent()).toBe('2');
    await expect.poll(() => focusedId(page)).toBe('main-content');

    // And into the same application again for the tests below.
    await tabTo(page, new RegExp(`^${last.no}$`));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('application-no').textContent(), { timeout: 10_000 }).toBe(last.no);
    expect(await focusedId(page)).toBe('main-content');
  });

  it('assigns it to me, then to the clerk chosen by name, and saves an internal note', async () => {
    const { id } = queued[21]!;
    const assignee = () => page.getByTestId('assignee').textContent();

    await tabTo(page, /^分配给我$/);
    await page.keyboard.press('Enter');
    await expect.poll(assignee, { timeout: 10_000 }).toBe('我');
    expect((await appRow(id)).assigneeStaffId).toBe(sup.id);
    // The button is gone now that it is mine: focus is on the result, not lost to the page.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('assignee');

    await tabToSelector(page, '#assign-to');
    await arrowSelect(page, clerk.displayName);
    await page.keyboard.press('Tab');
    expect(await focusedName(page)).toBe('分配');
    await page.keyboard.press('Enter');
    await expect.poll(assignee, { timeout: 10_000 }).toBe(clerk.displayName);
    expect((await appRow(id)).assigneeStaffId).toBe(clerk.id);
    await expect.poll(() => focusedName(page)).toBe('分配'); // disabled while busy, focus given back

    // An empty note is refused in the form, focus back in the box; then typed and saved.
    await tabToSelector(page, '#note-text');
    await page.keyboard.press('Tab');
    expect(await focusedName(page)).toBe('保存备注');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#note-error').textContent()).toBe('请先写下备注内容');
    expect(await focusedId(page)).toBe('note-text');
    await page.keyboard.type('电话核实过新号码');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('region', { name: /内部备注/ }).locator('li').allTextContents(), { timeout: 10_000 }).toEqual([
      expect.stringMatching(/我：电话核实过新号码$/),
    ]);
    const notes = await testDb().db.select().from(applicationNotes).where(eq(applicationNotes.applicationId, id));
    expect(notes.map((n) => [n.staffId, n.text])).toEqual([[sup.id, '电话核实过新号码']]);
    await expect.poll(() => focusedName(page)).toBe('保存备注');
    expect(await page.locator('#note-text').inputValue()).toBe('');
  });

  it('moves it through 受理, 开始办理, 要求补正, 不予许可 and 办结 with the dialogs: focus trapped, Escape and 取消 return to the button', { timeout: 60_000 }, async () => {
    const { id, no } = queued[21]!;
    const group = () => page.getByRole('group', { name: '可进行的操作' });

    await tabTo(page, /^受理$/, { back: true });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog', { name: `受理：${no}` }).isVisible()).toBe(true);
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    await expectFocusTrapped(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialogShown(page)).toBe(0);
    expect(await focusedName(page)).toBe('受理');
    expect((await appRow(id)).status).toBe('submitted');

    // Again; an optional note, Tab to the confirm button, Enter.
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    await page.keyboard.type('材料齐全，予以受理');
    await tabTo(page, /^确认受理$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(statusText, { timeout: 10_000 }).toBe('已受理');
    // 受理 is gone with the old state: focus goes on to the next step's button.
    await expect.poll(() => focusedName(page)).toBe('开始办理');
    expect(await appRow(id)).toMatchObject({ status: 'accepted' });

    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    await tabTo(page, /^确认开始办理$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(statusText, { timeout: 10_000 }).toBe('办理中');
    await expect.poll(() => focusedName(page)).toBe('审核通过');
    expect(await group().getByRole('button').allTextContents()).toEqual(['审核通过', '要求补正…', '不予许可…']);

    // 要求补正 needs a reason: confirming without one is refused in the dialog, focus back in the box.
    await tabTo(page, /^要求补正…$/);
    await page.keyboard.press('Enter');
    const needsInfo = page.getByRole('dialog', { name: `要求补正：${no}` });
    await expect.poll(() => needsInfo.isVisible()).toBe(true);
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    expect(await needsInfo.textContent()).toContain('原因（必填，申请人会看到）');
    await tabTo(page, /^确认要求补正$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#transition-error').textContent()).toBe('请写明需要申请人补正什么（申请人会看到这段说明）');
    expect(await focusedId(page)).toBe('transition-note');
    expect(await page.locator('#transition-note').getAttribute('aria-invalid')).toBe('true');
    expect((await appRow(id)).status).toBe('in_review');
    // 取消 closes it: focus back on 要求补正….
    await tabTo(page, /^取消$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(() => dialogShown(page)).toBe(0);
    expect(await focusedName(page)).toBe('要求补正…');

    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    expect(await page.locator('#transition-error').count()).toBe(0); // a fresh dialog
    await page.keyboard.type('请补充身份证背面照片');
    await tabTo(page, /^确认要求补正$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(statusText, { timeout: 10_000 }).toBe('待补正');
    expect(await appRow(id)).toMatchObject({ status: 'needs_info', reason: '请补充身份证背面照片' });
    // Nothing left to do for staff: focus on the section's heading, not lost.
    await expect.poll(() => focusedId(page)).toBe('actions-title');
    expect(await group().count()).toBe(0);

    // The citizen answers; the page is reloaded (F5) and the refusal goes through its dialog.
    await apps().resubmit(citizen, id, { answers: ANSWERS, note: '已补充' });
    await page.reload();
    await expect.poll(statusText, { timeout: 10_000 }).toBe('办理中');
    expect(await backHref()).toBe(`/admin/applications?${leftQuery()}`); // a reload still knows where it came from
    await tabTo(page, /^不予许可…$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog', { name: `不予许可：${no}` }).isVisible()).toBe(true);
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    await tabTo(page, /^确认不予许可$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#transition-error').textContent()).toBe('请写明不予通过的原因（申请人会看到这段说明）');
    expect(await focusedId(page)).toBe('transition-note');
    await page.keyboard.type('身份证件已过有效期');
    await tabTo(page, /^确认不予许可$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(statusText, { timeout: 10_000 }).toBe('不予许可');
    expect(await appRow(id)).toMatchObject({ status: 'rejected', reason: '身份证件已过有效期' });
    await expect.poll(() => focusedName(page)).toBe('办结');

    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    await tabTo(page, /^确认办结$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(statusText, { timeout: 10_000 }).toBe('已办结');
    expect((await appRow(id)).status).toBe('completed');
    await expect.poll(() => focusedId(page)).toBe('actions-title');
    const timeline = await page.getByTestId('admin-timeline').locator('li strong').allTextContents();
    expect(timeline).toEqual(expect.arrayContaining(['已受理', '办理中', '待补正', '不予许可', '已办结']));
  });

  it('refuses one (不予受理) and approves another (审核通过) from the keyboard', async () => {
    const refused = queued[20]!;
    await page.goto(`${web.base}/admin/applications/${refused.id}`);
    await expect.poll(() => page.getByTestId('application-no').textContent(), { timeout: 10_000 }).toBe(refused.no);
    expect(await backHref()).toBe('/admin/applications'); // opened directly: the plain queue
    await tabTo(page, /^不予受理…$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    await page.keyboard.type('不属于本机关受理范围');
    await tabTo(page, /^确认不予受理$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(statusText, { timeout: 10_000 }).toBe('不予许可');
    expect(await appRow(refused.id)).toMatchObject({ status: 'rejected', reason: '不属于本机关受理范围' });
    await expect.poll(() => focusedName(page)).toBe('办结');

    const approved = queued[19]!;
    await apps().transition(principal(clerk), approved.id, 'accepted');
    await apps().transition(principal(clerk), approved.id, 'in_review');
    await page.goto(`${web.base}/admin/applications/${approved.id}`);
    await expect.poll(() => page.getByTestId('application-no').textContent(), { timeout: 10_000 }).toBe(approved.no);
    await tabTo(page, /^审核通过$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog', { name: `审核通过：${approved.no}` }).isVisible()).toBe(true);
    await expect.poll(() => focusedId(page)).toBe('transition-note');
    await expectFocusTrapped(page);
    await tabToSelector(page, '#transition-note');
    await page.keyboard.type('材料齐全');
    await tabTo(page, /^确认审核通过$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(statusText, { timeout: 10_000 }).toBe('审核通过');
    expect((await appRow(approved.id)).status).toBe('approved');
    await expect.poll(() => focusedName(page)).toBe('办结');
    expect(errors).toEqual([]);
  });
});

describe('差评回访, keyboard only', () => {
  it('answers a bad rating through the dialog; focus goes on to the next follow-up', { timeout: 60_000 }, async () => {
    // Two completed applications of this file, each rated 1 on completion.
    const rated: { id: number; no: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const a = await submitOne();
      for (const to of ['accepted', 'in_review', 'approved', 'completed'] as const) await apps().transition(principal(clerk), a.id, to);
      await apps().rate(citizen, a.id, { stage: 'completed', score: 1, comment: `键盘差评${i}` });
      rated.push(a);
    }
    const { db } = testDb();
    // The list is oldest due first, then by id, 20 a page: this file's two are the last.
    const open = await db.select({ applicationId: ratingFollowUps.applicationId }).from(ratingFollowUps).where(eq(ratingFollowUps.status, 'open')).orderBy(asc(ratingFollowUps.dueBefore), asc(ratingFollowUps.id));
    const at = open.findIndex((f) => f.applicationId === rated[0]!.id);
    const pageOf = (i: number) => Math.floor(i / 20) + 1;

    // From the side menu (Shift+Tab back from the page to 差评回访).
    await tabTo(page, /^差评回访$/, { back: true });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#fu-title').textContent()).toBe('差评回访');
    await expect.poll(() => page.locator('button[data-answer]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    if (pageOf(at) > 1) {
      await tabTo(page, new RegExp(`^第 ${pageOf(at)} 页$`));
      await page.keyboard.press('Enter');
    }
    const answer = (no: string) => new RegExp(`^答复并办结：${no}$`);
    await tabTo(page, answer(rated[0]!.no));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `答复差评：${rated[0]!.no}` });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => focusedId(page)).toBe('fu-response');
    expect(await dialog.textContent()).toContain('键盘差评0');
    await expectFocusTrapped(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialogShown(page)).toBe(0);
    expect(await focusedName(page)).toBe(`答复并办结：${rated[0]!.no}`);

    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('fu-response');
    await tabTo(page, /^答复并办结$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#fu-response-error').textContent()).toContain('请写明');
    expect(await focusedId(page)).toBe('fu-response');
    await page.keyboard.type('已核实，已向经办人说明补正要求');
    await tabTo(page, /^答复并办结$/, { max: 4 });
    await page.keyboard.press('Enter');
    await expect.poll(() => dialogShown(page), { timeout: 10_000 }).toBe(0);

    const [closed] = await db.select().from(ratingFollowUps).where(eq(ratingFollowUps.applicationId, rated[0]!.id));
    expect(closed).toMatchObject({ status: 'closed', response: '已核实，已向经办人说明补正要求', closedByStaffId: sup.id });
    await expect.poll(() => page.getByRole('button', { name: answer(rated[0]!.no) }).count(), { timeout: 10_000 }).toBe(0);
    // The answered row left the list: focus is on the follow-up now in its place, the other one.
    if (pageOf(at) === pageOf(at + 1)) await expect.poll(() => focusedName(page)).toBe(`答复并办结：${rated[1]!.no}`);
    else await expect.poll(() => focusedName(page)).toMatch(/^答复并办结：SQ\d+$/);
    expect(errors).toEqual([]);
  });
});

describe('staff accounts, keyboard only', () => {
  it('an admin creates an account, changes its role and deactivates it', { timeout: 60_000 }, async () => {
    const { db } = testDb();
    const admin = await createStaff(db, { role: 'admin' });
    // Listed by username: "zz…" sorts after other files' accounts, so Shift+Tab from the top
    // (which wraps round to the end of the page) reaches it first.
    const username = `zzkb${tag}`;
    const account = async () => (await db.select().from(staffAccounts).where(eq(staffAccounts.username, username)))[0];
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const p = await ctx.newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    await signInByKeyboard(p, web.base, admin, '/staff');
    await expect.poll(() => p.locator('#staff-title').textContent()).toBe('工作人员账号');

    await tabTo(p, /^新建账号$/);
    await p.keyboard.press('Enter');
    await expect.poll(() => focusedId(p)).toBe('staff-username');
    await expectFocusTrapped(p);
    await tabToSelector(p, '#staff-username');
    await p.keyboard.type(username);
    await p.keyboard.press('Tab');
    expect(await focusedId(p)).toBe('staff-display-name');
    await p.keyboard.type('键盘新同事');
    // The role radios are one Tab stop; the arrow keys choose (窗口办事员 → 科室负责人).
    await p.keyboard.press('Tab');
    const radio = () => p.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      return { type: el.type, checked: el.checked, label: (el.closest('label') as HTMLElement | null)?.innerText.trim() };
    });
    expect(await radio()).toEqual({ type: 'radio', checked: true, label: '窗口办事员' });
    await p.keyboard.press('ArrowUp');
    expect(await radio()).toEqual({ type: 'radio', checked: true, label: '科室负责人' });
    await p.keyboard.press('Tab');
    expect(await focusedId(p)).toBe('staff-password');
    await p.keyboard.type('Keyboard-Only-88');
    await p.keyboard.press('Enter');
    await expect.poll(() => dialogShown(p), { timeout: 10_000 }).toBe(0);
    await expect.poll(account, { timeout: 10_000 }).toMatchObject({ displayName: '键盘新同事', role: 'supervisor', disabled: false });
    await expect.poll(() => focusedName(p)).toBe('新建账号'); // back on the button that opened the dialog

    // Change the role: the row's 修改 names the account.
    await expect.poll(() => p.getByRole('button', { name: `修改账号 ${username}` }).count(), { timeout: 10_000 }).toBe(1);
    await tabTo(p, new RegExp(`^修改账号 ${username}$`), { back: true });
    await p.keyboard.press('Enter');
    await expect.poll(() => p.getByRole('dialog', { name: `修改账号：${username}` }).isVisible()).toBe(true);
    await expect.poll(() => focusedId(p)).toBe('staff-display-name');
    await p.keyboard.press('Tab');
    expect(await radio()).toEqual({ type: 'radio', checked: true, label: '科室负责人' });
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowDown');
    expect(await radio()).toEqual({ type: 'radio', checked: true, label: '数据评估员' });
    await tabTo(p, /^保存$/, { max: 4 });
    await p.keyboard.press('Enter');
    await expect.poll(account, { timeout: 10_000 }).toMatchObject({ role: 'evaluator' });
    await expect.poll(() => focusedName(p)).toBe(`修改账号 ${username}`);

    // Deactivate: the confirmation takes focus; Escape cancels; then confirmed from the keyboard.
    await tabTo(p, new RegExp(`^停用账号 ${username}$`), { max: 4 });
    await p.keyboard.press('Enter');
    const confirm = p.getByRole('dialog', { name: '请确认' });
    await expect.poll(() => confirm.isVisible()).toBe(true);
    expect(await confirm.textContent()).toContain(`停用账号 ${username}？`);
    await expect.poll(() => inDialog(p)).toBe(true);
    await expectFocusTrapped(p);
    await p.keyboard.press('Escape');
    await expect.poll(() => dialogShown(p)).toBe(0);
    expect(await focusedName(p)).toBe(`停用账号 ${username}`);
    expect((await account())!.disabled).toBe(false);

    await p.keyboard.press('Enter');
    await expect.poll(() => confirm.isVisible()).toBe(true);
    await tabTo(p, /^确定$/, { max: 6 });
    await p.keyboard.press('Enter');
    await expect.poll(async () => (await account())!.disabled, { timeout: 10_000 }).toBe(true);
    // Disabled accounts are listed first, so the row moved: focus follows it to its 启用 button.
    await expect.poll(() => focusedName(p), { timeout: 10_000 }).toBe(`启用账号 ${username}`);
    const row = p.getByRole('row').filter({ has: p.getByRole('cell', { name: username, exact: true }) });
    expect(await row.getByRole('cell', { name: '已停用' }).count()).toBe(1);
    await ctx.close();
    expect(errors).toEqual([]);
  });
});

describe('reports filter bar, keyboard only', () => {
  /** The order Chromium lays a date field's parts out in (its UI language's: en-US month/day/year), learnt on a scratch field. */
  async function dateOrder(p: Page): Promise<('y' | 'm' | 'd')[]> {
    await p.evaluate(() => {
      const probe = Object.assign(document.createElement('input'), { type: 'date', id: 'kb-date-probe', value: '2001-02-03' });
      document.body.append(probe);
      probe.focus();
    });
    const value = () => p.evaluate(() => (document.getElementById('kb-date-probe') as HTMLInputElement).value.split('-'));
    const order: ('y' | 'm' | 'd')[] = [];
    for (let i = 0; i < 3; i++) {
      const before = await value();
      await p.keyboard.press('ArrowUp');
      const after = await value();
      order.push(before[0] !== after[0] ? 'y' : before[1] !== after[1] ? 'm' : 'd');
      if (i < 2) await p.keyboard.press('Tab');
    }
    await p.evaluate(() => document.getElementById('kb-date-probe')!.remove());
    return order;
  }
  /** Types an ISO date into the focused date field, part by part, as a user would. */
  async function typeDate(p: Page, iso: string, order: ('y' | 'm' | 'd')[]): Promise<void> {
    const [y, m, d] = iso.split('-') as [string, string, string];
    for (const part of order) await p.keyboard.type(part === 'y' ? y : part === 'm' ? m : d);
    expect(await p.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe(iso);
  }
  const shanghaiDay = (offsetDays: number) => new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

  it('an evaluator sets dates, menu version and entry, uses a quick range, and downloads the CSV', { timeout: 60_000 }, async () => {
    const { db } = testDb();
    let [latest] = await db.select({ version: menuVersions.version }).from(menuVersions).where(isNotNull(menuVersions.publishedAt)).orderBy(desc(menuVersions.publishedAt)).limit(1);
    if (!latest) {
      const draft = await web.t.deps.menus.createDraft({ menu: DEFAULT_MENU, createdBy: 'test:admin-keyboard' });
      latest = { version: (await web.t.deps.menus.publish(draft.id, 'test:admin-keyboard')).version };
    }
    const evaluator = await createStaff(db, { role: 'evaluator' });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const p = await ctx.newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    const order = await dateOrder(p); // on about:blank, before the app
    await signInByKeyboard(p, web.base, evaluator, '/reports/menu-usage');
    await expect.poll(() => p.locator('#menu-usage-title').textContent(), { timeout: 15_000 }).toBe('菜单使用');

    const from = shanghaiDay(-20);
    const to = shanghaiDay(-2);
    await tabToSelector(p, 'input[name=from]');
    await typeDate(p, from, order);
    await tabToSelector(p, 'input[name=to]');
    await typeDate(p, to, order);
    // The version picker lists published versions (newest first); then the entry.
    await tabToSelector(p, 'select[name=mv]');
    for (let i = 0; i < 50 && (await p.evaluate(() => (document.activeElement as HTMLSelectElement).value)) !== latest.version; i++) await p.keyboard.press('ArrowDown');
    expect(await p.evaluate(() => (document.activeElement as HTMLSelectElement).value)).toBe(latest.version);
    await p.keyboard.press('Tab');
    await arrowSelect(p, '从菜单进入');
    await tabTo(p, /^查询$/);
    await p.keyboard.press('Enter');
    await expect.poll(() => new URL(p.url()).search).toBe(`?from=${from}&to=${to}&mv=${encodeURIComponent(latest.version)}&source=menu`);
    await expect.poll(() => p.getByTestId('report-scope').textContent()).toBe(`${from} 至 ${to}（19 天） · 菜单版本 ${latest.version} · 入口：从菜单进入`);
    expect(await focusedName(p)).toBe('查询');

    // The CSV link carries the same filter; Enter on it downloads the file.
    await tabTo(p, /^下载 CSV$/);
    const href = await p.evaluate(() => (document.activeElement as HTMLAnchorElement).getAttribute('href'));
    expect(href).toBe(`/api/admin/reports/menu-usage.csv?from=${from}&to=${to}&menuVersion=${encodeURIComponent(latest.version)}&source=menu`);
    const [download] = await Promise.all([p.waitForEvent('download', { timeout: 15_000 }), p.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(await download.failure()).toBeNull();

    // A quick range from the keyboard: Shift+Tab back to 近 7 天, Enter; the other choices stay.
    await tabTo(p, /^近 7 天$/, { back: true });
    await p.keyboard.press('Enter');
    await expect.poll(() => new URL(p.url()).searchParams.get('from')).toBe(shanghaiDay(-6));
    expect(new URL(p.url()).searchParams.get('to')).toBe(shanghaiDay(0));
    await expect.poll(() => p.getByTestId('report-scope').textContent()).toBe(`${shanghaiDay(-6)} 至 ${shanghaiDay(0)}（7 天） · 菜单版本 ${latest.version} · 入口：从菜单进入`);
    expect(await focusedName(p)).toBe('近 7 天');
    await ctx.close();
    expect(errors).toEqual([]);
  });
});
