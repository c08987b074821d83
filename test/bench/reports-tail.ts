/**
 * Provisional-tail benchmark (not a test): `npm run bench:reports-tail`.
 *
 * What one rollup run pays for the provisional tail (docs/evaluation.md "Provisional tail"): every
 * run re-derives the visits open at the watermark T plus every event in [T, tailUntil), takes back
 * the previous run's tail and adds the new one. The cost grows with the traffic of the unfinished
 * window, so it is measured at several tail sizes up to the cap.
 *
 * Data: one busy day of test/bench/reports-data.ts (BENCH_TAIL_DAY_EVENTS events a day, about
 * 83 events/s at 10:00), from midnight up to the end of the largest window. The whole morning is
 * there because a run re-reads every event since the earliest visit still open at T, and at this
 * traffic a heavy user's visit open at 10:00 can have started before 8:00 (30-minute gaps chain).
 * T is 10:00 Asia/Shanghai; the morning is rolled up finally to T once (`rebuild({ until: T })`)
 * and the rollup tables are copied aside (`bench_snap_*`). For each size the window [T, T + w) is
 * cut so that it holds that many events (sizes ascending; the events after each window are
 * inserted only when the next size needs them). Per size, from that copy (restored, untimed):
 *   1. the same run with the tail left out (cap 0), BENCH_RUNS times after a warm-up: what every
 *      run costs anyway (re-deriving the visits open at T), so the tail's own part is the difference;
 *   2. one tail run as a warm-up (nothing to take back yet), then BENCH_RUNS timed
 *      `runOnce({ until: T, tailUntil: T + w })`, each taking back the previous tail and adding one;
 *   3. a report query with that tail present, then (copy restored) without one;
 *   4. baseline: `runOnce({ until: T + w + 31 min })` from the same tail-less state, so the same
 *      events (open visits + the window) are derived once, finally — BENCH_BASELINE_RUNS times,
 *      each from the restored copy. A restored copy rather than a rebuild per run: the same state
 *      in a few seconds instead of re-deriving the whole morning, and no tail to take back, so the
 *      baseline is the pure cost of deriving those events once.
 * Then the over-cap run: a window of BENCH_TAIL_OVER_CAP events with the cap at BENCH_TAIL_CAP — the
 * run must leave the tail out; timed once while it takes back a tail at the cap, then without, and
 * the same window uncapped for comparison.
 *
 * Options (env): BENCH_DATABASE_URL (default mysql://root@127.0.0.1:3306/govportal_bench_tail),
 * BENCH_TAIL_DAY_EVENTS (3400000), BENCH_CITIZENS (200000), BENCH_TAIL_SIZES (10000,50000,200000),
 * BENCH_TAIL_OVER_CAP (250000), BENCH_TAIL_CAP (200000), BENCH_RUNS (5), BENCH_BASELINE_RUNS (3),
 * BENCH_WRITE_DOC (1: write docs/performance.md).
 */
import { gunzipSync } from 'node:zlib';
import { createReportQueries } from '../../server/reports/queries';
import { createReportRollup, type RollupRunResult } from '../../server/reports/rollup';
import { cpuMs, f, machineLine, openBench, selfCpuMs, writeSection } from './bench-kit';
import { COLUMNS, dayEvents, dayOf, type GenOptions } from './reports-data';

