import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../db/connect';
import type { PushMessage } from '../../../server/wechat/messages';
import { createTestApp, type TestApp } from '../../support/app';
import { signedInAgent } from '../../support/citizen-agent';
import { makeCitizen } from '../../support/factories';
import { createStaff, signedInStaff } from '../../support/staff-agent';
import { reportDatabase } from './report-fixtures';

/**
 * The real producers (push handler, beacon, violation service) feed the reports: event names,
 * pseudonyms and attribution as they are recorded today are understood by the rollups.
 */
describe('reports count what the portal records', () => {
  let h: DatabaseHandle;
  let t: TestApp;
  beforeAll(async () => {
    h = await reportDatabase('rlive');
    t = createTestApp({ db: h.db });
  });
  afterAll(async () => {
    await t?.close();
    await h?.close();
  });

  it('a menu tap, the page it opens and a lookup with no result become one menu-entered lookup visit', async () => {
    const who = await makeCitizen(h.db);
    const { agent } = await signedInAgent(t, who);
    const at = Math.floor(Date.now() / 1000);
    const click = { kind: 'event', msgType: 'event', event: 'CLICK', eventKey: 'violations', toUserName: 'gh_x', fromUserName: who.openid, createTime: at, raw: {} } as unknown as PushMessage;
    await t.deps.pushHandler.handle(click);
    const visitId = 'liveVisit0001';
    const beacon = await agent
      .post('/api/usage/events')
      .set('content-type', 'text/plain')
      .send(JSON.stringify({ events: [{ kind: 'page_view', name: 'h5.violations', visitId, menuKey: 'violations' }, { kind: 'task_start', name: 'violations.lookup', visitId, menuKey: 'violations' }] }));
    expect(beacon.status).toBe(202);
    const lookup = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: '京A12345', vinSuffix: '123456' });
    expect(lookup.body.error?.code ?? 'found').not.toBe('VALIDATION_FAILED'); // a real lookup of an unknown vehicle
    await t.deps.usageRecorder.flush();

    // Roll up as if the visit had ended long ago.
    await t.deps.reportRollup.runOnce({ until: Date.now() + 3600_000 });
    const { agent: evaluator } = await signedInStaff(t, 'evaluator', { staff: await createStaff(h.db, { role: 'evaluator' }) });
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const q = { from: day, to: day };

    const lvt = (await evaluator.get('/api/admin/reports/lookups-vs-transactions').query(q)).body.data;
    expect(lvt.totals).toMatchObject({ visits: 1, lookup: 1 });
    const menu = (await evaluator.get('/api/admin/reports/menu-usage').query(q)).body.data;
    expect(menu.totalTaps).toBe(1);
    expect([...menu.items, ...menu.otherKeys].find((i: { key: string }) => i.key === 'violations')).toMatchObject({ taps: 1, citizens: 1 });
    const paths = (await evaluator.get('/api/admin/reports/paths').query(q)).body.data;
    expect(paths.stepsToTask).toMatchObject({ visitsWithTask: 1, median: 2 });
    expect(paths.stepsToTask.byEntry).toEqual([{ entry: 'menu', visits: 1, visitsWithTask: 1, median: 2 }]);
    const services = (await evaluator.get('/api/admin/reports/services').query(q)).body.data;
    expect(services.services.find((s: { task: string }) => s.task === 'violations.lookup')).toMatchObject({ visits: 1 });
    const failures = (await evaluator.get('/api/admin/reports/failures').query(q)).body.data;
    expect(failures.noResults).toEqual([{ where: 'violations.lookup', term: '', count: 1 }]);
    const audience = (await evaluator.get('/api/admin/reports/audience').query(q)).body.data;
    expect(audience.totals).toMatchObject({ citizens: 1, newCitizens: 1, visits: 1 });
  });
});
