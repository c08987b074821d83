/**
 * Usage-ingest benchmark (not a test): `npm run bench:usage`.
 *
 * 1. Sustained ingest: events/s the recorder writes to MariaDB when fed as fast as one
 *    producer can, with the production batch size and buffer bound; drops are reported.
 * 2. Request cost: latency of POST /api/usage/events (one event) against the real server
 *    process with recording on, versus the same endpoint with USAGE_ENABLED=false, measured
 *    alternately in the same run so machine drift hits both sides.
 *
 * Options (env): BENCH_DATABASE_URL (default mysql://root@127.0.0.1:3306/govportal_bench),
 * BENCH_SECONDS (default 10 per phase), BENCH_CONNECTIONS (default 10), BENCH_RATE (default 1000
 * req/s for the fixed-load comparison), BENCH_ROUNDS (default 4 alternating rounds).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { connectDatabase, ensureDatabase } from '../../db/connect';
import { runMigrations } from '../../db/migrate';
import { createLogger } from '../../server/logger';
import { createPseudonymiser } from '../../server/usage/pseudonym';
import { createUsageRecorder } from '../../server/usage/recorder';

const env = process.env; // a script, not the server: config.ts rules apply to server code
const url = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/govportal_bench';
const seconds = Number(env.BENCH_SECONDS ?? 10);
const connections = Number(env.BENCH_CONNECTIONS ?? 10);

/** What one `record()` costs the request that calls it: nanoseconds per call, no flushing. */
function recordCallCost() {
  const recorder = createUsageRecorder({
    db: undefined as never, // never flushed: the batch size and interval are out of reach
    logger: createLogger({ level: 'silent' }),
    pseudonymise: createPseudonymiser('bench-secret-bench-secret-bench-secret'),
    batchSize: 10_000_000,
    flushIntervalMs: 3_600_000,
    bufferMax: 10_000_000,
  });
  const n = 500_000;
  const measure = (withOpenid: boolean) => {
    const t = process.hrtime.bigint();
    for (let k = 0; k < n; k++) {
      recorder.record({ kind: 'page_view', source: 'h5', name: 'h5.home', visitId: 'benchvisit01', openid: withOpenid ? `oBench${k % 1000}` : null, menuKey: 'm_home', menuVersion: 'v3' });
    }
    return Number(process.hrtime.bigint() - t) / n;
  };
  measure(false); // warm-up
  return { anonymousNs: measure(false), withOpenidNs: measure(true) };
}

async function ingest() {
  const h = connectDatabase(url, 10);
  await h.pool.query('TRUNCATE TABLE usage_events');
  const recorder = createUsageRecorder({
    db: h.db,
    logger: createLogger({ level: 'silent' }),
    pseudonymise: createPseudonymiser('bench-secret-bench-secret-bench-secret'),
    batchSize: 1000,
    flushIntervalMs: 1000,
    bufferMax: 100_000,
  });
  const start = performance.now();
  let produced = 0;
  // Feed in ticks so the flusher gets the event loop, as it would between requests.
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 2000; i++) {
      recorder.record({
        kind: 'page_view',
        source: 'h5',
        name: 'h5.violations',
        visitId: `v${produced % 5000}`,
        openid: `oBench${produced % 20000}`,
        menuKey: 'm_lookup',
        menuVersion: 'v3',
        props: { i: produced },
      });
      produced++;
    }
    await new Promise((r) => setImmediate(r));
  }
  await recorder.close();
  const elapsed = (performance.now() - start) / 1000;
  const [rows] = (await h.pool.query('SELECT COUNT(*) AS n FROM usage_events')) as unknown as [{ n: number }[]];
  await h.close();
  const s = recorder.stats();
  return { produced, written: s.written, inTable: Number(rows[0]!.n), dropped: s.dropped, elapsed, perSecond: s.written / elapsed };
}

