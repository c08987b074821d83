import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../db/connect';
import { createReportJobs } from '../../../server/reports/jobs';
import { createReportRollup, RollupRefused } from '../../../server/reports/rollup';
import { captureLogger } from '../../support/app';
import { ev, insertEvents, reportDatabase, sh, snapshotRollups, citizen } from './report-fixtures';
import { SCENARIO_END, scenarioEvents } from './scenario';

const MIN = 60_000;

/** A bigger pseudo-random mix: many citizens, visits across run boundaries and midnight. */
function randomEvents(n: number, seed = 42) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const kinds = ['page_view', 'page_view', 'menu_click', 'task_start', 'task_complete', 'lookup', 'no_result', 'search', 'error', 'follow'];
  const pages = ['h5.hall', 'h5.violations', 'h5.points', 'h5.appointments', 'h5.appointments.office', 'h5.application_new'];
  const tasks = ['violations.lookup', 'appointment.book', 'application.submit', 'licence.points'];
  const out = [];
  for (let i = 0; i < n; i++) {
    const who = Math.floor(rnd() * 40);
    const kind = kinds[Math.floor(rnd() * kinds.length)]!;
    const at = sh(20, 0) + Math.floor(rnd() * 8 * 60) * MIN; // 20:00 day 0 … 04:00 day 1, across midnight
    const anon = who >= 35;
    out.push(
      ev({
        occurredAt: at,
        citizenKey: anon ? null : citizen(String.fromCharCode(65 + (who % 26)) + String(who)),
        visitId: anon ? `anonvisit${who}` : null,
        source: kind === 'menu_click' || kind === 'follow' ? 'wechat' : 'h5',
        kind,
        name: kind === 'page_view' ? pages[Math.floor(rnd() * pages.length)]! : kind.startsWith('task') ? tasks[Math.floor(rnd() * tasks.length)]! : kind === 'menu_click' ? `k${Math.floor(rnd() * 5)}` : 'x',
        menuKey: kind === 'menu_click' ? `k${Math.floor(rnd() * 5)}` : null,
        menuVersion: rnd() < 0.5 ? 'v1' : 'v2',
        outcome: kind === 'task_complete' ? 'ok' : null,
        props: kind === 'search' || kind === 'no_result' ? { term: `t${Math.floor(rnd() * 3)}` } : null,
      }),
    );
  }
  return out;
}

