import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoReplyRules } from '../../db/schema';
import { DEMO_CITIZENS, seedDemoCitizens } from '../../db/seed/demo-citizens';
import { arrowSelect, typeLogin, signInByKeyboard, tabTo, tabToSelector } from '../support/admin-keys';
import { launchChromium, startWebServer } from '../support/browser';
import { testDb, uniq } from '../support/db';
import { createStaff } from '../support/staff-agent';

/**
 * 自动回复 in real Chromium with the keyboard only: a supervisor adds a keyword rule, a citizen in
 * the sandbox gets that reply, the rule is edited, switched off and deleted (the confirmation
 * dialog first cancelled with Esc); a clerk is refused the page and the API.
 */
const CITIZEN = DEMO_CITIZENS[4]!;

let browser: Browser;
let web: Awaited<ReturnType<typeof startWebServer>>;
let page: Page;
const errors: string[] = [];
const keyword = uniq('营业时间');

beforeAll(async () => {
  web = await startWebServer();
  await testDb().db.transaction((tx) => seedDemoCitizens(tx));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const ruleRow = async () => (await testDb().db.select().from(autoReplyRules).where(eq(autoReplyRules.pattern, keyword)))[0];

/** What the sandbox citizen gets back for a text. */
async function replyTo(text: string): Promise<string[]> {
  const users = (await (await fetch(`${web.base}/sandbox/api/users`)).json()) as { data: { id: string; openid: string }[] };
  const id = users.data.find((u) => u.openid === CITIZEN.openid)!.id;
  const res = await fetch(`${web.base}/sandbox/api/users/${id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: text }) });
  const body = (await res.json()) as { data: { push: { entries: { from: string; text?: string }[] } } };
  return body.data.push.entries.filter((e) => e.from === 'account').map((e) => e.text ?? '');
}

async function retype(text: string) {
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

describe('auto-reply rules, keyboard only', () => {
  it('a supervisor adds a keyword rule and the citizen gets the reply', async () => {
    const sup = await createStaff(testDb().db, { role: 'supervisor' });
    await signInByKeyboard(page, web.base, sup, '/auto-replies');
    await expect.poll(() => page.locator('#ar-title').textContent()).toBe('自动回复');

    // 触发方式 stays 关键词; 匹配方式 by arrow keys; then the fields in order.
    await tabToSelector(page, 'select');
    expect(await page.evaluate(() => (document.activeElement as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe('关键词');
    await page.keyboard.press('Tab');
    await arrowSelect(page, '完全匹配', { up: true });
    await page.keyboard.press('Tab');
    await page.keyboard.type(keyword);
    await page.keyboard.press('Tab');
    await retype('5'); // 优先级
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).type)).toBe('checkbox');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).checked)).toBe(true); // 启用
    await page.keyboard.press('Tab');
    await page.keyboard.type('工作日 9:00–17:00 办理业务。');
    await page.keyboard.press('Tab');
    await page.keyboard.type('键盘添加');
    await page.keyboard.press('Enter'); // submits the form from the 备注 field
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toBe('规则已添加');

    const row = await ruleRow();
    expect(row).toMatchObject({ trigger: 'keyword', matchType: 'exact', priority: 5, enabled: true, note: '键盘添加', reply: { type: 'text', content: '工作日 9:00–17:00 办理业务。' } });
    expect(await replyTo(keyword)).toEqual(['工作日 9:00–17:00 办理业务。']);
    expect(await replyTo(`${keyword}?`)).not.toContain('工作日 9:00–17:00 办理业务。'); // exact match only
  });

  it('edits it (focus moves to the form), switches it off, and deletes it after a confirmation', async () => {
    const id = (await ruleRow())!.id;
    const name = `关键词“${keyword}”`;

    await page.locator('#ar-title').focus();
    await tabTo(page, new RegExp(`^编辑${name}规则$`));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('form', { name: '编辑规则' }).count()).toBe(1);
    // Focus is in the form now (its first field), not left behind in the table.
    expect(await page.evaluate(() => document.activeElement?.closest('form')?.getAttribute('aria-label'))).toBe('编辑规则');
    await tabToSelector(page, 'textarea');
    await retype('工作日 8:30–17:30 办理业务。');
    await tabTo(page, /^保存$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toBe('规则已保存');
    expect((await ruleRow())!.reply).toEqual({ type: 'text', content: '工作日 8:30–17:30 办理业务。' });

    await page.locator('#ar-title').focus();
    await tabTo(page, new RegExp(`^停用${name}规则$`));
    await page.keyboard.press('Space');
    await expect.poll(async () => (await ruleRow())!.enabled, { timeout: 10_000 }).toBe(false);
    expect(await replyTo(keyword)).not.toContain('工作日 8:30–17:30 办理业务。');

    // Delete: the dialog opens; Esc cancels and nothing is deleted.
    await page.locator('#ar-title').focus();
    await tabTo(page, new RegExp(`^删除${name}规则$`));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: '请确认' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain(`删除${name}规则？`);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect((await ruleRow())?.id).toBe(id);

    // Again, and confirm from the keyboard: focus is inside the dialog; Tab reaches 删除.
    await page.locator('#ar-title').focus();
    await tabTo(page, new RegExp(`^删除${name}规则$`));
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => page.evaluate(() => Boolean(document.activeElement?.closest('[role=dialog]')))).toBe(true);
    await tabTo(page, /^删除$/, { max: 6 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 }).toBe('规则已删除');
    expect(await ruleRow()).toBeUndefined();
    // the list reloads after the announcement: wait for it rather than reading it at once
    await expect.poll(async () => (await page.getByRole('table', { name: '自动回复规则' }).textContent()) ?? '', { timeout: 10_000 }).not.toContain(keyword);
    expect(errors).toEqual([]);
  });

  it('a clerk is refused: 无权访问 on the page, 403 from the API', async () => {
    const clerk = await createStaff(testDb().db, { role: 'clerk' });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const p = await ctx.newPage();
    await typeLogin(p, web.base, clerk, '/auto-replies');
    await expect.poll(() => p.getByText('无权访问').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await p.locator('nav[aria-label="主菜单"]').textContent()).not.toContain('自动回复');
    expect((await p.request.get(`${web.base}/api/admin/auto-replies`)).status()).toBe(403);
    await ctx.close();
  });
});
