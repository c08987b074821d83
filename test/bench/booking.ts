/**
 * Booking benchmark (not a test): `npm run bench:booking`.
 *
 * (a) Race: BENCH_RACE_BOOKERS (default 1 000) distinct signed-in citizens POST
 *     /api/h5/appointments {slotId} for one slot with 10 seats at once over HTTP (one socket each,
 *     all requests written in the same tick) against the real server/main.ts. Exactly 10 must
 *     succeed: the status histogram, the slot's `booked` and the rows written are reported and
 *     asserted (exit code 1 otherwise). BENCH_RACE_ROUNDS rounds (default 3), a fresh slot and fresh
 *     citizens each.
 * (b) Sustained: closed-loop autocannon, every request a citizen who has not booked yet (so the
 *     one-per-service / one-per-day limits never refuse) and a random slot among BENCH_SLOTS
 *     (default 400) with ample capacity, against
 *     - portal: server/main.ts (session, slot checks, no-show and limit pre-checks, transaction with
 *       the conditional seat update, booking, audit event, usage events, confirmation view);
 *     - baseline: bare Koa + mysql2 doing the irreducible part — one transaction with the
 *       conditional seat UPDATE, a SELECT of the slot and the INSERT (test/bench/peers.ts booking);
 *     alternating order across rounds, 3 s warm-up each; the bookings written are counted in the
 *     database after each phase.
 *
 * Env: BENCH_DATABASE_URL (default mysql://root@127.0.0.1:3306/govportal_bench_booking, created and
 * migrated; the bench office's data is replaced each run), BENCH_SECONDS (10), BENCH_CONNECTIONS (10),
 * BENCH_ROUNDS (2), BENCH_RACE_BOOKERS (1000), BENCH_RACE_ROUNDS (3), BENCH_SLOTS (400),
 * BENCH_CITIZENS (60000, for the sustained portal phases), BENCH_WRITE_DOCS (true).
 */
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { connectDatabase, ensureDatabase } from '../../db/connect';
import { runMigrations } from '../../db/migrate';
import { SESSION_COOKIE } from '../../server/citizens/sessions';
import { signCookie } from '../support/citizen-agent';
import { avg, cpuMs, f, holdRunLock, machineLine, mariadbInfo, selfCpuMs, startChild, startPortal, stop, summariseProfile, writeSection, type Started, profileTables, PORTAL_BACKGROUND } from './bench-kit';
import { createBenchCitizens, type BenchCitizen } from './lookup-data';

const env = process.env;
const url = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/govportal_bench_booking';
const seconds = Number(env.BENCH_SECONDS ?? 10);
const connections = Number(env.BENCH_CONNECTIONS ?? 10);
const roundsWanted = Number(env.BENCH_ROUNDS ?? 2);
const raceBookers = Number(env.BENCH_RACE_BOOKERS ?? 1000);
const raceRounds = Number(env.BENCH_RACE_ROUNDS ?? 3);
const nSlots = Number(env.BENCH_SLOTS ?? 400);
const nCitizens = Number(env.BENCH_CITIZENS ?? 60_000);
const writeDocs = !['false', '0', 'no'].includes(env.BENCH_WRITE_DOCS ?? 'true');
const SECRET = 'bench-booking-session-secret-0123456789abcd';
const WARMUP_S = 3;
const SAMPLE_EVERY = 50;
const SEATS = 10;
const TARGET_RPS = 1000;
const OFFICE_NAME = '压测网点（bench）';
const SERVICE_CODE = 'bench_booking';

const lock = await holdRunLock(url, 'govportal_bench_booking');
const load0 = loadavg();
await ensureDatabase(url);
await runMigrations(url);
const h = connectDatabase(url, 4);
const pool = h.pool;
const db = await mariadbInfo(lock);
const q = async <T extends RowDataPacket>(s: string, p: unknown[] = []) => (await pool.query<T[]>(s, p))[0];

// ---------------------------------------------------------------------------------------------
// Bench office, service and slots (replaced each run)

