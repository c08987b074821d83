import { existsSync } from 'node:fs';
import type { SQL } from 'drizzle-orm';
import { chromium, type Browser } from 'playwright-core';
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
