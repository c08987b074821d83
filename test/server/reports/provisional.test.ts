import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../db/connect';
import { createReportRollup } from '../../../server/reports/rollup';
import type { ReportService } from '../../../server/reports/service';
import { FUNNELS } from '../../../server/reports/schema';
import { citizen, DAY0, DAY1, ev, insertEvents, reportDatabase, sh, snapshotRollups } from './report-fixtures';
import { SCENARIO_END, scenarioEvents, scenarioReports } from './scenario';

const MIN = 60_000;

/**
 * The provisional tail: visits not final yet (30 minutes idle plus the late margin) are counted at
 * once and replaced by the next run, so reports show use within a job interval and the final
 * figures are exactly those of a run without a tail.
 */

/** Every report's answer without its meta (which names the data's time, and differs by design). */
async function allReports(service: ReportService) {
  const range = { from: DAY0, to: DAY1 };
  const strip = <T extends { meta?: unknown }>(r: T) => ({ ...r, meta: undefined });
  const out: Record<string, unknown> = {
    menuUsage: strip(await service.menuUsage(range)),
    menuUsageV1: strip(await service.menuUsage({ ...range, menuVersion: 'v1' })),
    services: strip(await service.services(range)),
    lookups: strip(await service.lookupsVsTransactions(range)),
    paths: strip(await service.paths({ ...range, page: 'h5.hall' })),
    failures: strip(await service.failures(range)),
    audience: strip(await service.audience(range)),
    notifications: strip(await service.notifications(range)),
    satisfaction: strip(await service.satisfaction(range)),
  };
  for (const f of FUNNELS) out[`funnel:${f}`] = strip(await service.funnel(f, range));
  return out;
}