async function setup(): Promise<{ officeId: number; serviceId: number }> {
  const old = await q<RowDataPacket>('SELECT id FROM offices WHERE name = ?', [OFFICE_NAME]);
  for (const o of old) {
    await pool.query('DELETE e FROM appointment_events e JOIN appointments a ON a.id = e.appointment_id WHERE a.office_id = ?', [o.id]);
    await pool.query('DELETE FROM appointments WHERE office_id = ?', [o.id]);
    await pool.query('DELETE FROM appointment_slots WHERE office_id = ?', [o.id]);
    await pool.query('DELETE FROM offices WHERE id = ?', [o.id]);
  }
  await pool.query('INSERT IGNORE INTO appointment_services (code, name, duration_minutes, materials, active, sort_order) VALUES (?, ?, 30, ?, true, 99)', [SERVICE_CODE, '压测业务', JSON.stringify(['身份证'])]);
  const [svc] = await q<RowDataPacket>('SELECT id FROM appointment_services WHERE code = ?', [SERVICE_CODE]);
  const [o] = await pool.query<ResultSetHeader>('INSERT INTO offices (name, address, phone, counters, active) VALUES (?, ?, ?, 100, true)', [OFFICE_NAME, '示范市压测路 1 号', '0755-00000000']);
  return { officeId: o.insertId, serviceId: Number(svc!.id) };
}

/** Shanghai weekdays from 3 to 25 days ahead (inside the 30-day window, far from the 60-min lead). */
function benchDays(): string[] {
  const out: string[] = [];
  for (let d = 3; d <= 25; d++) {
    const t = new Date(Date.now() + 8 * 3600_000 + d * 86_400_000);
    if (t.getUTCDay() !== 0 && t.getUTCDay() !== 6) out.push(t.toISOString().slice(0, 10));
  }
  return out;
}
let slotSeq = 0;
/** `n` slots of `capacity` seats; start times one minute apart from 09:00 Shanghai across the bench days. */
async function makeSlots(officeId: number, serviceId: number, n: number, capacity: number): Promise<number[]> {
  const days = benchDays();
  const rows: unknown[][] = [];
  for (let k = 0; k < n; k++) {
    const s = slotSeq++;
    const day = days[s % days.length]!;
    const startsAt = new Date(Date.parse(`${day}T01:00:00Z`) + Math.floor(s / days.length) * 60_000);
    rows.push([officeId, serviceId, day, startsAt, new Date(startsAt.getTime() + 30 * 60_000), capacity]);
  }
  const [res] = await pool.query<ResultSetHeader>('INSERT INTO appointment_slots (office_id, service_id, day, starts_at, ends_at, capacity, booked) VALUES ?', [rows.map((r) => [...r, 0])]);
  return Array.from({ length: n }, (_, i) => res.insertId + i);
}

const cookie = (c: BenchCitizen) => `${SESSION_COOKIE}=${c.token}; ${SESSION_COOKIE}.sig=${signCookie(SESSION_COOKIE, c.token, SECRET)}`;
const errorCode = (body: string) => {
  try {
    const j = JSON.parse(body) as { error?: { code?: string }; data?: { id?: number } };
    return j.error?.code ?? (j.data?.id ? 'ok' : 'no code');
  } catch {
    return 'not JSON';
  }
};

// ---------------------------------------------------------------------------------------------
// (a) Race

interface Race {
  round: number;
  slotId: number;
  histogram: Map<string, number>;
  ok: number;
  booked: number;
  rows: number;
  events: number;
  wallMs: number;
  passed: boolean;
}
async function race(port: number, officeId: number, serviceId: number, round: number, who: BenchCitizen[]): Promise<Race> {
  const slotId = (await makeSlots(officeId, serviceId, 1, SEATS))[0]!;
  const body = JSON.stringify({ slotId });
  const histogram = new Map<string, number>();
  const t0 = performance.now();
  await Promise.all(
    who.map(
      (c) =>
        new Promise<void>((resolve) => {
          const req = request(
            { host: '127.0.0.1', port, path: '/api/h5/appointments', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), cookie: cookie(c) } },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (d: Buffer) => chunks.push(d));
              res.on('end', () => {
                const key = `${res.statusCode} ${errorCode(Buffer.concat(chunks).toString('utf8'))}`;
                histogram.set(key, (histogram.get(key) ?? 0) + 1);
                resolve();
              });
            },
          );
          req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
          req.on('error', (err) => {
            const key = `error ${err.message}`;
            histogram.set(key, (histogram.get(key) ?? 0) + 1);
            resolve();
          });
          req.end(body);
        }),
    ),
  );
  const wallMs = performance.now() - t0;
  const [s] = await q<RowDataPacket>('SELECT booked FROM appointment_slots WHERE id = ?', [slotId]);
  const [a] = await q<RowDataPacket>("SELECT COUNT(*) AS n FROM appointments WHERE slot_id = ? AND status = 'booked'", [slotId]);
  const [e] = await q<RowDataPacket>("SELECT COUNT(*) AS n FROM appointment_events e JOIN appointments a ON a.id = e.appointment_id WHERE a.slot_id = ? AND e.action = 'booked'", [slotId]);
  const ok = [...histogram].filter(([k]) => k.startsWith('201 ')).reduce((n, [, v]) => n + v, 0);
  const booked = Number(s!.booked);
  const rows = Number(a!.n);
  const events = Number(e!.n);
  const passed = ok === SEATS && booked === SEATS && rows === SEATS && events === SEATS;
  console.error(`  race ${round}: ${[...histogram].map(([k, v]) => `${k}: ${v}`).join(', ')}; booked ${booked}, rows ${rows}, events ${events}, ${f(wallMs, 0)} ms → ${passed ? 'ok' : 'FAILED'}`);
  return { round, slotId, histogram, ok, booked, rows, events, wallMs, passed };
}

