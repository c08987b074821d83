import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../support/app';
import { liveEnv } from '../../support/factories';

const dist = mkdtempSync(join(tmpdir(), 'govportal-dist-'));
for (const app of ['h5', 'admin', 'sandbox']) {
  mkdirSync(join(dist, app), { recursive: true });
  writeFileSync(join(dist, app, 'index.html'), `<!doctype html><title>${app}</title>`);
}
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'assets', 'h5-Ab12Cd34.js'), 'console.log(1)');
writeFileSync(join(dist, 'h5', 'manifest.webmanifest'), '{}');

const t = createTestApp({ env: { WEB_DIST_DIR: dist } });
afterAll(async () => {
  await t.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('static web app serving', () => {
  it('hashed assets are cached for a year, immutable', async () => {
    const res = await t.request.get('/assets/h5-Ab12Cd34.js');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/max-age=31536000/);
    expect(res.headers['cache-control']).toMatch(/immutable/);
  });

  it.each(['h5', 'admin', 'sandbox'])('/%s/ and its deep links serve that app’s index.html with no-cache', async (app) => {
    for (const path of [`/${app}/`, `/${app}/some/deep/link`]) {
      const res = await t.request.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain(`<title>${app}</title>`);
    }
  });

  it('bare app paths and / redirect to the app', async () => {
    expect((await t.request.get('/h5')).headers.location).toBe('/h5/');
    expect((await t.request.get('/')).headers.location).toBe('/h5/');
  });

  it('real files under an app are served as themselves; missing files with an extension are 404, not the page', async () => {
    const res = await t.request.get('/h5/manifest.webmanifest');
    expect(res.status).toBe(200);
    expect(res.text).toBe('{}');
    const missing = await t.request.get('/h5/logo.png');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect((await t.request.get('/assets/nope.js')).status).toBe(404);
  });

  it('API paths under /sandbox answer JSON 404s, never the page; writes are not served', async () => {
    const res = await t.request.get('/sandbox/api/cgi-bin/unknown');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect((await t.request.post('/h5/').send({})).status).toBe(404);
  });

  it('in live mode the sandbox page is not served', async () => {
    const live = createTestApp({
      env: { ...liveEnv(), WEB_DIST_DIR: dist },
    });
    expect((await live.request.get('/sandbox/')).status).toBe(404);
    expect((await live.request.get('/h5/')).status).toBe(200);
    await live.close();
  });

  it('does not escape the dist directory', async () => {
    const res = await t.request.get('/assets/..%2f..%2fetc%2fpasswd');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('root:');
  });
});