describe('provisional tail', () => {
  let tailDb: DatabaseHandle;
  let finalDb: DatabaseHandle;

  beforeAll(async () => {
    [tailDb, finalDb] = await Promise.all([reportDatabase('rtail'), reportDatabase('rfinal')]);
  });
  afterAll(async () => {
    await tailDb?.close();
    await finalDb?.close();
  });

  it('every report shows all use at once, and exactly what the final figures will be', async () => {
    await insertEvents(tailDb, scenarioEvents());
    await insertEvents(finalDb, scenarioEvents());
    // Nothing is final yet: the watermark stays before the first event, the whole day is tail.
    const tail = createReportRollup({ db: tailDb.db, lateMarginMs: 0, provisional: true, now: () => SCENARIO_END });
    const r = await tail.runOnce({ until: sh(0, 0) });
    expect(r.provisional).toBe(true);
    expect(r.visitsClosed).toBe(0);
    const final = createReportRollup({ db: finalDb.db, lateMarginMs: 0, now: () => SCENARIO_END });
    expect((await final.runOnce({ until: SCENARIO_END })).visitsClosed).toBe(8);

    const provisionalAnswers = await allReports(scenarioReports(tailDb, tail));
    const finalAnswers = await allReports(scenarioReports(finalDb, final));
    for (const name of Object.keys(finalAnswers)) expect({ name, answer: provisionalAnswers[name] }).toEqual({ name, answer: finalAnswers[name] });
    // The meta says how far the figures reach and which part is provisional.
    const meta = (await scenarioReports(tailDb, tail).menuUsage({ from: DAY0, to: DAY1 })).meta;
    expect(meta.provisionalFrom).not.toBeNull();
    expect(meta.dataUntil).toBe(`${new Date(SCENARIO_END + 8 * 3600_000).toISOString().slice(0, 23)}+08:00`);

    // When the visits become final the tail is taken back: the tables equal a run that never had one.
    await tail.runOnce({ until: SCENARIO_END, tailUntil: SCENARIO_END });
    const a = await snapshotRollups(tailDb);
    const b = await snapshotRollups(finalDb);
    expect(a.tail).toEqual([{ provisional_until: 0 }]);
    for (const table of Object.keys(b)) if (table !== 'tail') expect({ table, rows: a[table] }).toEqual({ table, rows: b[table] });
  });

  it('runs with tails cut anywhere equal a rebuild with the same tail, and end equal to one without', async () => {
    const base = sh(9, 0);
    const who = ['A', 'B', 'C', 'D', 'E'];
    const events = [];
    // Five citizens, visits of taps, pages and tasks with gaps around the 30-minute idle limit.
    for (let i = 0; i < 120; i++) {
      const c = who[i % who.length]!;
      const at = base + i * 7 * MIN + (i % 3) * 11 * MIN;
      const kind = ['menu_click', 'page_view', 'task_start', 'task_complete', 'lookup'][i % 5]!;
      events.push(
        ev({
          occurredAt: at,
          citizenKey: citizen(c),
          kind,
          source: kind === 'menu_click' ? 'wechat' : 'h5',
          name: kind === 'page_view' ? 'h5.hall' : kind.startsWith('task') ? 'appointment.book' : kind === 'menu_click' ? 'k1' : 'violations',
          menuKey: kind === 'menu_click' ? 'k1' : null,
          menuVersion: 'v1',
          outcome: kind === 'task_complete' ? 'ok' : null,
        }),
      );
    }
    const other = await reportDatabase('rtailrebuild');
    const h = await reportDatabase('rtailincr');
    try {
      const rollup = createReportRollup({ db: h.db, lateMarginMs: 5 * MIN, provisional: true });
      const rebuilder = createReportRollup({ db: other.db, lateMarginMs: 5 * MIN, provisional: true });
      let inserted = 0;
      for (const cut of [base + 40 * MIN, base + 41 * MIN, base + 3 * 60 * MIN, base + 7 * 60 * MIN, base + 7 * 60 * MIN + 30_000]) {
        const arrived = events.filter((e) => e.occurredAt < cut).slice(inserted);
        if (arrived.length > 0) {
          await insertEvents(h, arrived);
          await insertEvents(other, arrived);
        }
        inserted += arrived.length;
        const until = cut - 35 * MIN;
        const r = await rollup.runOnce({ until, tailUntil: cut });
        expect(r.provisional).toBe(true);
        await rebuilder.rebuild({ until, tailUntil: cut });
        const a = await snapshotRollups(h);
        const b = await snapshotRollups(other);
        for (const table of Object.keys(a)) expect({ cut, table, rows: a[table] }).toEqual({ cut, table, rows: b[table] });
      }
      const end = base + 24 * 60 * MIN;
      await rollup.runOnce({ until: end, tailUntil: end });
      await rebuilder.rebuild({ until: end, tailUntil: end }); // a tail of nothing: none
      const a = await snapshotRollups(h);
      const b = await snapshotRollups(other);
      expect(a.tailSketches).toEqual([]);
      for (const table of Object.keys(a)) expect({ table, rows: a[table] }).toEqual({ table, rows: b[table] });
      const [[v]] = (await h.pool.query('SELECT COUNT(*) AS n FROM report_visit_daily WHERE visits = 0')) as unknown as [[{ n: number }]];
      expect(Number(v.n)).toBe(0);
    } finally {
      await h.close();
      await other.close();
    }
  });

  it('a tail above the size limit is left out (and the previous tail taken back), not half counted', async () => {
    const h = await reportDatabase('rtailcap');
    try {
      const at = sh(10, 0);
      const rollup = createReportRollup({ db: h.db, lateMarginMs: 0, provisional: true, provisionalMaxEvents: 3 });
      await insertEvents(h, [0, 1].map((i) => ev({ occurredAt: at + i * MIN, citizenKey: citizen('P'), kind: 'page_view', name: 'h5.hall' })));
      expect((await rollup.runOnce({ until: at - MIN, tailUntil: at + 5 * MIN })).provisional).toBe(true);
      const visits = async () => {
        const [[v]] = (await h.pool.query('SELECT COALESCE(SUM(visits), 0) AS n FROM report_visit_daily')) as unknown as [[{ n: number }]];
        return Number(v.n);
      };
      expect(await visits()).toBe(1);
      // Two more: four events in the tail, over the limit of three.
      await insertEvents(h, [2, 3].map((i) => ev({ occurredAt: at + i * MIN, citizenKey: citizen('P'), kind: 'page_view', name: 'h5.hall' })));
      const r = await rollup.runOnce({ until: at - MIN, tailUntil: at + 5 * MIN });
      expect(r.provisional).toBe(false);
      expect(await visits()).toBe(0);
      expect((await rollup.state())!.provisionalUntil).toBe(0);
      const [[s]] = (await h.pool.query('SELECT COUNT(*) AS n FROM report_citizen_sketches_tail')) as unknown as [[{ n: number }]];
      expect(Number(s.n)).toBe(0);
    } finally {
      await h.close();
    }
  });
});
