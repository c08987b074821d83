import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestStaff } from './staff-agent';

/**
 * Keyboard-only helpers for the admin view's Chromium tests: no clicks, no fill(), so a control
 * that cannot be reached or worked with the keyboard fails the test.
 */

/** What a screen reader would call the focused element: its aria-label, else its text. */
export const focusedName = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    // Past the last control focus leaves the page (body): its text would match anything.
    if (!el || el === document.body) return '';
    return (el.getAttribute('aria-label') ?? el.innerText ?? '').trim();
  });

export const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

/** Press Tab (or Shift+Tab) until the focused element's name matches. */
export async function tabTo(page: Page, name: RegExp, opts: { max?: number; back?: boolean } = {}): Promise<void> {
  const max = opts.max ?? 120;
  for (let i = 0; i < max; i++) {
    if (name.test(await focusedName(page))) return;
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`no focusable element matching ${name} within ${max} ${opts.back ? 'Shift+Tab' : 'Tab'} presses (last: "${await focusedName(page)}")`);
}

/** Open `path` signed out and sign in on the login page with the keyboard (where it lands is the caller's to check). */
export async function typeLogin(page: Page, base: string, staff: TestStaff, path: string): Promise<void> {
  await page.goto(`${base}/admin${path}`);
  await expect.poll(() => focusedId(page), { timeout: 15_000 }).toBe('login-username');
  await page.keyboard.type(staff.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(staff.password);
  await page.keyboard.press('Enter');
}

/** Open `path` signed out, sign in on the login page with the keyboard, arrive back at `path`. */
export async function signInByKeyboard(page: Page, base: string, staff: TestStaff, path: string): Promise<void> {
  await typeLogin(page, base, staff, path);
  await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).toBe(`/admin${path.split('?')[0]}`);
}

/** Tab (or Shift+Tab) until the focused element matches a CSS selector (for controls without a name of their own). */
export async function tabToSelector(page: Page, selector: string, opts: { max?: number; back?: boolean } = {}): Promise<void> {
  const max = opts.max ?? 120;
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`no focusable element matching ${selector} within ${max} presses`);
}

/** Pick an option of a focused native <select> with the arrow keys until its visible label matches. */
export async function arrowSelect(page: Page, label: string, opts: { up?: boolean; max?: number } = {}): Promise<void> {
  // Long lists are walked as a keyboard user would; other test files add offices to this database.
  const max = opts.max ?? 500;
  for (let i = 0; i < max; i++) {
    const current = await page.evaluate(() => {
      const el = document.activeElement;
      if (!(el instanceof HTMLSelectElement)) return null;
      return el.selectedOptions[0]?.textContent?.trim() ?? '';
    });
    if (current === null) throw new Error('focus is not on a <select>');
    if (current === label) return;
    await page.keyboard.press(opts.up ? 'ArrowUp' : 'ArrowDown');
  }
  throw new Error(`option "${label}" not reached with the arrow keys`);
}
