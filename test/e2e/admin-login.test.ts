import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffAccounts } from '../../db/schema';
import { launchChromium, startWebServer } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { createStaff } from '../support/staff-agent';

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;

beforeAll(async () => {
  web = await startWebServer();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

/** Press Tab until the focused element's text or label matches, as a keyboard user would. */
async function tabTo(page: Page, name: RegExp, max = 80, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      // Past the last control focus leaves the page (body): its text would match anything.
      if (!el || el === document.body) return '';
      return `${el.innerText ?? ''} ${el.getAttribute('aria-label') ?? ''}`.trim();
    });
    if (name.test(focused)) return;
  }
  throw new Error(`no focusable element matching ${name} within ${max} tabs`);
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe('admin sign-in in Chromium, keyboard only', () => {
  it('signs in with Enter, returns to the page asked for, manages an account, and signs out', async () => {
    const admin = await createStaff(testDb().db, { role: 'admin', displayName: '赵管理' });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${web.base}/admin/staff`);
    await expect.poll(() => page.url()).toBe(`${web.base}/admin/login?return=/staff`);
    // The username field has focus on arrival.
    await expect.poll(() => focusedId(page)).toBe('login-username');

    // A wrong password: the error is announced and focus goes back to the password field.
    await page.keyboard.type(admin.username);
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('login-password');
    await page.keyboard.type('wrong-password-here');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('用户名或密码错误');
    await expect.poll(() => focusedId(page)).toBe('login-password');

    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toBe(`${web.base}/admin/staff`);
    await expect.poll(() => page.locator('#staff-title').textContent()).toBe('工作人员账号');
    const header = page.getByTestId('signed-in-user');
    await expect.poll(() => header.textContent()).toContain(`赵管理（${admin.username}）`);
    expect(await header.textContent()).toContain('系统管理员');
    expect(await page.locator('nav[aria-label="主菜单"]').textContent()).toContain('操作日志');

    // Create an account: Tab to the button, Enter, fill the dialog, Enter submits.
    const username = uniq('kb');
    await tabTo(page, /新建账号/);
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('staff-username');
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('staff-display-name');
    await page.keyboard.type('键盘用户');
    // Past the role radios (left at the default, 窗口办事员) to the password field.
    for (let i = 0; i < 8 && (await focusedId(page)) !== 'staff-password'; i++) await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('staff-password');
    await page.keyboard.type('Keyboard-Only-77');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('cell', { name: username, exact: true }).count(), { timeout: 10_000 }).toBe(1);
    const [row] = await testDb().db.select().from(staffAccounts).where(eq(staffAccounts.username, username));
    expect(row).toMatchObject({ displayName: '键盘用户', role: 'clerk' });

    // The side menu is reachable by keyboard too: open the audit log and find the creation. Back
    // up with Shift+Tab, as a keyboard user would: forwards, the way runs through every account
    // row (other test files in this worker's database add many).
    await tabTo(page, /^操作日志/, 400, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toBe(`${web.base}/admin/audit`);
    await expect.poll(() => page.getByRole('cell', { name: '新建账号', exact: true }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.getByRole('cell', { name: `赵管理（${admin.username}）` }).count()).toBeGreaterThan(0);

    // Sign out from the header with the keyboard.
    await tabTo(page, /退出登录/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toBe(`${web.base}/admin/login`);
    // The session is over on the server too.
    expect((await page.request.get(`${web.base}/api/admin/me`)).status()).toBe(401);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a clerk sees only the pages of the role: no staff accounts in the menu, 无权访问 when opened directly', async () => {
    const clerk = await createStaff(testDb().db, { role: 'clerk' });
    const page = await browser.newPage();
    await page.goto(`${web.base}/admin/`);
    await expect.poll(() => focusedId(page)).toBe('login-username');
    await page.keyboard.type(clerk.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(clerk.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).not.toContain('/login');
    await expect.poll(() => page.getByTestId('signed-in-user').textContent()).toContain('窗口办事员');
    const nav = await page.locator('nav[aria-label="主菜单"]').textContent();
    expect(nav).toContain('系统状态');
    expect(nav).not.toContain('工作人员账号');
    expect(nav).not.toContain('操作日志');
    await page.goto(`${web.base}/admin/staff`);
    await expect.poll(() => page.getByText('无权访问').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('changing one’s own password from the header (keyboard only) signs out; the new password works', async () => {
    const clerk = await createStaff(testDb().db, { role: 'clerk' });
    const page = await browser.newPage();
    await page.goto(`${web.base}/admin/status`);
    await expect.poll(() => focusedId(page)).toBe('login-username');
    await page.keyboard.type(clerk.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(clerk.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toBe(`${web.base}/admin/status`);
    await tabTo(page, /修改密码/);
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('pw-current');
    await page.keyboard.type(clerk.password);
    await page.keyboard.press('Tab');
    for (let i = 0; i < 3 && (await focusedId(page)) !== 'pw-next'; i++) await page.keyboard.press('Tab'); // past the show-password toggle
    await page.keyboard.type('Changed-By-Keys-5');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 3 && (await focusedId(page)) !== 'pw-again'; i++) await page.keyboard.press('Tab');
    await page.keyboard.type('Changed-By-Keys-5');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toBe(`${web.base}/admin/login`);
    const relogin = await page.request.post(`${web.base}/api/admin/login`, { data: { username: clerk.username, password: 'Changed-By-Keys-5' } });
    expect(relogin.status()).toBe(200);
    await page.close();
  });
});
