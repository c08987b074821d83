/**
 * Evaluator-reports benchmark (not a test): `npm run bench:reports`.
 *
 * 1. Generate BENCH_EVENTS usage events over BENCH_DAYS days for BENCH_CITIZENS citizens into a
 *    dedicated database (bulk INSERT through mysql2; resumable day by day; reused if complete).
 * 2. Roll them up from scratch (`rebuild`, the same code as the incremental job): events/s.
 * 3. Time every report endpoint over the whole period through the real server (HTTP, a signed-in
 *    evaluator): BENCH_RUNS runs after one warm-up, median and max, against the 300 ms target;
 *    baseline: the same menu-usage figures computed from the raw table in the same run.
 * 4. Rollup while events keep arriving: a writer appends the next day's events at BENCH_LIVE_RATE
 *    events/s for BENCH_LIVE_SECONDS while the job rolls up behind it; throughput and lag.
 *
 * Options (env): BENCH_DATABASE_URL (default mysql://root@127.0.0.1:3306/govportal_bench_reports),
 * BENCH_EVENTS (10000000), BENCH_CITIZENS (200000), BENCH_DAYS (90), BENCH_RUNS (5),
 * BENCH_LIVE_RATE (2000), BENCH_LIVE_SECONDS (60), BENCH_WRITE_DOC (1: write docs/performance.md).
 */
import type { DatabaseHandle } from '../../db/connect';
import { staffAccounts } from '../../db/schema';
import { createReportRollup } from '../../server/reports/rollup';
import { hashPassword } from '../../server/staff/password';
import { createStaffSessionStore } from '../../server/staff/sessions';
import { STAFF_COOKIE } from '../../server/staff/sessions';
import { f, machineLine, openBench, startPortal, stop, writeSection } from './bench-kit';
import { COLUMNS, dayEvents, dayOf, generate, type GenOptions } from './reports-data';

const env = process.env; // a script, not the server: config.ts rules apply to server code
const url = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/govportal_bench_reports';
const totalEvents = Number(env.BENCH_EVENTS ?? 10_000_000);
const citizens = Number(env.BENCH_CITIZENS ?? 200_000);
const days = Number(env.BENCH_DAYS ?? 90);
const runs = Number(env.BENCH_RUNS ?? 5);
const liveRate = Number(env.BENCH_LIVE_RATE ?? 2000);
const liveSeconds = Number(env.BENCH_LIVE_SECONDS ?? 60);
const writeDoc = (env.BENCH_WRITE_DOC ?? '1') !== '0';
const TARGET_MS = 300;
const IDLE_AND_MARGIN = 40 * 60_000;

