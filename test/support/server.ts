import { createServer, type Server } from 'node:http';
import { createTestApp, type TestApp } from './app';

/**
 * The real app listening on a free port, with `PUBLIC_BASE_URL` and `deps.selfUrl` set to it,
 * for tests that need real HTTP: sandbox pushes to /wechat, the API client calling the sandbox,
 * OAuth redirects followed by a browser.
 */
export async function startTestServer(opts: Parameters<typeof createTestApp>[0] = {}): Promise<{ t: TestApp; base: string; close(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const t = createTestApp({ ...opts, env: { PUBLIC_BASE_URL: base, ...opts.env } });
  t.deps.selfUrl.set(base);
  server.on('request', t.app.callback());
  return {
    t,
    base,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await t.close();
    },
  };
}
