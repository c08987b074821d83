/**
 * Violation lookup benchmark (not a test): `npm run bench:lookup`.
 *
 * Data: the demo generator (server/violations/demo-generator.ts) loads BENCH_VEHICLES vehicles
 * and BENCH_VIOLATIONS violations (default 1 M / 5 M) into a dedicated database, once: a later
 * run reuses what is there (counts checked) and continues an unfinished load, generating for at
 * most BENCH_GEN_BUDGET_S seconds per run. Then BENCH_CITIZENS citizens (default 10 000) get a
 * session each and one binding to a random generated vehicle (test/bench/lookup-data.ts).
 *
 * Load: `GET /api/h5/violations?vehicleId=<binding id>` for a random bench citizen per request,
 * with that citizen's signed `gp_sid` cookie (autocannon setupRequest), against
 * - portal: the real server/main.ts (session lookup, binding check, violations, totals, usage event);
 * - baseline: bare Koa + mysql2 doing one indexed SELECT on violations.vehicle_id (test/bench/peers.ts)
 *   for the same random vehicles;
 * alternating the order across rounds, same connections and duration, 3 s warm-up each. Every
 * 50th answer is checked (200, JSON with totals agreeing with the rows), and before the load
 * 20 citizens' answers are compared with COUNT/SUM straight from the database.
 *
 * Env: BENCH_DATABASE_URL (default mysql://root@127.0.0.1:3306/govportal_bench_lookup),
 * BENCH_SECONDS (10), BENCH_CONNECTIONS (10), BENCH_ROUNDS (2), BENCH_CITIZENS (10000),
 * BENCH_VEHICLES, BENCH_VIOLATIONS, BENCH_GEN_BUDGET_S (900), BENCH_WRITE_DOCS (true).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { connectDatabase } from '../../db/connect';
import { SESSION_COOKIE } from '../../server/citizens/sessions';
import { signCookie } from '../support/citizen-agent';
import { avg, cpuMs, f, holdRunLock, machineLine, mariadbInfo, selfCpuMs, startChild, startPortal, stop, summariseProfile, writeSection, type Started, profileTables, PORTAL_BACKGROUND } from './bench-kit';
import { createBenchCitizens, ensureViolationData, type BenchCitizen } from './lookup-data';

const env = process.env;
const url = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/govportal_bench_lookup';
const seconds = Number(env.BENCH_SECONDS ?? 10);
const connections = Number(env.BENCH_CONNECTIONS ?? 10);
const roundsWanted = Number(env.BENCH_ROUNDS ?? 2);
const nCitizens = Number(env.BENCH_CITIZENS ?? 10_000);
const wantVehicles = Number(env.BENCH_VEHICLES ?? 1_000_000);
const wantViolations = Number(env.BENCH_VIOLATIONS ?? 5_000_000);
const genBudget = Number(env.BENCH_GEN_BUDGET_S ?? 900);
const writeDocs = !['false', '0', 'no'].includes(env.BENCH_WRITE_DOCS ?? 'true');
const SECRET = 'bench-lookup-session-secret-0123456789abcdef';
const WARMUP_S = 3;
const SAMPLE_EVERY = 50;
const TARGET_RATIO = 0.5;
const TARGET_P99 = 25;

type Target = 'portal' | 'baseline';
const LABEL: Record<Target, string> = { portal: 'portal (server/main.ts)', baseline: 'bare Koa + mysql2, one indexed SELECT' };

const lock = await holdRunLock(url, 'govportal_bench_lookup');
const load0 = loadavg();
const data = await ensureViolationData(url, wantVehicles, wantViolations, genBudget);
console.error(`data: ${JSON.stringify(data)}`);
const tCit = performance.now();
const citizens: BenchCitizen[] = await createBenchCitizens(url, nCitizens, 'oBenchLookup', data.vehicles);
const citizensS = (performance.now() - tCit) / 1000;
const cookieOf = citizens.map((c) => `${SESSION_COOKIE}=${c.token}; ${SESSION_COOKIE}.sig=${signCookie(SESSION_COOKIE, c.token, SECRET)}`);
const db = await mariadbInfo(lock);

/** random citizen per request, the same sequence shape for both targets */
let rndState = 12345;
const nextIndex = () => {
  rndState = (Math.imul(rndState, 1103515245) + 12345) >>> 0;
  return rndState % citizens.length;
};

