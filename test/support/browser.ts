import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { ensureWebBuild } from '../../server/web-build';
import { createTestApp, type TestApp } from './app';

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
export async function startWebServer(env: Record<string, string> = {}): Promise<{ t: TestApp; base: string; close(): Promise<void> }> {
  await ensureWebBuild('web/dist', () => undefined);
  const t = createTestApp({ env: { WEB_DIST_DIR: 'web/dist', ...env } });
  const server: Server = createServer(t.app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    t,
    base: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await t.close();
    },
  };
}
