import { createServer } from 'node:http';
import { request } from 'node:http';
import Router from '@koa/router';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { usageEvents } from '../../../db/schema';
import type { AppState } from '../../../server/http/state';
import { createInFlight } from '../../../server/http/in-flight';
import { createTestApp } from '../../support/app';
import { testDb, uniq } from '../../support/db';

describe('in-flight work at shutdown', () => {
  it('a handler still running after its client hung up is waited for before the usage buffer closes', async () => {
    const name = uniq('hangup');
    const router = new Router<AppState>();
    let t: ReturnType<typeof createTestApp>;
    router.get('/api/test/slow', async (ctx) => {
      await new Promise((r) => setTimeout(r, 300));
      t.deps.usageRecorder.record({ source: 'api', kind: 'task_complete', name });
      ctx.body = { data: 'done' };
    });
    t = createTestApp({ routers: [router] });
    const server = createServer(t.app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };

    const req = request({ host: '127.0.0.1', port, path: '/api/test/slow' });
    req.on('error', () => undefined);
    req.end();
    await new Promise((r) => setTimeout(r, 50));
    req.destroy(); // the client hangs up; the handler keeps running
    expect(t.deps.inFlight.count()).toBe(1);

    // What main.ts does: stop accepting (the socket is gone already), wait for in-flight work, then close.
    await new Promise((r) => server.close(r));
    expect(await t.deps.inFlight.idle(5000)).toBe(0);
    await t.close();
    expect(t.deps.usageRecorder.stats().dropped).toBe(0);
    expect(await testDb().db.select().from(usageEvents).where(eq(usageEvents.name, name))).toHaveLength(1);
  });

  it('tracks background work and gives up waiting after the timeout, saying how much was left', async () => {
    const f = createInFlight();
    let finish!: () => void;
    void f.track(new Promise<void>((r) => (finish = r)));
    expect(f.count()).toBe(1);
    expect(await f.idle(50)).toBe(1);
    finish();
    expect(await f.idle(1000)).toBe(0);
  });
});
