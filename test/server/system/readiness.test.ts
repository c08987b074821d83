import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../../db/connect';
import { createTestApp } from '../../support/app';
import { scratchDatabase } from '../../support/db';
import { usageInput } from '../../support/factories';

describe('health and readiness', () => {
  const t = createTestApp({ env: { USAGE_BUFFER_MAX: '10', USAGE_BATCH_SIZE: '1000' } });
  afterAll(() => t.close());

  it('/healthz answers while the process lives', async () => {
    const res = await t.request.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('ok');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('/readyz is ready on a migrated database and shows the usage pipeline, including drops', async () => {
    for (let i = 0; i < 12; i++) t.deps.usageRecorder.record(usageInput());
    const res = await t.request.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.data.checks).toEqual({ database: 'ok', migrations: 'ok', accepting: 'ok' });
    expect(res.body.data.usage).toMatchObject({ buffered: 10, dropped: 2 });
  });

  it('/readyz is 503 while draining for shutdown', async () => {
    const d = createTestApp();
    d.deps.system.startDraining();
    const res = await d.request.get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'NOT_READY', details: { checks: { accepting: 'draining' } } });
    await d.close();
  });

  it('/readyz is 503 with migrations pending on an unmigrated database', async () => {
    const url = await scratchDatabase('unmigrated');
    const h = connectDatabase(url, 1);
    const d = createTestApp({ db: h.db });
    const res = await d.request.get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.error.details.checks).toMatchObject({ database: 'ok', migrations: 'pending' });
    await d.close();
    await h.close();
  });

  it('/readyz is 503 when the database cannot be reached', async () => {
    const h = connectDatabase('mysql://root@127.0.0.1:1/nowhere', 1);
    const d = createTestApp({ db: h.db });
    const res = await d.request.get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.error.details.checks.database).toBe('fail');
    await d.close();
    await h.close();
  });
});