interface Totals {
  count: number;
  points: number;
  fineYuan: number;
}
function check(target: Target, status: number, body: string): string | null {
  if (status !== 200) return `status ${status}: ${body.slice(0, 80)}`;
  try {
    const j = JSON.parse(body) as { data?: { violations?: { points: number }[]; totals?: Totals } };
    const t = j.data?.totals;
    const rows = j.data?.violations;
    if (!t || !Array.isArray(rows)) return 'no totals / violations';
    if (target === 'portal' && t.count !== rows.length) return `totals.count ${t.count} ≠ ${rows.length} rows`;
    return null;
  } catch {
    return `not JSON: ${body.slice(0, 60)}`;
  }
}

function start(target: Target): Promise<Started> {
  if (target === 'portal') return startPortal(url, { SESSION_SECRET: SECRET });
  return startChild('baseline', ['--import', 'tsx', 'test/bench/peers.ts', 'lookup', url], { PATH: env.PATH }, /listening on 127\.0\.0\.1:(\d+)/);
}

interface Measured {
  rps: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  completed: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  sampled: number;
  mismatches: number;
  firstMismatch: string;
}
async function load(target: Target, port: number, duration: number): Promise<Measured> {
  const tally = { responses: 0, sampled: 0, mismatches: 0, firstMismatch: '' };
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          const i = nextIndex();
          const c = citizens[i]!;
          return target === 'portal'
            ? { ...req, path: `/api/h5/violations?vehicleId=${c.bindingId}`, headers: { cookie: cookieOf[i]! } }
            : { ...req, path: `/violations?vehicleId=${c.vehicleId}` };
        },
        onResponse: (status, body) => {
          if (++tally.responses % SAMPLE_EVERY !== 0 && status === 200) return;
          tally.sampled++;
          const why = check(target, status, body);
          if (why) {
            tally.mismatches++;
            tally.firstMismatch ||= why;
          }
        },
      },
    ],
  });
  return {
    rps: r.requests.average,
    mean: r.latency.mean,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    completed: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    ...tally,
  };
}