function startServer(usageEnabled: boolean): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { PATH: env.PATH, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', WEB_BUILD: 'never', LOG_LEVEL: 'warn', USAGE_ENABLED: String(usageEnabled), USAGE_BEACON_RATE_PER_MIN: '100000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready in \w+ mode on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

async function load(port: number, rate?: number, duration = seconds) {
  const body = JSON.stringify({ events: [{ kind: 'page_view', name: 'h5.home', visitId: 'benchvisit01', menuKey: 'm_home', menuVersion: 'v3' }] });
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/api/usage/events`,
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body,
    connections,
    duration,
    ...(rate ? { overallRate: rate } : {}),
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`non-2xx ${r.non2xx}, errors ${r.errors}`);
  return { rps: r.requests.average, mean: r.latency.mean, p50: r.latency.p50, p99: r.latency.p99 };
}

async function requestCost(rate: number | undefined, roundsWanted: number) {
  const rounds: { on: Awaited<ReturnType<typeof load>>; off: Awaited<ReturnType<typeof load>> }[] = [];
  for (let round = 0; round < roundsWanted; round++) {
    const result: Partial<(typeof rounds)[number]> = {};
    for (const enabled of round % 2 === 0 ? [false, true] : [true, false]) {
      const { child, port } = await startServer(enabled);
      await load(port, rate, 3).catch(() => undefined); // warm-up (JIT, pool)
      result[enabled ? 'on' : 'off'] = await load(port, rate);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rounds.push(result as (typeof rounds)[number]);
  }
  const avg = (k: 'on' | 'off', f: 'rps' | 'mean' | 'p50' | 'p99') => rounds.reduce((n, r) => n + r[k][f], 0) / rounds.length;
  const diffs = rounds.map((r) => (r.on.mean - r.off.mean) / r.off.mean).sort((a, b) => a - b);
  const medianDiff = diffs.length % 2 ? diffs[(diffs.length - 1) / 2]! : (diffs[diffs.length / 2 - 1]! + diffs[diffs.length / 2]!) / 2;
  return { rounds, medianDiff, on: { rps: avg('on', 'rps'), mean: avg('on', 'mean'), p50: avg('on', 'p50'), p99: avg('on', 'p99') }, off: { rps: avg('off', 'rps'), mean: avg('off', 'mean'), p50: avg('off', 'p50'), p99: avg('off', 'p99') } };
}

await ensureDatabase(url);
await runMigrations(url);
const mariadb = await (async () => {
  const h = connectDatabase(url, 1);
  const [rows] = (await h.pool.query('SELECT VERSION() AS v')) as unknown as [{ v: string }[]];
  await h.close();
  return rows[0]!.v;
})();

// Latency first, on a quiet table: right after the ingest phase MariaDB spends tens of seconds
// flushing half a million rows, which slowed both sides of the comparison (seen in a run).
const quiet = connectDatabase(url, 1);
await quiet.pool.query('TRUNCATE TABLE usage_events');
await quiet.close();
const fixedRate = Number(env.BENCH_RATE ?? 1000);
const roundsWanted = Number(env.BENCH_ROUNDS ?? 4);
const c = await requestCost(fixedRate, roundsWanted);
const sat = await requestCost(undefined, 1);
const rc = recordCallCost();
const i = await ingest();
const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)} %`;
const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

console.log(`
### usage-ingest — ${new Date().toISOString().slice(0, 10)}

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, MariaDB ${mariadb} (same box).
Command: \`npm run bench:usage\` (BENCH_SECONDS=${seconds}, BENCH_CONNECTIONS=${connections}).

**Sustained ingest** (recorder → multi-row INSERT, batch 1000, buffer 100 000):

| produced | written | in table | dropped | seconds | events/s written |
|---:|---:|---:|---:|---:|---:|
| ${f(i.produced)} | ${f(i.written)} | ${f(i.inTable)} | ${f(i.dropped)} | ${f(i.elapsed)} | **${f(i.perSecond)}** |

**What recording adds to a request's own path** (in-process, ${f(500_000)} calls each): \`record()\` costs
**${f(rc.anonymousNs)} ns** per event without a citizen and **${f(rc.withOpenidNs)} ns** with one (HMAC of the openid) —
${((rc.withOpenidNs / 1e6 / c.off.mean) * 100).toFixed(3)} % of the baseline's mean request time below. The write itself happens off the request path
(batch of 1 000 every second at this load).

**Request cost at a fixed load** — POST /api/usage/events with one event, ${f(fixedRate)} req/s offered over ${connections} connections, ${seconds} s per phase, ${roundsWanted} alternating rounds (averaged; order off/on, then on/off, …):

| | req/s | mean ms | p50 ms | p99 ms |
|---|---:|---:|---:|---:|
| recording disabled (baseline) | ${f(c.off.rps)} | ${f(c.off.mean)} | ${f(c.off.p50)} | ${f(c.off.p99)} |
| recording enabled | ${f(c.on.rps)} | ${f(c.on.mean)} | ${f(c.on.p50)} | ${f(c.on.p99)} |
| added latency | | ${pct(c.on.mean, c.off.mean)} | ${pct(c.on.p50, c.off.p50)} | ${pct(c.on.p99, c.off.p99)} |

Per round (mean ms, off / on): ${c.rounds.map((r, k) => `${k + 1}: ${f(r.off.mean)} / ${f(r.on.mean)} (${pct(r.on.mean, r.off.mean)})`).join('; ')}. Median of the per-round differences: **${(c.medianDiff * 100).toFixed(1)} %**.

**Saturation** (same endpoint, ${connections} connections, no rate cap, one round; server, MariaDB and load generator share the ${cpus().length} cores):

| | req/s | mean ms | p99 ms |
|---|---:|---:|---:|
| recording disabled | ${f(sat.off.rps)} | ${f(sat.off.mean)} | ${f(sat.off.p99)} |
| recording enabled | ${f(sat.on.rps)} | ${f(sat.on.mean)} | ${f(sat.on.p99)} |
`);
process.exit(0);
