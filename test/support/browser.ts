import { existsSync } from 'node:fs';
import type { SQL } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { usageEvents } from '../../db/schema';
import type { TestApp } from './app';
import { testDb } from './db';
import { ensureWebBuild } from '../../server/web-build';
import { startTestServer } from './server';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does this).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** The real app, with the real web build, listening on a free port. */
export async function startWebServer(env: Record<string, string> = {}) {
  await ensureWebBuild('web/dist', () => undefined);
  return startTestServer({ env: { WEB_DIST_DIR: 'web/dist', ...env } });
}

/** Poll the usage table (flushing the app's buffer each time) until `ok` holds or 10 s pass. */
export async function usageRowsUntil(t: TestApp, where: SQL | undefined, ok: (n: number) => boolean) {
  const end = Date.now() + 10_000;
  for (;;) {
    await t.deps.usageRecorder.flush();
    const rows = await testDb().db.select().from(usageEvents).where(where);
    if (ok(rows.length) || Date.now() > end) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Make `page`'s browser the phone of this sandbox citizen (created if the simulator does not know
 * them): the sandbox's authorize page then signs them in without its picker
 * (server/sandbox/phone-cookie.ts), as the phone emulator does.
 */
export async function holdPhoneAs(page: Page, base: string, citizen: { openid: string; displayName: string }): Promise<void> {
  const listed = (await (await page.request.get(`${base}/sandbox/api/users`)).json()) as { data: { id: string; openid: string }[] };
  let user = listed.data.find((u) => u.openid === citizen.openid);
  if (!user) {
    const created = await page.request.post(`${base}/sandbox/api/users`, { data: { openid: citizen.openid, nickname: citizen.displayName } });
    // POST /sandbox/api/users answers { data: { user, push? } }
    user = ((await created.json()) as { data: { user: { id: string; openid: string } } }).data.user;
  }
  const phone = await page.request.post(`${base}/sandbox/api/phone`, { data: { userId: user.id } });
  if (phone.status() !== 200) throw new Error(`could not hand the phone to ${citizen.displayName}: ${phone.status()}`);
}
