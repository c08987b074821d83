import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDb } from '../../support/db';
import { makeCitizen } from '../../support/factories';
import { at, createApplicationsTestApp, makeType, principal, VALID_ANSWERS } from './fixtures';

/**
 * 承诺时限: working days from the submission day (which never counts), with the State Council
 * holiday arrangement and its make-up workdays (调休). 2026: 国庆节 10-01..10-07, 调休 Saturday
 * 10-10; 劳动节 05-01..05-05, 调休 Saturday 05-09.
 */
let clock = at('2026-09-30');
const t = createApplicationsTestApp({ now: () => clock.getTime() });
const db = testDb().db;
let citizen: { id: number; openid: string };
afterAll(() => t.close());
beforeAll(async () => {
  const c = await makeCitizen(db);
  citizen = { id: c.id, openid: c.openid };
});

async function submitOn(instant: Date, days: number) {
  clock = instant;
  const type = await makeType(db, { timeLimitDays: days });
  return t.deps.applications.submit(citizen, { typeCode: type.code, answers: VALID_ANSWERS });
}

describe('due dates', () => {
  it('skip the National Day holiday and count the 调休 Saturday after it', async () => {
    // Wed 09-30 → day 1 Thu 10-08, day 2 Fri 10-09, day 3 Sat 10-10 (make-up workday)
    expect((await submitOn(at('2026-09-30'), 3)).dueOn).toBe('2026-10-10');
    // a plain Mon–Fri count would have said 10-05 (inside the holiday)
    expect((await submitOn(at('2026-09-30'), 4)).dueOn).toBe('2026-10-12');
  });

  it('count the Labour Day 调休 Saturday as the next working day', async () => {
    expect((await submitOn(at('2026-05-08'), 1)).dueOn).toBe('2026-05-09');
  });

  it('never count the submission day, even late on a working day or on a weekend', async () => {
    expect((await submitOn(at('2026-11-20', 23, 59), 1)).dueOn).toBe('2026-11-23'); // Fri night → Mon
    expect((await submitOn(at('2026-11-21'), 1)).dueOn).toBe('2026-11-23'); // Sat → Mon
  });

  it('overdue from 00:00 after the due day until completed; the queue filter follows it', async () => {
    const app = await submitOn(at('2026-11-16'), 2); // Mon → due Wed 11-18
    expect(app.dueOn).toBe('2026-11-18');
    const clerk = principal('clerk');
    const listOverdue = async () => (await t.deps.applications.adminList(clerk, { overdue: true, page: 1, pageSize: 100 })).items.map((i) => i.id);

    clock = at('2026-11-18', 23, 59);
    expect((await t.deps.applications.adminGet(clerk, app.id)).overdue).toBe(false);
    expect(await listOverdue()).not.toContain(app.id);

    clock = at('2026-11-19', 0, 0);
    expect((await t.deps.applications.adminGet(clerk, app.id)).overdue).toBe(true);
    expect(await listOverdue()).toContain(app.id);
    const dash = await t.deps.applications.dashboard();
    expect(dash.overdue).toBeGreaterThanOrEqual(1);

    for (const to of ['accepted', 'in_review', 'approved'] as const) await t.deps.applications.transition(clerk, app.id, to);
    expect((await t.deps.applications.adminGet(clerk, app.id)).overdue).toBe(true); // approved is not yet 办结
    await t.deps.applications.transition(clerk, app.id, 'completed');
    expect((await t.deps.applications.adminGet(clerk, app.id)).overdue).toBe(false);
    expect(await listOverdue()).not.toContain(app.id);
    const notOverdue = (await t.deps.applications.adminList(clerk, { overdue: false, page: 1, pageSize: 100, status: 'completed' })).items.map((i) => i.id);
    expect(notOverdue).toContain(app.id);
  });

  it('a bad rating’s follow-up is due RATING_FOLLOW_UP_WORKING_DAYS working days later and then overdue', async () => {
    const app = await submitOn(at('2026-09-28'), 3);
    const clerk = principal('clerk');
    await t.deps.applications.transition(clerk, app.id, 'accepted');
    clock = at('2026-09-29'); // Tue; 5 working days: 09-30, 10-08, 10-09, 10-10 (调休), 10-12
    const rated = await t.deps.applications.rate(citizen, app.id, { stage: 'accepted', score: 1, comment: '没人接电话' });
    expect(rated.ratings[0]?.followUp?.dueOn).toBe('2026-10-12');
    const find = async () => (await t.deps.applications.listFollowUps({ status: 'open', page: 1, pageSize: 100 })).items.find((f) => f.applicationId === app.id)!;
    clock = at('2026-10-12', 18);
    expect((await find()).overdue).toBe(false);
    clock = at('2026-10-13', 0, 0);
    expect((await find()).overdue).toBe(true);
    const overdueIds = (await t.deps.applications.listFollowUps({ status: 'open', overdue: true, page: 1, pageSize: 100 })).items.map((f) => f.applicationId);
    expect(overdueIds).toContain(app.id);
    expect((await t.deps.applications.dashboard()).overdueFollowUps).toBeGreaterThanOrEqual(1);
  });
});