describe('rollup job', () => {
  let incremental: DatabaseHandle;
  let rebuilt: DatabaseHandle;
  const end = sh(6, 0, 0, 1);

  beforeAll(async () => {
    [incremental, rebuilt] = await Promise.all([reportDatabase('rincr'), reportDatabase('rrebuild')]);
  });
  afterAll(async () => {
    await incremental?.close();
    await rebuilt?.close();
  });

  it('rebuild equals incremental runs that split visits (and midnight) at arbitrary points, with events arriving between runs', async () => {
    const events = [...scenarioEvents(), ...randomEvents(1500)].sort((a, b) => a.occurredAt - b.occurredAt);
    const rollup = createReportRollup({ db: incremental.db, lateMarginMs: 0, chunkMs: 3 * 3600_000 });
    // Events reach the table as time passes; each run sees only what has arrived by then.
    const cuts = [sh(10, 2), sh(10, 33), sh(11, 20), sh(20, 17), sh(23, 59, 30), sh(0, 2, 0, 1), sh(1, 11, 0, 1), end];
    let inserted = 0;
    const runs = [];
    for (const cut of cuts) {
      const arrived = events.filter((e) => e.occurredAt < cut).slice(inserted);
      if (arrived.length > 0) await insertEvents(incremental, arrived);
      inserted += arrived.length;
      runs.push(await rollup.runOnce({ until: cut }));
    }
    expect(runs.every((r) => r.ran)).toBe(true);
    expect(runs.some((r) => r.visitsOpen > 0)).toBe(true); // some runs really cut through open visits
    expect(runs.at(-1)!.lateEvents).toBe(0);

    await insertEvents(rebuilt, events);
    const other = createReportRollup({ db: rebuilt.db, lateMarginMs: 0 });
    await other.runOnce({ until: sh(12, 0) }); // a partial state that rebuild must throw away
    const r = await other.rebuild({ until: end });
    expect(r.visitsOpen).toBe(0);

    const a = await snapshotRollups(incremental);
    const b = await snapshotRollups(rebuilt);
    expect(a.visits!.length).toBeGreaterThan(40);
    expect(a.sketches!.length).toBeGreaterThan(40);
    for (const table of Object.keys(a)) expect({ table, rows: b[table] }).toEqual({ table, rows: a[table] });
  });

  it('counts events that arrive after their time was rolled up as late (and rebuild takes them in)', async () => {
    const h = await reportDatabase('rlate');
    try {
      const rollup = createReportRollup({ db: h.db, lateMarginMs: 0 });
      await insertEvents(h, [ev({ occurredAt: sh(9, 0), citizenKey: citizen('L'), kind: 'page_view', name: 'h5.hall' })]);
      await rollup.runOnce({ until: sh(12, 0) });
      await insertEvents(h, [ev({ occurredAt: sh(9, 5), citizenKey: citizen('M'), kind: 'page_view', name: 'h5.hall' })]);
      const r = await rollup.runOnce({ until: sh(13, 0) });
      expect(r.lateEvents).toBe(1);
      const [[before]] = (await h.pool.query('SELECT COUNT(*) AS n FROM report_visits')) as unknown as [[{ n: number }]];
      expect(Number(before.n)).toBe(1);
      await rollup.rebuild({ until: sh(13, 0) });
      const [[after]] = (await h.pool.query('SELECT COUNT(*) AS n FROM report_visits')) as unknown as [[{ n: number }]];
      expect(Number(after.n)).toBe(2);
      expect((await rollup.state())!.lateEvents).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('the timed job rolls up what is final and then applies retention', async () => {
    const h = await reportDatabase('rjobs');
    try {
      await insertEvents(h, scenarioEvents());
      const now = SCENARIO_END + 3 * 86_400_000;
      const { logger, records } = captureLogger();
      const jobs = createReportJobs({ rollup: createReportRollup({ db: h.db, lateMarginMs: 10 * MIN, now: () => now }), logger, intervalMs: 60_000, retentionDays: 1 });
      await jobs.tick();
      const [[v]] = (await h.pool.query('SELECT SUM(visits) AS n FROM report_visit_daily')) as unknown as [[{ n: number }]];
      expect(Number(v.n)).toBe(8);
      const [[raw]] = (await h.pool.query('SELECT COUNT(*) AS n FROM usage_events')) as unknown as [[{ n: number }]];
      expect(Number(raw.n)).toBe(0);
      expect(records().some((r) => r.msg === 'usage events past retention deleted' && r.deleted === scenarioEvents().length)).toBe(true);
      await jobs.stop();
    } finally {
      await h.close();
    }
  });

  it('a second process skips while one holds the job lock', async () => {
    const h = await reportDatabase('rlock');
    try {
      await insertEvents(h, scenarioEvents());
      const one = createReportRollup({ db: h.db, lateMarginMs: 0 });
      const two = createReportRollup({ db: h.db, lateMarginMs: 0 });
      const [r1, r2] = await Promise.all([one.runOnce({ until: SCENARIO_END }), two.runOnce({ until: SCENARIO_END })]);
      // Whichever lost the race either skipped or found nothing left to do: visits counted once.
      expect(r1.visitsClosed + r2.visitsClosed).toBe(8);
      const [[n]] = (await h.pool.query('SELECT SUM(visits) AS n FROM report_visit_daily')) as unknown as [[{ n: number }]];
      expect(Number(n.n)).toBe(8);
    } finally {
      await h.close();
    }
  });

  it('retention deletes old raw events only once they are rolled up, in batches; rebuild then refuses unless forced', async () => {
    const h = await reportDatabase('rretain');
    try {
      const now = sh(12, 0, 0, 10); // day 10
      const rollup = createReportRollup({ db: h.db, lateMarginMs: 0, now: () => now });
      const old = Array.from({ length: 25 }, (_, i) => ev({ occurredAt: sh(9, i), citizenKey: citizen('R'), kind: 'page_view', name: 'h5.hall' })); // day 0
      const recent = [ev({ occurredAt: sh(9, 0, 0, 9), citizenKey: citizen('S'), kind: 'page_view', name: 'h5.hall' })]; // day 9
      await insertEvents(h, [...old, ...recent]);
      // Nothing rolled up yet: nothing may go, however old.
      expect((await rollup.purge({ retentionDays: 5, batchSize: 10 })).deleted).toBe(0);
      // Rolled up to day 0 09:10 only: the events after it stay although they are old.
      await rollup.runOnce({ until: sh(9, 10) });
      const partial = await rollup.purge({ retentionDays: 5, batchSize: 10 });
      const [[left1]] = (await h.pool.query('SELECT COUNT(*) AS n FROM usage_events')) as unknown as [[{ n: number }]];
      expect(partial.deleted).toBeLessThan(25);
      expect(Number(left1.n)).toBe(26 - partial.deleted);
      await rollup.runOnce();
      const full = await rollup.purge({ retentionDays: 5, batchSize: 10 });
      expect(partial.deleted + full.deleted).toBe(25); // batches of 10: three rounds
      const [rows] = await h.pool.query('SELECT citizen_key FROM usage_events');
      expect(rows).toEqual([{ citizen_key: citizen('S') }]);
      // Closed visit rows past the horizon go too; the recent one stays.
      const [visits] = await h.pool.query('SELECT actor_key FROM report_visits');
      expect(visits).toEqual([{ actor_key: `c:${citizen('S')}` }]);
      // The rollups still hold day 0.
      const [[v]] = (await h.pool.query("SELECT SUM(visits) AS n FROM report_visit_daily WHERE day = '2026-03-02'")) as unknown as [[{ n: number }]];
      expect(Number(v.n)).toBe(1);
      await expect(rollup.rebuild()).rejects.toBeInstanceOf(RollupRefused);
      const forced = await rollup.rebuild({ force: true });
      expect(forced.visitsClosed).toBe(1);
    } finally {
      await h.close();
    }
  });
});