const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const { load0, lock, h, db } = await openBench(url, 'govportal:bench:reports');
  // Day 0 is a Shanghai midnight 100 days ago, so the period is in the past and "now" is later.
  const start = Math.floor((Date.now() - 100 * 86_400_000 + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000;
  const [[meta]] = (await h.pool.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', ['bench_params'])) as unknown as [[{ n: number }]];
  if (Number(meta.n) === 0) await h.pool.query('CREATE TABLE bench_params (k VARCHAR(32) PRIMARY KEY, v VARCHAR(64) NOT NULL)');
  const params = JSON.stringify({ totalEvents, citizens, days });
  const [old] = (await h.pool.query("SELECT v FROM bench_params WHERE k = 'params'")) as unknown as [Array<{ v: string }>];
  const [oldStart] = (await h.pool.query("SELECT v FROM bench_params WHERE k = 'start'")) as unknown as [Array<{ v: string }>];
  let o: GenOptions = { start, days, citizens, eventsPerDay: Math.ceil(totalEvents / days) };
  if (old[0]?.v === params && oldStart[0]) o = { ...o, start: Number(oldStart[0].v) };
  else {
    log('new parameters: the benchmark database starts empty');
    await h.pool.query('DELETE FROM usage_events');
    await h.pool.query('DROP TABLE IF EXISTS bench_days');
    await h.pool.query("REPLACE INTO bench_params VALUES ('params', ?), ('start', ?)", [params, String(start)]);
  }

  // 1. data
  log(`generating ${f(totalEvents)} events over ${days} days for ${f(citizens)} citizens (resumable)…`);
  const gen = await generate(h.pool, o, log);
  const [[cnt]] = (await h.pool.query('SELECT COUNT(*) AS n FROM usage_events')) as unknown as [[{ n: number }]];
  const events = Number(cnt.n);
  log(`  ${f(events)} events present (${gen.generatedDays} days written now in ${f(gen.seconds, 0)} s)`);

  // 2. rollup from scratch
  const end = o.start + days * 86_400_000; // the live phase continues from here
  const rollup = createReportRollup({ db: h.db, lateMarginMs: 10 * 60_000 });
  log('rolling up from scratch…');
  const t0 = Date.now();
  const built = await rollup.rebuild({ until: end, force: true });
  const rollupS = (Date.now() - t0) / 1000;
  const [[visitsRow]] = (await h.pool.query('SELECT COUNT(*) AS n FROM report_visits')) as unknown as [[{ n: number }]];
  const [[dcRow]] = (await h.pool.query('SELECT COUNT(*) AS n FROM report_citizen_sketches')) as unknown as [[{ n: number }]];
  log(`  ${f(built.eventsRead)} events → ${f(Number(visitsRow.n))} visits in ${f(rollupS, 1)} s (${f(built.eventsRead / rollupS, 0)} events/s)`);

  // 3. reports over HTTP
  const session = await evaluatorSession(h);
  const portal = await startPortal(url, { REPORTS_ROLLUP_IN_SERVER: 'false', NOTIFY_WORKER_IN_SERVER: 'false' });
  const base = `http://127.0.0.1:${portal.port}`;
  const from = dayOf(o.start);
  const to = dayOf(o.start + (days - 1) * 86_400_000);
  const q = `from=${from}&to=${to}`;
  const mid = dayOf(o.start + Math.floor(days / 2) * 86_400_000);
  const endpoints = [
    `menu-usage?${q}`,
    `menu-usage?${q}&menuVersion=v2`,
    `services?${q}`,
    `lookups-vs-transactions?${q}`,
    `funnels/booking?${q}`,
    `funnels/application?${q}`,
    `paths?${q}`,
    `failures?${q}`,
    `audience?${q}`,
    `audience?${q}&source=menu`,
    `notifications?${q}`,
    `satisfaction?${q}`,
    `compare?${q}&a=v1&b=v2`,
    `compare?a=${from}..${mid}&b=${mid}..${to}`,
    `menu-usage.csv?${q}`,
    `failures.csv?${q}`,
  ];
  const timings: Array<{ path: string; median: number; max: number }> = [];
  let estimatedCitizens = 0;
  try {
    const aud = (await (await fetch(`${base}/api/admin/reports/audience?${q}`, { headers: { cookie: `${STAFF_COOKIE}=${session}` } })).json()) as { data: { totals: { citizens: number } } };
    estimatedCitizens = aud.data.totals.citizens;
    for (const path of endpoints) {
      const times: number[] = [];
      for (let i = 0; i <= runs; i++) {
        const t = performance.now();
        const res = await fetch(`${base}/api/admin/reports/${path}`, { headers: { cookie: `${STAFF_COOKIE}=${session}` } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
        if (i > 0) times.push(performance.now() - t); // the first run warms caches and is not counted
      }
      timings.push({ path, median: median(times), max: Math.max(...times) });
      log(`  ${path}: median ${f(median(times), 1)} ms, max ${f(Math.max(...times), 1)} ms`);
    }
  } finally {
    await stop(portal);
  }

  // Baseline: the menu-usage figures straight from the raw table, same period.
  const rawTimes: number[] = [];
  const rawCitizens: number[] = [];
  let exactCitizens = 0;
  // Raw-table queries take tens of seconds at full scale: repeat them only while they are quick.
  for (let i = 0; i < Math.min(3, runs) && (i === 0 || Math.max(...rawTimes) < 10_000); i++) {
    let t = performance.now();
    await h.pool.query(
      "SELECT menu_key, COUNT(*) AS taps, COUNT(DISTINCT citizen_key) AS citizens FROM usage_events WHERE kind IN ('menu_click','menu_view') AND occurred_at >= ? AND occurred_at < ? GROUP BY menu_key",
      [o.start, o.start + days * 86_400_000],
    );
    rawTimes.push(performance.now() - t);
    t = performance.now();
    const [[exact]] = (await h.pool.query('SELECT COUNT(DISTINCT citizen_key) AS n FROM usage_events WHERE occurred_at >= ? AND occurred_at < ?', [
      o.start,
      o.start + days * 86_400_000,
    ])) as unknown as [[{ n: number }]];
    rawCitizens.push(performance.now() - t);
    exactCitizens = Number(exact.n);
  }
  log(`  baseline from raw: menu taps+citizens ${f(median(rawTimes), 0)} ms, distinct citizens ${f(median(rawCitizens), 0)} ms`);

  // 4. rollup while events keep arriving (the day after the period)
  log(`live: writing ${liveRate} events/s for ${liveSeconds} s while rolling up…`);
  const live: ReturnType<typeof dayEvents> = [];
  for (let d = days; live.length < liveRate * liveSeconds; d++) live.push(...dayEvents(d, o));
  live.sort((a, b) => a[0] - b[0]);
  let written = 0;
  let lastAt = o.start + days * 86_400_000;
  let writing = true;
  const writer = (async () => {
    const tick = 250;
    const perTick = Math.max(1, Math.round((liveRate * tick) / 1000));
    const stopAt = Date.now() + liveSeconds * 1000;
    while (Date.now() < stopAt && written < live.length) {
      const t = Date.now();
      const chunk = live.slice(written, written + perTick);
      await h.pool.query(`INSERT INTO usage_events (${COLUMNS.join(', ')}) VALUES ?`, [chunk]);
      written += chunk.length;
      lastAt = chunk[chunk.length - 1]![0];
      await new Promise((r) => setTimeout(r, Math.max(0, tick - (Date.now() - t))));
    }
    writing = false;
  })();
  const liveStart = Date.now();
  const before = (await rollup.state())!.visitsUntil;
  let rounds = 0;
  let tailRounds = 0;
  let tailBehind = 0;
  while (writing) {
    // As in the server: final up to now − 40 min, and the provisional tail up to now (the newest event).
    const tailUntil = lastAt + 1;
    const writtenThen = written;
    const r = await rollup.runOnce({ until: Math.max(before, lastAt - IDLE_AND_MARGIN), tailUntil });
    if (r.provisional) {
      tailRounds++;
      // what the reports miss when the run commits: the events written while it ran
      tailBehind = Math.max(tailBehind, written - writtenThen);
    }
    rounds++;
    await new Promise((r) => setTimeout(r, 200));
  }
  await writer;
  const liveS = (Date.now() - liveStart) / 1000;
  const after = (await rollup.state())!.visitsUntil;
  const [[covered]] = (await h.pool.query('SELECT COUNT(*) AS n FROM usage_events WHERE occurred_at >= ? AND occurred_at < ?', [before, after])) as unknown as [[{ n: number }]];
  const lagMin = (lastAt - after) / 60_000;
  // One more run once writing stopped: how long catching up with the last events takes.
  const tc = performance.now();
  await rollup.runOnce({ until: lastAt - IDLE_AND_MARGIN });
  const catchUpMs = performance.now() - tc;
  const tailNote = `${tailRounds} of ${rounds} runs also counted the provisional tail (open visits and the events of the last 40 simulated minutes)`;
  log(`  ${tailNote}; when a run committed, reports missed at most the ${f(tailBehind)} events written while it ran`);
  log(`  wrote ${f(written)} events in ${f(liveS, 1)} s (${f(written / liveS, 0)}/s); rolled up ${f(Number(covered.n))} (${f(Number(covered.n) / liveS, 0)}/s) in ${rounds} runs; lag ${f(lagMin, 1)} simulated minutes (40 of them by design)`);
  // Leave the live day out of the next run's data.
  await h.pool.query('DELETE FROM usage_events WHERE occurred_at >= ?', [o.start + days * 86_400_000]);

  const worst = Math.max(...timings.map((t) => t.max));
  const generated = `Command: \`BENCH_EVENTS=${totalEvents} BENCH_CITIZENS=${citizens} BENCH_DAYS=${days} npm run bench:reports\` — run ${new Date().toISOString().slice(0, 16)}Z.
${machineLine(db, load0)}

**Scale of these figures: ${f(events)} events, ${f(citizens)} citizens, ${days} days** (${f(Number(visitsRow.n))} visits, ${f(Number(dcRow.n))} citizen sketches: exact hash sets up to 500 citizens, else 4 KiB of registers).

| phase | figure |
|---|---|
| generate (bulk INSERT, this run) | ${gen.generatedDays} days written in ${f(gen.seconds, 0)} s${gen.generatedDays === 0 ? ' (reused)' : ''} |
| roll up from scratch (\`rebuild\`) | ${f(built.eventsRead)} events in ${f(rollupS, 1)} s = **${f(built.eventsRead / rollupS, 0)} events/s** |
| rollup while events arrive | ${f(written)} events written at ${f(written / liveS, 0)}/s for ${f(liveS, 0)} s; ${f(Number(covered.n))} rolled up (${f(Number(covered.n) / liveS, 0)}/s) in ${rounds} runs; final figures lag ${f(lagMin, 0)} simulated minutes when writing stopped (30 idle + 10 margin by design); ${tailNote}, so when a run committed reports missed at most the ${f(tailBehind)} events written while it ran; a last run then took ${f(catchUpMs, 0)} ms |

Every report over the whole ${days}-day period, over HTTP as a signed-in evaluator, ${runs} runs after a warm-up (target ≤ ${TARGET_MS} ms):

| endpoint (\`/api/admin/reports/…\`) | median ms | max ms | ≤ ${TARGET_MS} ms |
|---|---|---|---|
${timings.map((t) => `| \`${t.path.replace(q, '…').replace(/from=[\d-]+\.\.[\d-]+/, '')}\` | ${f(t.median, 1)} | ${f(t.max, 1)} | ${t.max <= TARGET_MS ? 'yes' : '**no**'} |`).join('\n')}

Baseline in the same run, from the raw \`usage_events\` table instead of rollups (what rollups buy): menu taps and distinct citizens per item over the period **${f(median(rawTimes), 0)} ms**; distinct citizens over the period ${f(median(rawCitizens), 0)} ms (medians of ${rawTimes.length}). Slowest report through rollups: ${f(worst, 1)} ms.

Distinct citizens over the period: the audience report's figure (exact while every day has at most 500, else a HyperLogLog estimate) ${f(estimatedCitizens)}, the exact count from the raw table ${f(exactCitizens)} (error ${f(((estimatedCitizens - exactCitizens) / Math.max(1, exactCitizens)) * 100, 2)} %).
`;
  if (writeDoc) {
    writeSection(
      'reports',
      '## Evaluator reports (test/bench/reports.ts)',
      'Generates a realistic usage log (mostly lookups; bookings with drop-off, applications, ratings from template links, hall browsing with searches, follows), rolls it up, times every report endpoint, and measures the rollup job while events keep arriving. Definitions: docs/evaluation.md.',
      generated,
    );
    log('docs/performance.md updated');
  }
  process.stdout.write(generated);
  await h.close();
  await lock.end();
}

async function evaluatorSession(h: DatabaseHandle): Promise<string> {
  const username = 'bench_evaluator';
  await h.db
    .insert(staffAccounts)
    .ignore()
    .values({ username, displayName: '基准评估员', role: 'evaluator', passwordHash: await hashPassword('bench-password-0000', { N: 1024, r: 8, p: 1 }), disabled: false });
  const [[row]] = (await h.pool.query('SELECT id FROM staff_accounts WHERE username = ?', [username])) as unknown as [[{ id: number }]];
  const store = createStaffSessionStore({ db: h.db, secret: 'bench-session-secret-bench-session-secret', idleMinutes: 120, absoluteHours: 12 });
  return (await store.create(h.db, Number(row.id), { ip: '127.0.0.1', userAgent: 'bench' })).token;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
