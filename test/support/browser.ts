import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
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