/** 20 citizens' lookups over HTTP against COUNT/SUM straight from the database. */
async function crossCheck(port: number): Promise<{ checked: number; agree: number; note: string }> {
  const h = connectDatabase(url, 2);
  let agree = 0;
  let note = '';
  try {
    for (let k = 0; k < 20; k++) {
      const i = (k * 7919) % citizens.length;
      const c = citizens[i]!;
      const res = await fetch(`http://127.0.0.1:${port}/api/h5/violations?vehicleId=${c.bindingId}`, { headers: { cookie: cookieOf[i]! } });
      const j = (await res.json()) as { data: { totals: Totals } };
      const [rows] = (await h.pool.query('SELECT COUNT(*) AS n, COALESCE(SUM(points),0) AS p, COALESCE(SUM(fine_yuan),0) AS y FROM violations WHERE vehicle_id = ?', [c.vehicleId])) as unknown as [
        { n: number; p: number; y: number }[],
      ];
      const want = { count: Number(rows[0]!.n), points: Number(rows[0]!.p), fineYuan: Number(rows[0]!.y) };
      const got = j.data.totals;
      if (res.status === 200 && got.count === want.count && got.points === want.points && got.fineYuan === want.fineYuan) agree++;
      else note ||= `citizen ${c.citizenId}: status ${res.status}, got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
    }
  } finally {
    await h.close();
  }
  return { checked: 20, agree, note };
}

interface Phase {
  target: Target;
  round: number;
  m: Measured;
  warm: Measured;
  cpu: { server: number | null; db: number | null; loadgen: number };
}
async function phase(target: Target, round: number): Promise<Phase> {
  const s = await start(target);
  try {
    const warm = await load(target, s.port, WARMUP_S);
    const c0 = { server: cpuMs(s.child.pid), db: cpuMs(db.pid), self: selfCpuMs() };
    const m = await load(target, s.port, seconds);
    const c1 = { server: cpuMs(s.child.pid), db: cpuMs(db.pid), self: selfCpuMs() };
    const per = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) / m.completed);
    const p = { target, round, m, warm, cpu: { server: per(c0.server, c1.server), db: per(c0.db, c1.db), loadgen: (c1.self - c0.self) / m.completed } };
    console.error(`  round ${round} ${target}: ${f(m.rps)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, non-2xx ${m.non2xx}, mismatches ${m.mismatches}`);
    return p;
  } finally {
    await stop(s);
  }
}

// Cross-check first (also warms the portal's code paths once; not measured).
const first = await start('portal');
const cross = await crossCheck(first.port);
await stop(first);
console.error(`cross-check: ${cross.agree}/${cross.checked} agree ${cross.note}`);

const targets: Target[] = ['portal', 'baseline'];
const phases: Phase[] = [];
for (let round = 1; round <= roundsWanted; round++) {
  for (const t of round % 2 === 1 ? targets : [...targets].reverse()) phases.push(await phase(t, round));
}

// One more portal phase under the CPU profiler (not in the averages): where the server's time goes.
let profiled: { m: Measured; summary: ReturnType<typeof summariseProfile> } | undefined;
if (!['false', '0', 'no'].includes(env.BENCH_PROFILE ?? 'true')) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-lookup-prof-'));
  const s = await startPortal(url, { SESSION_SECRET: SECRET }, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250']);
  await load('portal', s.port, WARMUP_S);
  const m = await load('portal', s.port, seconds);
  await stop(s);
  profiled = { m, summary: summariseProfile(dir) };
  console.error(`  profiled portal: ${f(m.rps)} req/s; busy ${f(profiled.summary.busyMs, 0)} of ${f(profiled.summary.totalMs, 0)} ms`);
}

// ---------------------------------------------------------------------------------------------
// Report
const of = (t: Target) => phases.filter((p) => p.target === t);
const mean = (t: Target, k: 'rps' | 'mean' | 'p50' | 'p90' | 'p99') => avg(of(t).map((p) => p.m[k]));
const meanCpu = (t: Target, k: 'server' | 'db' | 'loadgen') => {
  const xs = of(t).map((p) => p.cpu[k]);
  return xs.some((x) => x === null) ? null : avg(xs as number[]);
};
const ms = (n: number | null) => (n === null ? 'n/a' : f(n, 3));
const sum = (t: Target, k: 'completed' | 'sampled' | 'mismatches' | 'non2xx' | 'errors' | 'timeouts') => of(t).reduce((n, p) => n + p.m[k] + (['non2xx', 'errors', 'timeouts'].includes(k) ? p.warm[k] : 0), 0);
const ratio = mean('portal', 'rps') / mean('baseline', 'rps');
const ratios = Array.from({ length: roundsWanted }, (_, i) => {
  const r = phases.filter((p) => p.round === i + 1);
  return r.find((p) => p.target === 'portal')!.m.rps / r.find((p) => p.target === 'baseline')!.m.rps;
});
const p99s = of('portal').map((p) => p.m.p99);
const worst = Math.max(...p99s);
const full = data.complete;
const dataLine = `${f(data.vehicles, 0)} vehicles and ${f(data.violations, 0)} violations in \`${new URL(url).pathname.slice(1)}\`${
  data.generatedVehicles ? ` (this run generated ${f(data.generatedVehicles, 0)} vehicles / ${f(data.generatedViolations, 0)} violations in ${f(data.generatedS, 0)} s)` : ' (loaded by an earlier run, reused)'
}${full ? '' : ` — **less than the issue's ${f(wantVehicles, 0)} / ${f(wantViolations, 0)}: the generation budget ran out; the figures are for this smaller data set**`}; ${f(citizens.length, 0)} bench citizens, each with a session and one binding to a random vehicle (created in ${f(citizensS, 1)} s).`;

const generated = `### Run of record: lookup — ${new Date().toISOString().slice(0, 10)}

${machineLine(db, load0)}
Command: \`npm run bench:lookup\` (BENCH_SECONDS=${seconds}, BENCH_CONNECTIONS=${connections}, BENCH_ROUNDS=${roundsWanted}, BENCH_CITIZENS=${nCitizens}, BENCH_PORTAL_BACKGROUND=${PORTAL_BACKGROUND}); ${PORTAL_BACKGROUND ? 'the notification worker and report rollup ran inside the portal' : 'the portal ran without its in-process notification worker and report rollup (as beside separate `npm run worker` processes; outbox rows and usage events are still written per request)'}; ${WARMUP_S} s warm-up per phase, not counted. Order: ${Array.from({ length: roundsWanted }, (_, i) => `round ${i + 1}: ${(i % 2 === 0 ? targets : [...targets].reverse()).join(' → ')}`).join('; ')}.
Data: ${dataLine}

| target (mean of ${roundsWanted} rounds) | req/s | mean ms | p50 ms | p90 ms | p99 ms | server CPU ms/req | MariaDB CPU ms/req | load-gen CPU ms/req |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${targets.map((t) => `| ${LABEL[t]} | ${f(mean(t, 'rps'))} | ${f(mean(t, 'mean'))} | ${f(mean(t, 'p50'))} | ${f(mean(t, 'p90'))} | ${f(mean(t, 'p99'))} | ${ms(meanCpu(t, 'server'))} | ${ms(meanCpu(t, 'db'))} | ${ms(meanCpu(t, 'loadgen'))} |`).join('\n')}

Per round (req/s, p50 / p99 / max ms): ${phases.map((p) => `${p.round}·${p.target}: ${f(p.m.rps)}, ${p.m.p50} / ${p.m.p99} / ${p.m.max}`).join('; ')}.

**Verdict.** Portal / baseline throughput: **${f(ratio * 100, 1)} %** (per round ${ratios.map((r) => `${f(r * 100, 1)} %`).join(', ')}); target ≥ ${TARGET_RATIO * 100} %: **${ratio >= TARGET_RATIO ? 'met' : 'not met'}**. Portal p99: ${p99s.map((p) => `${p} ms`).join(', ')} (worst ${worst} ms); target ≤ ${TARGET_P99} ms: **${worst <= TARGET_P99 ? 'met' : 'not met'}**.${full ? '' : ' (On the smaller data set stated above.)'}

**Correctness.** Before the load, ${cross.agree} of ${cross.checked} citizens' answers over HTTP agreed with COUNT / SUM(points) / SUM(fine) straight from the database${cross.note ? ` (first disagreement: ${cross.note.replaceAll('|', '\\|')})` : ''}. During the load every ${SAMPLE_EVERY}th answer and every non-200 was checked (200, JSON, \`totals\`, for the portal \`totals.count\` = rows):

| target | answers (measured) | sampled | mismatches | non-2xx | errors | timeouts |
|---|---:|---:|---:|---:|---:|---:|
${targets.map((t) => `| ${LABEL[t]} | ${f(sum(t, 'completed'), 0)} | ${f(sum(t, 'sampled'), 0)} | ${sum(t, 'mismatches')} | ${sum(t, 'non2xx')} | ${sum(t, 'errors')} | ${sum(t, 'timeouts')} |`).join('\n')}
${phases.some((p) => p.m.firstMismatch) ? `\nFirst mismatch: ${phases.filter((p) => p.m.firstMismatch).map((p) => `${p.round}·${p.target}: ${p.m.firstMismatch}`).join('; ').replaceAll('|', '\\|')}\n` : ''}${
  profiled
    ? `
**Where the portal's time goes** (\`node --cpu-prof\`, 250 µs sampling, one extra portal phase after the rounds, whole process life including start-up and warm-up: ${f(profiled.m.rps)} req/s, p99 ${profiled.m.p99} ms under the profiler; the server thread was busy ${f(profiled.summary.busyMs, 0)} of ${f(profiled.summary.totalMs, 0)} ms). Self time by where the code lives:

${profileTables(profiled.summary)}
`
    : ''
}`;

const HEADING = '## Violation lookup (test/bench/lookup.ts)';
const intro = `**Target (issue):** violation lookups for random *bound* vehicles with 1 M vehicles and 5 M
violations loaded, at ≥ 50 % of the throughput of a bare Koa + mysql2 endpoint doing one indexed
SELECT (measured in the same run), with p99 ≤ 25 ms.

**What it measures.** The demo generator loads the data once into \`govportal_bench_lookup\`
(reused by later runs; an unfinished load is continued, at most \`BENCH_GEN_BUDGET_S\` of generation
per run). ${f(nCitizens, 0)} bench citizens get a session and a binding to a random vehicle by bulk insert
(\`test/bench/lookup-data.ts\`). Each request is \`GET /api/h5/violations?vehicleId=<binding>\` for a random
citizen with its signed \`gp_sid\` cookie: session lookup, ownership join, up to 500 violations,
totals, usage event. The baseline (\`test/bench/peers.ts lookup\`) answers the same random vehicles with
one \`SELECT … WHERE vehicle_id = ? ORDER BY occurred_at DESC LIMIT 500\` and summed totals, no session.
Alternating order across rounds, same connections and duration.

Run: \`npm run bench:lookup\` (env: \`BENCH_SECONDS\`, \`BENCH_CONNECTIONS\`, \`BENCH_ROUNDS\`, \`BENCH_CITIZENS\`,
\`BENCH_VEHICLES\`, \`BENCH_VIOLATIONS\`, \`BENCH_GEN_BUDGET_S\`, \`BENCH_DATABASE_URL\`, \`BENCH_WRITE_DOCS=false\`).
A run holds a MariaDB lock; the run of record below is rewritten by each run, the reading after it is not.
`;

console.log(generated);
if (writeDocs) {
  writeSection('lookup', HEADING, intro, generated);
  console.error('written to docs/performance.md');
}
process.exit(0);