const env = process.env; // a script, not the server: config.ts rules apply to server code
const url = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/govportal_bench_tail';
const eventsPerDay = Number(env.BENCH_TAIL_DAY_EVENTS ?? 3_400_000);
const citizens = Number(env.BENCH_CITIZENS ?? 200_000);
const sizes = (env.BENCH_TAIL_SIZES ?? '10000,50000,200000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const overCap = Number(env.BENCH_TAIL_OVER_CAP ?? 250_000);
const cap = Number(env.BENCH_TAIL_CAP ?? 200_000);
const runs = Number(env.BENCH_RUNS ?? 5);
const baselineRuns = Number(env.BENCH_BASELINE_RUNS ?? 3);
const writeDoc = (env.BENCH_WRITE_DOC ?? '1') !== '0';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const LATE_MARGIN = 10 * MIN;
const JOB_INTERVAL = 60_000; // REPORTS_ROLLUP_INTERVAL_MS default: a tail run happens this often

const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Timed<T> {
  ms: number;
  nodeCpu: number;
  dbCpu: number | null;
  value: T;
}

const hhmm = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(11, 16);

interface SizeFigures {
  target: number;
  events: number;
  windowMin: number;
  eventsRead: number;
  first: Timed<RollupRunResult>;
  tail: Timed<RollupRunResult>[];
  noTail: Timed<RollupRunResult>[];
  stored: { blobBytes: number; counterRows: number; tailSketches: number };
  baseline: Timed<RollupRunResult>[];
  dims: number;
  queryWith: number[];
  queryWithout: number[];
  loadMs: number;
}

async function main() {
  // The same lock as bench:reports: the two would compete for the same cores.
  const { load0, lock, h, db } = await openBench(url, 'govportal:bench:reports');
  const timed = async <T>(fn: () => Promise<T>): Promise<Timed<T>> => {
    const c0 = selfCpuMs();
    const d0 = cpuMs(db.pid);
    const t = performance.now();
    const value = await fn();
    const ms = performance.now() - t;
    const d1 = cpuMs(db.pid);
    return { ms, nodeCpu: selfCpuMs() - c0, dbCpu: d0 === null || d1 === null ? null : d1 - d0, value };
  };

  // A Shanghai midnight three days ago: the day is over, so every bound below is in the past.
  const start = Math.floor((Date.now() - 3 * DAY + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
  const T = start + 10 * HOUR;
  const o: GenOptions = { start, days: 1, citizens, eventsPerDay };
  log(`generating one day of ${f(eventsPerDay)} events…`);
  const maxN = Math.max(...sizes, overCap);
  const all = dayEvents(0, o).sort((a, b) => a[0] - b[0]);
  const i0 = all.findIndex((r) => r[0] >= T);
  if (i0 < 0 || all.length <= i0 + maxN) throw new Error(`the day has fewer than ${f(maxN)} events after 10:00: raise BENCH_TAIL_DAY_EVENTS`);
  const rows = all.slice(0, i0 + maxN + 1);
  all.length = 0;
  /** The end of the window starting at T that holds `n` events. */
  const boundFor = (n: number) => rows[i0 + n]![0];

  await h.pool.query('TRUNCATE TABLE usage_events');
  let loaded = 0;
  const insertUpTo = async (bound: number) => {
    let end = loaded;
    while (end < rows.length && rows[end]![0] < bound) end++;
    for (let i = loaded; i < end; i += 5000) await h.pool.query(`INSERT INTO usage_events (${COLUMNS.join(', ')}) VALUES ?`, [rows.slice(i, Math.min(end, i + 5000))]);
    loaded = end;
  };
  const countIn = async (from: number, to: number) => {
    const [[row]] = (await h.pool.query('SELECT COUNT(*) AS n FROM usage_events WHERE occurred_at >= ? AND occurred_at < ?', [from, to])) as unknown as [[{ n: number }]];
    return Number(row.n);
  };

  // The morning, final to T, then its rollup tables copied aside: every measurement starts from them.
  log(`inserting and rolling up the ${f(i0)} events before 10:00…`);
  await insertUpTo(T);
  const morning = await timed(() => createReportRollup({ db: h.db, lateMarginMs: LATE_MARGIN }).rebuild({ until: T, force: true }));
  const [tableRows] = (await h.pool.query("SHOW TABLES LIKE 'report\\_%'")) as unknown as [Array<Record<string, string>>];
  const tables = tableRows.map((r) => Object.values(r)[0]!);
  for (const t of tables) {
    await h.pool.query(`DROP TABLE IF EXISTS bench_snap_${t}`);
    await h.pool.query(`CREATE TABLE bench_snap_${t} LIKE ${t}`);
    await h.pool.query(`INSERT INTO bench_snap_${t} SELECT * FROM ${t}`);
  }
  const [[openRow]] = (await h.pool.query('SELECT COUNT(*) AS n, MIN(started_at) AS s, COALESCE(SUM(events), 0) AS e FROM report_visits WHERE open = 1')) as unknown as [
    [{ n: number; s: number; e: number }],
  ];
  const openAtT = { visits: Number(openRow.n), earliest: Number(openRow.s), events: Number(openRow.e), readBeforeT: await countIn(Number(openRow.s), T) };
  log(`  ${f(morning.ms / 1000, 1)} s; ${f(openAtT.visits)} visits open at T, the earliest since ${hhmm(openAtT.earliest)}`);
  /** Back to the copy: the rollups final to T, no tail. A new job instance, so no dimension ids are cached from before. */
  let rollup = createReportRollup({ db: h.db, lateMarginMs: LATE_MARGIN, provisionalMaxEvents: cap });
  const resetToT = async () => {
    for (const t of tables) {
      await h.pool.query(`TRUNCATE TABLE ${t}`);
      await h.pool.query(`INSERT INTO ${t} SELECT * FROM bench_snap_${t}`);
    }
    rollup = createReportRollup({ db: h.db, lateMarginMs: LATE_MARGIN, provisionalMaxEvents: cap });
  };
  const timeLoad = async (to: number) => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await h.pool.query('SELECT id, occurred_at, visit_id, citizen_key, source, kind, name, menu_key, menu_version, outcome, props FROM usage_events WHERE occurred_at >= ? AND occurred_at < ?', [
        openAtT.earliest,
        to,
      ]);
      times.push(performance.now() - t);
    }
    return median(times);
  };
  const queries = createReportQueries(h.db);
  const day = dayOf(T);
  const timeQuery = async () => {
    const [dimRows] = (await h.pool.query('SELECT dim FROM report_dims')) as unknown as [Array<{ dim: string }>];
    const dims = dimRows.map((d) => d.dim);
    const times: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const t = performance.now();
      await queries.citizensByDim(dims, { from: day, to: day });
      if (i > 0) times.push(performance.now() - t); // the first run warms caches
    }
    return { dims: dims.length, times };
  };
  const storedTail = async () => {
    const [[st]] = (await h.pool.query("SELECT provisional FROM report_state WHERE name = 'usage'")) as unknown as [[{ provisional: Buffer | null }]];
    const blob = st.provisional;
    const counterRows = blob ? Object.values(JSON.parse(gunzipSync(blob).toString('utf8')) as Record<string, unknown[]>).reduce((s, r) => s + r.length, 0) : 0;
    const [[sk]] = (await h.pool.query('SELECT COUNT(*) AS n FROM report_citizen_sketches_tail')) as unknown as [[{ n: number }]];
    return { blobBytes: blob?.length ?? 0, counterRows, tailSketches: Number(sk.n) };
  };

  const figures: SizeFigures[] = [];
  for (const n of sizes) {
    const bound = boundFor(n);
    await insertUpTo(bound);
    const events = await countIn(T, bound);
    log(`tail of ${f(events)} events: window 10:00 + ${f((bound - T) / MIN, 1)} min`);
    await resetToT();

    // The same run with the tail left out (cap 0): what every run costs anyway at this traffic.
    const noTailJob = createReportRollup({ db: h.db, lateMarginMs: LATE_MARGIN, provisionalMaxEvents: 0 });
    const noTail: Timed<RollupRunResult>[] = [];
    for (let i = 0; i <= runs; i++) {
      const r = await timed(() => noTailJob.runOnce({ until: T, tailUntil: bound }));
      if (r.value.provisional) throw new Error('the cap-0 run added a tail');
      if (i > 0) noTail.push(r); // the first warms caches
    }

    const first = await timed(() => rollup.runOnce({ until: T, tailUntil: bound }));
    if (!first.value.provisional) throw new Error(`the ${f(n)}-event tail was not added`);
    const tail: Timed<RollupRunResult>[] = [];
    for (let i = 0; i < runs; i++) tail.push(await timed(() => rollup.runOnce({ until: T, tailUntil: bound })));
    if (tail.some((t) => !t.value.provisional)) throw new Error('a tail run left the tail out');
    const stored = await storedTail();
    const withTail = await timeQuery();
    log(`  tail runs: first ${f(first.ms, 0)} ms, then median ${f(median(tail.map((t) => t.ms)), 0)} ms, max ${f(Math.max(...tail.map((t) => t.ms)), 0)} ms`);

    const baseline: Timed<RollupRunResult>[] = [];
    let withoutTail: Awaited<ReturnType<typeof timeQuery>> | null = null;
    for (let i = 0; i < baselineRuns; i++) {
      await resetToT();
      if (!withoutTail) withoutTail = await timeQuery();
      const b = await timed(() => rollup.runOnce({ until: bound + 31 * MIN }));
      if (b.value.visitsOpen !== 0 || b.value.provisional) throw new Error('the baseline run left visits open');
      baseline.push(b);
    }
    log(`  baseline (final roll-up of the same events): median ${f(median(baseline.map((b) => b.ms)), 0)} ms`);
    figures.push({
      target: n,
      events,
      windowMin: (bound - T) / MIN,
      eventsRead: tail[0]?.value.eventsRead ?? first.value.eventsRead,
      first,
      tail,
      noTail,
      stored,
      baseline,
      dims: withTail.dims,
      queryWith: withTail.times,
      queryWithout: withoutTail!.times,
      loadMs: await timeLoad(bound),
    });
  }

  // Over the cap: the run must leave the tail out (and take back the previous one).
  const overBound = boundFor(overCap);
  await insertUpTo(overBound);
  const overEvents = await countIn(T, overBound);
  log(`over the cap: ${f(overEvents)} events with cap ${f(cap)}`);
  await resetToT();
  const capBound = boundFor(cap);
  if (!(await rollup.runOnce({ until: T, tailUntil: capBound })).provisional) throw new Error('the tail at the cap was not added');
  const skipFirst = await timed(() => rollup.runOnce({ until: T, tailUntil: overBound }));
  const skips: Timed<RollupRunResult>[] = [];
  for (let i = 0; i < runs; i++) skips.push(await timed(() => rollup.runOnce({ until: T, tailUntil: overBound })));
  const after = await rollup.state();
  if (skipFirst.value.provisional || skips.some((s) => s.value.provisional) || after?.provisionalUntil !== 0) throw new Error('the over-cap tail was not left out');
  const countTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await h.pool.query('SELECT COUNT(*) AS n FROM (SELECT 1 FROM usage_events WHERE occurred_at >= ? AND occurred_at < ? LIMIT ?) t', [T, overBound, cap + 1]);
    countTimes.push(performance.now() - t);
  }
  // The same window with no cap: what the cap spares each run.
  const uncapped = createReportRollup({ db: h.db, lateMarginMs: LATE_MARGIN, provisionalMaxEvents: overCap * 2 });
  await uncapped.runOnce({ until: T, tailUntil: overBound });
  const unc: Timed<RollupRunResult>[] = [];
  for (let i = 0; i < runs; i++) unc.push(await timed(() => uncapped.runOnce({ until: T, tailUntil: overBound })));
  if (unc.some((u) => !u.value.provisional)) throw new Error('the uncapped run left the tail out');
  log(`  skip: first ${f(skipFirst.ms, 0)} ms (takes back a ${f(cap)} tail), then median ${f(median(skips.map((s) => s.ms)), 0)} ms; uncapped tail median ${f(median(unc.map((u) => u.ms)), 0)} ms`);

  const md = (xs: Timed<unknown>[]) => f(median(xs.map((x) => x.ms)), 0);
  const mx = (xs: Timed<unknown>[]) => f(Math.max(...xs.map((x) => x.ms)), 0);
  const cpu = (xs: Timed<unknown>[]) => `${f(median(xs.map((x) => x.nodeCpu)), 0)} / ${xs.every((x) => x.dbCpu !== null) ? f(median(xs.map((x) => x.dbCpu!)), 0) : '?'}`;
  const generated = `Command: \`npm run bench:reports-tail\` (BENCH_TAIL_DAY_EVENTS=${eventsPerDay}, BENCH_CITIZENS=${citizens}, BENCH_TAIL_SIZES=${sizes.join(',')}, BENCH_TAIL_OVER_CAP=${overCap}, BENCH_TAIL_CAP=${cap}, BENCH_RUNS=${runs}, BENCH_BASELINE_RUNS=${baselineRuns}) — run ${new Date().toISOString().slice(0, 16)}Z.
${machineLine(db, load0)}

One generated day of ${f(eventsPerDay)} events (${dayOf(start)}, ${f(citizens)} citizens): the ${f(i0)} events before T = 10:00 Asia/Shanghai rolled up finally first (\`rebuild({ until: T })\`, ${(morning.ms / 1000).toFixed(1)} s, untimed below) — **${f(openAtT.visits)} visits open at T (${f(openAtT.events)} events), the earliest since ${hhmm(openAtT.earliest)}**, so every run reads the ${f(openAtT.readBeforeT)} events since ${hhmm(openAtT.earliest)} again and keeps only the open visits' ones. A tail run is \`runOnce({ until: T, tailUntil: T + w })\`: it takes back the previous run's tail and adds a new one (the visits open at T re-derived with the window's events). Baseline: the same events (open visits + window) rolled up once, finally, from the same tail-less state (\`runOnce({ until: T + w + 31 min })\` after the rollup tables are restored to their state at T).

Wall clock:

| tail events in [T, T + w) | w | events read per run | of which the \`SELECT\` alone ms | first tail run (nothing to take back) ms | tail run ms, median / max of ${runs} | share of a ${JOB_INTERVAL / 1000} s job interval | the same run without the tail (cap 0) ms, median of ${runs} | the tail's own cost (difference) ms | baseline: final roll-up ms (median of ${baselineRuns}) | tail run ÷ baseline | stored tail: gzip bytes, counter rows, tail sketches |
|---|---|---|---|---|---|---|---|---|---|---|---|
${figures
  .map(
    (s) =>
      `| ${f(s.events)} | ${f(s.windowMin, 1)} min | ${f(s.eventsRead)} | ${f(s.loadMs, 0)} | ${f(s.first.ms, 0)} | **${md(s.tail)}** / ${mx(s.tail)} | ${f((median(s.tail.map((t) => t.ms)) / JOB_INTERVAL) * 100, 1)} % | ${md(s.noTail)} | ${f(median(s.tail.map((t) => t.ms)) - median(s.noTail.map((t) => t.ms)), 0)} | ${md(s.baseline)} | **${f(median(s.tail.map((t) => t.ms)) / median(s.baseline.map((b) => b.ms)), 2)}×** | ${f(s.stored.blobBytes)}, ${f(s.stored.counterRows)}, ${f(s.stored.tailSketches)} |`,
  )
  .join('\n')}

CPU time, median ms, node (this process: the job alone) / MariaDB (the whole server, so other databases' work on this box counts too) — steadier than the wall clock when the cores are shared:

| tail events | tail run | without the tail (cap 0) | baseline: final roll-up | tail run ÷ baseline, node CPU |
|---|---|---|---|---|
${figures
  .map(
    (s) =>
      `| ${f(s.events)} | ${cpu(s.tail)} | ${cpu(s.noTail)} | ${cpu(s.baseline)} | ${f(median(s.tail.map((t) => t.nodeCpu)) / median(s.baseline.map((b) => b.nodeCpu)), 2)}× |`,
  )
  .join('\n')}

Report query with and without a tail: \`createReportQueries(db).citizensByDim(<every dimension>, <the day>)\` (the one query that reads the tail's own sketch table), median / max ms of ${runs} after a warm-up:

| tail events | dimensions | with the tail | without a tail (rollups final to T only) |
|---|---|---|---|
${figures.map((s) => `| ${f(s.events)} | ${s.dims} | ${f(median(s.queryWith), 1)} / ${f(Math.max(...s.queryWith), 1)} | ${f(median(s.queryWithout), 1)} / ${f(Math.max(...s.queryWithout), 1)} |`).join('\n')}

Over the cap: a window of ${f(overEvents)} events (w = ${f((overBound - T) / MIN, 1)} min) with \`provisionalMaxEvents\` ${f(cap)} — every run left the tail out (\`provisional: false\`, \`provisionalUntil\` 0):

| run | ms |
|---|---|
| first skipped run, taking back the previous run's ${f(cap)}-event tail | ${f(skipFirst.ms, 0)} |
| skipped run, nothing to take back (median / max of ${runs}) | **${md(skips)}** / ${mx(skips)} (node / MariaDB CPU ${cpu(skips)}) |
| of which the cap check alone (\`COUNT\` with \`LIMIT ${f(cap + 1)}\`, median of ${runs}) | ${f(median(countTimes), 1)} |
| the same ${f(overEvents)}-event tail with no cap (median / max of ${runs}) | ${md(unc)} / ${mx(unc)} |
`;
  if (writeDoc) {
    writeSection(
      'reports-tail',
      '## Reports: provisional tail (test/bench/reports-tail.ts)',
      'What the provisional tail (docs/evaluation.md §11) costs each rollup run: the run takes back the previous tail and derives the unfinished window again — the visits open at the watermark T and every event after it — at tail sizes up to the cap `REPORTS_PROVISIONAL_MAX_EVENTS`, against deriving the same events once, finally; plus a report query with and without a tail, and the run whose tail is over the cap. Own database `govportal_bench_tail` (emptied each run).',
      generated,
    );
    log('docs/performance.md updated');
  }
  process.stdout.write(generated);
  await h.close();
  await lock.end();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