// ---------------------------------------------------------------------------------------------
// (b) Sustained

type Target = 'portal' | 'baseline';
const LABEL: Record<Target, string> = { portal: 'portal (server/main.ts)', baseline: 'bare Koa + mysql2, one transaction' };

interface Measured {
  rps: number;
  okPerS: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  completed: number;
  ok: number;
  statuses: Map<string, number>;
  errors: number;
  timeouts: number;
  sampled: number;
  mismatches: number;
  firstMismatch: string;
}
let nextCitizen = 0;
let citizensWrapped = false;
async function load(target: Target, port: number, duration: number, citizens: BenchCitizen[], cookies: string[], slots: number[]): Promise<Measured> {
  const t = { responses: 0, ok: 0, sampled: 0, mismatches: 0, firstMismatch: '', statuses: new Map<string, number>() };
  let rnd = 987654321 + port;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req, context) => {
          rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
          const slotId = slots[rnd % slots.length]!;
          (context as { slotId?: number }).slotId = slotId;
          if (target === 'baseline') return { ...req, path: '/book', body: JSON.stringify({ slotId, citizenId: 1 + (rnd % 1_000_000) }) };
          const i = nextCitizen++;
          if (i >= citizens.length) citizensWrapped = true;
          return { ...req, path: '/api/h5/appointments', body: JSON.stringify({ slotId }), headers: { ...req.headers, cookie: cookies[i % citizens.length]! } };
        },
        onResponse: (status, body, context) => {
          t.responses++;
          if (status === 201) t.ok++;
          if (status !== 201 || t.responses % SAMPLE_EVERY === 0) {
            const key = `${status} ${errorCode(body)}`;
            if (status !== 201) t.statuses.set(key, (t.statuses.get(key) ?? 0) + 1);
            if (status === 201) {
              t.sampled++;
              try {
                const j = JSON.parse(body) as { data?: { id?: number; slotId?: number; confirmationCode?: string } };
                const want = (context as { slotId?: number }).slotId;
                const why = !j.data?.id || !j.data.confirmationCode ? 'no id / code' : target === 'portal' && j.data.slotId !== want ? `slotId ${j.data.slotId} ≠ ${want}` : null;
                if (why) {
                  t.mismatches++;
                  t.firstMismatch ||= why;
                }
              } catch {
                t.mismatches++;
                t.firstMismatch ||= 'not JSON';
              }
            }
          }
        },
      },
    ],
  });
  if (t.ok) t.statuses.set('201', t.ok);
  return {
    rps: r.requests.average,
    okPerS: t.ok / duration,
    mean: r.latency.mean,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    completed: r.requests.total,
    ok: t.ok,
    statuses: t.statuses,
    errors: r.errors,
    timeouts: r.timeouts,
    sampled: t.sampled,
    mismatches: t.mismatches,
    firstMismatch: t.firstMismatch,
  };
}

interface Phase {
  target: Target;
  round: number;
  m: Measured;
  warm: Measured;
  cpu: { server: number | null; db: number | null; loadgen: number };
  /** bookings in the database for this target's slots after the phase (warm-up included) vs 201s seen */
  dbRows: number;
  dbBooked: number;
  answered201: number;
  /** MariaDB's Innodb_deadlocks during the measured window (the whole server: only this load runs) */
  deadlocks: number;
}
async function deadlocks(): Promise<number> {
  const [r] = await q<RowDataPacket>("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
  return Number(r?.Value ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Run

const { officeId, serviceId } = await setup();
const tCit = performance.now();
const raceCitizens = await createBenchCitizens(url, raceBookers * raceRounds, 'oBenchBookRace', 0);
const loadCitizens = await createBenchCitizens(url, nCitizens, 'oBenchBookLoad', 0);
const loadCookies = loadCitizens.map(cookie);
const citizensS = (performance.now() - tCit) / 1000;
const portalSlots = await makeSlots(officeId, serviceId, nSlots, 5000);
const baselineSlots = await makeSlots(officeId, serviceId, nSlots, 5000);
console.error(`setup: office ${officeId}, service ${serviceId}, ${f(raceCitizens.length + loadCitizens.length, 0)} citizens in ${f(citizensS, 1)} s, ${nSlots} + ${nSlots} slots`);

const races: Race[] = [];
{
  const s = await startPortal(url, { SESSION_SECRET: SECRET });
  try {
    for (let r = 0; r < raceRounds; r++) races.push(await race(s.port, officeId, serviceId, r + 1, raceCitizens.slice(r * raceBookers, (r + 1) * raceBookers)));
  } finally {
    await stop(s);
  }
}

const counted = { portal: 0, baseline: 0 };
async function phase(target: Target, round: number): Promise<Phase> {
  const s: Started =
    target === 'portal'
      ? await startPortal(url, { SESSION_SECRET: SECRET })
      : await startChild('baseline', ['--import', 'tsx', 'test/bench/peers.ts', 'booking', url], { PATH: env.PATH }, /listening on 127\.0\.0\.1:(\d+)/);
  const slots = target === 'portal' ? portalSlots : baselineSlots;
  try {
    const warm = await load(target, s.port, WARMUP_S, loadCitizens, loadCookies, slots);
    const d0 = await deadlocks();
    const c0 = { server: cpuMs(s.child.pid), db: cpuMs(db.pid), self: selfCpuMs() };
    const m = await load(target, s.port, seconds, loadCitizens, loadCookies, slots);
    const c1 = { server: cpuMs(s.child.pid), db: cpuMs(db.pid), self: selfCpuMs() };
    const d1 = await deadlocks();
    await new Promise((r) => setTimeout(r, 500)); // in-flight requests finish
    const per = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) / m.completed);
    counted[target] += warm.ok + m.ok;
    const [rows] = await q<RowDataPacket>('SELECT COUNT(*) AS n FROM appointments WHERE slot_id IN (?)', [slots]);
    const [bk] = await q<RowDataPacket>('SELECT SUM(booked) AS n FROM appointment_slots WHERE id IN (?)', [slots]);
    const p: Phase = { target, round, m, warm, cpu: { server: per(c0.server, c1.server), db: per(c0.db, c1.db), loadgen: (c1.self - c0.self) / m.completed }, dbRows: Number(rows!.n), dbBooked: Number(bk!.n), answered201: counted[target], deadlocks: d1 - d0 };
    console.error(`  round ${round} ${target}: ${f(m.rps)} req/s, ${f(m.okPerS)} bookings/s, p50 ${m.p50} ms, p99 ${m.p99} ms; db rows ${p.dbRows}, booked ${p.dbBooked}, 201s seen ${p.answered201}; deadlocks ${p.deadlocks}`);
    return p;
  } finally {
    await stop(s);
  }
}
const targets: Target[] = ['portal', 'baseline'];
const phases: Phase[] = [];
for (let round = 1; round <= roundsWanted; round++) {
  for (const t of round % 2 === 1 ? targets : [...targets].reverse()) phases.push(await phase(t, round));
}

// One more portal phase under the CPU profiler (not in the averages): where the server's time goes.
const profileOn = !['false', '0', 'no'].includes(env.BENCH_PROFILE ?? 'true');
let profiled: { m: Measured; summary: ReturnType<typeof summariseProfile> } | undefined;
if (profileOn) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-booking-prof-'));
  const s = await startPortal(url, { SESSION_SECRET: SECRET }, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250']);
  await load('portal', s.port, WARMUP_S, loadCitizens, loadCookies, portalSlots);
  const m = await load('portal', s.port, seconds, loadCitizens, loadCookies, portalSlots);
  await stop(s);
  profiled = { m, summary: summariseProfile(dir) };
  console.error(`  profiled portal: ${f(m.okPerS)} bookings/s; busy ${f(profiled.summary.busyMs, 0)} of ${f(profiled.summary.totalMs, 0)} ms; top: ${profiled.summary.functions.slice(0, 5).map((x) => `${x.name} ${f(x.ms, 0)}`).join('; ')}`);
}
await h.close();

// ---------------------------------------------------------------------------------------------
// Report

const of = (t: Target) => phases.filter((p) => p.target === t);
const mean = (t: Target, k: 'rps' | 'okPerS' | 'mean' | 'p50' | 'p90' | 'p99') => avg(of(t).map((p) => p.m[k]));
const meanCpu = (t: Target, k: 'server' | 'db' | 'loadgen') => {
  const xs = of(t).map((p) => p.cpu[k]);
  return xs.some((x) => x === null) ? null : avg(xs as number[]);
};
const ms = (n: number | null) => (n === null ? 'n/a' : f(n, 3));
const racesOk = races.every((r) => r.passed);
const okRate = mean('portal', 'okPerS');
const ratio = okRate / mean('baseline', 'okPerS');
const lastOf = (t: Target) => of(t).at(-1)!;
const statusLine = (t: Target) => {
  const all = new Map<string, number>();
  for (const p of of(t)) for (const [k, v] of p.m.statuses) all.set(k, (all.get(k) ?? 0) + v);
  return [...all].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${f(v, 0)}`).join(', ');
};
const generated = `### Run of record: booking — ${new Date().toISOString().slice(0, 10)}

${machineLine(db, load0)}
Command: \`npm run bench:booking\` (BENCH_SECONDS=${seconds}, BENCH_CONNECTIONS=${connections}, BENCH_ROUNDS=${roundsWanted}, BENCH_RACE_BOOKERS=${raceBookers}, BENCH_RACE_ROUNDS=${raceRounds}, BENCH_SLOTS=${nSlots}, BENCH_CITIZENS=${nCitizens}, BENCH_PORTAL_BACKGROUND=${PORTAL_BACKGROUND}); ${PORTAL_BACKGROUND ? 'the notification worker and report rollup ran inside the portal' : 'the portal ran without its in-process notification worker and report rollup (as beside separate `npm run worker` processes; outbox rows and usage events are still written per request)'}; ${f(raceCitizens.length + loadCitizens.length, 0)} bench citizens with sessions created by bulk insert in ${f(citizensS, 1)} s.

**(a) ${f(raceBookers, 0)} simultaneous bookers for one slot with ${SEATS} seats** (distinct signed-in citizens, one socket each, all requests written in the same tick; a fresh slot and fresh citizens each round):

| round | answers (status code) | 201 | slot \`booked\` | active bookings on the slot | \`booked\` audit events | wall ms | exactly ${SEATS}? |
|---:|---|---:|---:|---:|---:|---:|---|
${races.map((r) => `| ${r.round} | ${[...r.histogram].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${r.ok} | ${r.booked} | ${r.rows} | ${r.events} | ${f(r.wallMs, 0)} | ${r.passed ? 'yes' : '**NO**'} |`).join('\n')}

**(b) Sustained bookings across distinct slots** (closed loop, ${connections} connections, each portal request a citizen who has not booked yet, a random slot of ${nSlots} with 5 000 seats each; ${WARMUP_S} s warm-up per phase, not counted; order ${Array.from({ length: roundsWanted }, (_, i) => `round ${i + 1}: ${(i % 2 === 0 ? targets : [...targets].reverse()).join(' → ')}`).join('; ')}):

| target (mean of ${roundsWanted} rounds) | req/s | bookings/s (201) | mean ms | p50 ms | p90 ms | p99 ms | server CPU ms/req | MariaDB CPU ms/req | load-gen CPU ms/req |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${targets.map((t) => `| ${LABEL[t]} | ${f(mean(t, 'rps'))} | ${f(mean(t, 'okPerS'))} | ${f(mean(t, 'mean'))} | ${f(mean(t, 'p50'))} | ${f(mean(t, 'p90'))} | ${f(mean(t, 'p99'))} | ${ms(meanCpu(t, 'server'))} | ${ms(meanCpu(t, 'db'))} | ${ms(meanCpu(t, 'loadgen'))} |`).join('\n')}

Per round (bookings/s, p50 / p99 / max ms, InnoDB deadlocks in the measured window): ${phases.map((p) => `${p.round}·${p.target}: ${f(p.m.okPerS)}, ${p.m.p50} / ${p.m.p99} / ${p.m.max}, ${f(p.deadlocks, 0)} deadlocks`).join('; ')}. Deadlocks per booking: portal ${f(of('portal').reduce((n, p) => n + p.deadlocks, 0) / Math.max(1, of('portal').reduce((n, p) => n + p.m.ok, 0)), 2)}, baseline ${f(of('baseline').reduce((n, p) => n + p.deadlocks, 0) / Math.max(1, of('baseline').reduce((n, p) => n + p.m.ok, 0)), 2)} (the service retries a deadlocked transaction up to 8 times with a random back-off, so they cost time, not answers).
Answers in the measured windows — portal: ${statusLine('portal')}; baseline: ${statusLine('baseline')}. Errors / timeouts: portal ${of('portal').reduce((n, p) => n + p.m.errors + p.m.timeouts, 0)}, baseline ${of('baseline').reduce((n, p) => n + p.m.errors + p.m.timeouts, 0)}. Sampled 201 bodies (every ${SAMPLE_EVERY}th): ${of('portal').reduce((n, p) => n + p.m.sampled, 0)} portal, ${of('portal').reduce((n, p) => n + p.m.mismatches, 0)} wrong${citizensWrapped ? '; **the bench citizens ran out and were reused: later portal requests met the per-citizen limits**' : ''}.
What the database holds afterwards for the portal's slots: ${f(lastOf('portal').dbRows, 0)} bookings, slots' \`booked\` summing to ${f(lastOf('portal').dbBooked, 0)}, against ${f(lastOf('portal').answered201, 0)} 201 answers seen (warm-ups included); baseline: ${f(lastOf('baseline').dbRows, 0)} / ${f(lastOf('baseline').dbBooked, 0)} / ${f(lastOf('baseline').answered201, 0)}.

**Verdict.** (a) exactly ${SEATS} succeed: **${racesOk ? `met in all ${races.length} rounds` : 'NOT met'}**. (b) portal bookings/s: **${f(okRate)}**; target ≥ ${f(TARGET_RPS, 0)}/s: **${okRate >= TARGET_RPS ? 'met' : 'not met'}**; ${f(ratio * 100, 1)} % of the bare transaction's ${f(mean('baseline', 'okPerS'))}/s measured in the same run.
${
  profiled
    ? `
**Where the portal's time goes** (\`node --cpu-prof\`, 250 µs sampling, one extra portal phase after the rounds, whole process life including start-up and warm-up: ${f(profiled.m.okPerS)} bookings/s under the profiler; the server thread was busy ${f(profiled.summary.busyMs, 0)} of ${f(profiled.summary.totalMs, 0)} ms). Self time by where the code lives:

${profileTables(profiled.summary)}
`
    : ''
}`;

const HEADING = '## Booking (test/bench/booking.ts)';
const intro = `**Target (issue):** 1,000 simultaneous bookers for 10 seats — exactly 10 succeed; sustained
bookings per second across distinct slots ≥ 1,000/s.

**What it measures.** Against the real \`server/main.ts\` (own database \`govportal_bench_booking\`, a
bench office and service whose slots are replaced each run; citizens and sessions by bulk insert,
signed \`gp_sid\` cookies): (a) the race over HTTP, status histogram, the slot's \`booked\`, the rows and
audit events written; (b) closed-loop \`POST /api/h5/appointments\` with a fresh citizen per request on
random slots with ample capacity, against a bare Koa + mysql2 endpoint doing only the transaction
(conditional seat UPDATE, slot SELECT, INSERT; \`test/bench/peers.ts booking\`) in the same run.

Run: \`npm run bench:booking\` (env: \`BENCH_SECONDS\`, \`BENCH_CONNECTIONS\`, \`BENCH_ROUNDS\`, \`BENCH_RACE_BOOKERS\`,
\`BENCH_RACE_ROUNDS\`, \`BENCH_SLOTS\`, \`BENCH_CITIZENS\`, \`BENCH_DATABASE_URL\`, \`BENCH_WRITE_DOCS=false\`). Exit code 1
when a race round does not end with exactly 10 bookings. The run of record below is rewritten by each run.
`;

console.log(generated);
if (writeDocs) {
  writeSection('booking', HEADING, intro, generated);
  console.error('written to docs/performance.md');
}
process.exit(racesOk ? 0 : 1);
