/**
 * Notification outbox benchmark (not a test): `npm run bench:notify`.
 *
 * BENCH_NOTIFICATIONS (100 000) queued `application.approved` rows, bulk-inserted into a dedicated
 * database (dropped and recreated each run) for BENCH_CITIZENS (1 000) citizens who follow the
 * sandbox account, are sent by two `npm run worker` processes (server/worker.ts) to the sandbox in
 * the real portal process (server/main.ts, its own worker off). Worker A is SIGKILLed twice, at a
 * third and at two thirds of the run, each time while it holds a claimed batch, and started
 * again at once. Reported: messages per second (overall, and only the stretches where both
 * workers ran), time until every receipt made the rows `delivered`, CPU per message of the
 * workers, the portal (sandbox + receipts) and MariaDB, and the check that counts: every row's
 * message on its citizen's sandbox phone exactly once (the platform's chat, not our rows).
 *
 * Baseline, same run, before the outbox phase: a bare loop in this process POSTing the same
 * rendered template sends (same body, a client_msg_id each) straight to a fresh portal's sandbox
 * endpoint with the same number of requests in flight as the two workers together, no outbox.
 *
 * Env: BENCH_DATABASE_URL (mysql://root@127.0.0.1:3306/govportal_bench_notify), BENCH_NOTIFICATIONS,
 * BENCH_CITIZENS (at most 500 messages each: the sandbox phone keeps 500), BENCH_BATCH
 * (NOTIFY_BATCH_SIZE, 100), BENCH_CONCURRENCY (NOTIFY_CONCURRENCY, 16), BENCH_CLAIM_TTL_MS (5000),
 * BENCH_BASELINE (messages in the baseline, default min(BENCH_NOTIFICATIONS, 20 000)),
 * BENCH_PROFILE (false: `--cpu-prof` on worker B and the portal), BENCH_WRITE_DOCS (true).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { connectDatabase, ensureDatabase, openServerConnection, parseDatabaseUrl } from '../../db/connect';
import { parseConfig } from '../../server/config';
import { renderNotification, resolveTemplateIds } from '../../server/notifications/templates';
import { cpuMs, f, holdRunLock, machineLine, mariadbInfo, profileTables, selfCpuMs, stop, summariseProfile, writeSection, type Started } from './bench-kit';
import {
  benchPayload,
  bulkQueue,
  createSandboxCitizens,
  killHard,
  receivedCards,
  runRows,
  startNotifyPortal,
  startWorkerProcess,
  statusCounts,
  verify,
  type WorkerProcess,
} from './notify-cluster';

const env = process.env;
const url = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/govportal_bench_notify';
const N = Number(env.BENCH_NOTIFICATIONS ?? 100_000);
const nCitizens = Number(env.BENCH_CITIZENS ?? 1000);
const batch = Number(env.BENCH_BATCH ?? 100);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 16);
const claimTtlMs = Number(env.BENCH_CLAIM_TTL_MS ?? 5000);
const nBaseline = Number(env.BENCH_BASELINE ?? Math.min(N, 20_000));
const profileOn = ['true', '1', 'yes'].includes(env.BENCH_PROFILE ?? 'false');
const writeDocs = !['false', '0', 'no'].includes(env.BENCH_WRITE_DOCS ?? 'true');
const TARGET = 2000;
const PREFIX = 'bench';
const SAMPLE_MS = 500;
if (Math.ceil(N / nCitizens) > 500) throw new Error('BENCH_CITIZENS too small: a sandbox phone keeps 500 messages');

const lock = await holdRunLock(url, 'govportal_bench_notify');
const load0 = loadavg();
{
  const conn = await openServerConnection(url);
  await conn.query(`DROP DATABASE IF EXISTS \`${parseDatabaseUrl(url).database}\``);
  await conn.end();
}
await ensureDatabase(url);
const dbInfo = await mariadbInfo(lock);
const config = parseConfig({});
const templateIds = resolveTemplateIds('sandbox', {});

const workerEnv = {
  NOTIFY_BATCH_SIZE: String(batch),
  NOTIFY_CONCURRENCY: String(concurrency),
  NOTIFY_CLAIM_TTL_MS: String(claimTtlMs),
  NOTIFY_POLL_INTERVAL_MS: '200',
  NOTIFY_RETRY_BASE_MS: '200',
  NOTIFY_RETRY_MAX_MS: '2000',
};
const profDir = profileOn ? mkdtempSync(join(tmpdir(), 'bench-notify-prof-')) : '';
const profArgs = (who: string) => (profileOn ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, who)}`, '--cpu-prof-interval=500'] : []);

// ---------------------------------------------------------------------------------------------
// Baseline: the same sends straight to a sandbox, no outbox

interface Baseline {
  sent: number;
  errors: number;
  perS: number;
  wallMs: number;
  portalCpuMsPerMsg: number | null;
  loopCpuMsPerMsg: number;
  dbCpuMsPerMsg: number | null;
}
async function baseline(): Promise<Baseline> {
  const portal = await startNotifyPortal(url);
  const base = `http://127.0.0.1:${portal.port}`;
  const h = connectDatabase(url, 2);
  const people = await createSandboxCitizens(base, h.pool, Math.min(nCitizens, 200));
  await h.close();
  const tok = (await (await fetch(`${base}/sandbox/cgi-bin/token?grant_type=client_credential&appid=${config.wechat.appId}&secret=${config.wechat.appSecret}`)).json()) as { access_token: string };
  const endpoint = `${base}/sandbox/cgi-bin/message/template/send?access_token=${tok.access_token}`;
  const queuedAt = new Date();
  const body = (i: number) => {
    const r = renderNotification({ id: i, kind: 'application.approved', payload: benchPayload(i), queuedAt }, { publicBaseUrl: config.publicBaseUrl, templateIds });
    if (!r.ok) throw new Error(r.message);
    const { templateId, url: link, data } = r.message;
    return JSON.stringify({ touser: people[i % people.length]!.openid, template_id: templateId, url: link, client_msg_id: `base-${i}`, data });
  };
  let next = 0;
  let sent = 0;
  let errors = 0;
  const p0 = cpuMs(portal.child.pid);
  const d0 = cpuMs(dbInfo.pid);
  const s0 = selfCpuMs();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 2 * concurrency }, async () => {
      while (next < nBaseline) {
        const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(++next) });
        const j = (await res.json()) as { errcode?: number; msgid?: unknown };
        if (j.errcode === 0 && j.msgid) sent++;
        else errors++;
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const per = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) / sent);
  const out: Baseline = {
    sent,
    errors,
    wallMs,
    perS: sent / (wallMs / 1000),
    portalCpuMsPerMsg: per(p0, cpuMs(portal.child.pid)),
    loopCpuMsPerMsg: (selfCpuMs() - s0) / sent,
    dbCpuMsPerMsg: per(d0, cpuMs(dbInfo.pid)),
  };
  await stop(portal);
  console.error(`  baseline: ${f(sent, 0)} sends (${errors} errors) in ${f(wallMs / 1000, 1)} s → ${f(out.perS)}/s`);
  return out;
}
const base0 = await baseline();

// ---------------------------------------------------------------------------------------------
// The outbox: two worker processes, A killed twice

const portal: Started = await startNotifyPortal(url, {}, profArgs('portal'));
const base = `http://127.0.0.1:${portal.port}`;
const h = connectDatabase(url, 4);
const pool = h.pool;
const q = async (sql: string, params: unknown[] = []) => (await pool.query<RowDataPacket[]>(sql, params))[0];
let t = performance.now();
const citizens = await createSandboxCitizens(base, pool, nCitizens);
const citizensS = (performance.now() - t) / 1000;
t = performance.now();
await bulkQueue(pool, citizens, N, PREFIX);
const queueS = (performance.now() - t) / 1000;
console.error(`  ${f(nCitizens, 0)} following citizens in ${f(citizensS, 1)} s; ${f(N, 0)} rows queued in ${f(queueS, 1)} s`);

/**
 * Rows sent or finished otherwise (the database holds only this run's rows). Counted on the
 * (status, next_attempt_at) index, on whichever side is smaller: MariaDB's CPU is measured, and
 * polling with a scan of every row (100,000 of them, every 100 ms near the end) was a large
 * share of it.
 */
const FINISHED = "'sent', 'delivered', 'permanent_failure', 'temporary_failure', 'suppressed'";
let lastDone = 0;
const done = async () => {
  lastDone =
    lastDone < N / 2
      ? Number((await q(`SELECT COUNT(*) AS n FROM notifications WHERE status IN (${FINISHED})`))[0]!.n)
      : N - Number((await q("SELECT COUNT(*) AS n FROM notifications WHERE status IN ('queued', 'sending')"))[0]!.n);
  return lastDone;
};
const holding = async (w: WorkerProcess) => Number((await q("SELECT COUNT(*) AS n FROM notifications WHERE claim_owner = ? AND status = 'sending'", [w.owner]))[0]!.n);

/** CPU of every worker process that ran (a killed one: its last reading before the kill). */
const workerCpu = new Map<number, { start: number; last: number }>();
const readWorkerCpu = (w: WorkerProcess) => {
  const c = cpuMs(w.child.pid);
  if (c === null || !w.child.pid) return;
  const e = workerCpu.get(w.child.pid);
  workerCpu.set(w.child.pid, { start: e?.start ?? c, last: c });
};

const portalCpu0 = cpuMs(portal.child.pid);
const dbCpu0 = cpuMs(dbInfo.pid);
let a = await startWorkerProcess('worker-a', url, portal.port, workerEnv);
const b = await startWorkerProcess('worker-b', url, portal.port, workerEnv, profArgs('worker-b'));
const tStart = performance.now();
const startDone = await done();
readWorkerCpu(a);
readWorkerCpu(b);

/** Stretches where both workers ran: [t0, t1] with messages sent in between. */
const both: { ms: number; msgs: number }[] = [];
let stretchT = tStart;
let stretchN = startDone;
const kills: { atDone: number; orphans: number; sentByTheDead: number; restartMs: number; expires: Map<number, number> }[] = [];
const samples: { s: number; n: number }[] = [];

for (const fraction of [1 / 3, 2 / 3]) {
  for (;;) {
    const n = await done();
    samples.push({ s: (performance.now() - tStart) / 1000, n });
    readWorkerCpu(a);
    readWorkerCpu(b);
    // Everything finished before A was caught holding a batch: kill it anyway (else this waits forever).
    if (n >= fraction * N && (n >= N || (await holding(a)) > 0)) break;
    await new Promise((r) => setTimeout(r, n >= fraction * N ? 5 : SAMPLE_MS));
  }
  readWorkerCpu(a);
  await killHard(a);
  const tKill = performance.now();
  const atDone = await done();
  both.push({ ms: tKill - stretchT, msgs: atDone - stretchN });
  const orphans = await q("SELECT CAST(SUBSTRING(dedupe_key, ?) AS UNSIGNED) AS n, claim_expires_at FROM notifications WHERE claim_owner = ? AND status = 'sending'", [PREFIX.length + 2, a.owner]);
  a = await startWorkerProcess('worker-a', url, portal.port, workerEnv);
  stretchT = performance.now();
  stretchN = await done();
  readWorkerCpu(a);
  kills.push({ atDone, orphans: orphans.length, sentByTheDead: 0, restartMs: stretchT - tKill, expires: new Map(orphans.map((o) => [Number(o.n), (o.claim_expires_at as Date).getTime()])) });
  console.error(`  SIGKILL worker A at ${f(atDone, 0)} finished: ${orphans.length} claimed rows not recorded; restarted in ${f(stretchT - tKill, 0)} ms`);
}

let sentAll = 0;
for (;;) {
  const n = await done();
  samples.push({ s: (performance.now() - tStart) / 1000, n });
  readWorkerCpu(a);
  readWorkerCpu(b);
  if (n >= N) {
    sentAll = performance.now();
    both.push({ ms: sentAll - stretchT, msgs: n - stretchN });
    break;
  }
  await new Promise((r) => setTimeout(r, SAMPLE_MS / 5));
}
const workerCpuMs = [...workerCpu.values()].reduce((s, c) => s + (c.last - c.start), 0);
// The receipts: each sent row becomes delivered when its TEMPLATESENDJOBFINISH arrives (give up after 2 minutes).
let deliveredAll = 0;
for (const until = performance.now() + 120_000; ; ) {
  const sent = Number((await q("SELECT COUNT(*) AS n FROM notifications WHERE status = 'sent'"))[0]!.n);
  if (sent === 0 || performance.now() > until) {
    deliveredAll = performance.now();
    break;
  }
  await new Promise((r) => setTimeout(r, 100));
}
const portalCpuMs = (cpuMs(portal.child.pid) ?? NaN) - (portalCpu0 ?? NaN);
const dbCpuMs = (cpuMs(dbInfo.pid) ?? NaN) - (dbCpu0 ?? NaN);

// ---------------------------------------------------------------------------------------------
// What the phones show

for (const w of [a, b]) {
  w.child.kill('SIGTERM');
  await w.exited;
}
const rows = await runRows(pool, PREFIX);
const cards = await receivedCards(base, citizens);
const verdict = verify(rows, cards, citizens);
const cardAt = new Map(cards.map((c) => [c.n, c.at]));
for (const k of kills) k.sentByTheDead = [...k.expires].filter(([n, exp]) => (cardAt.get(n) ?? Infinity) < exp).length;
const retried = rows.filter((r) => r.attempts > 1).length;
const counts = await statusCounts(pool, PREFIX);
await stop(portal);
await h.close();

const totalS = (sentAll - tStart) / 1000;
const overall = N / totalS;
const bothMs = both.reduce((s, x) => s + x.ms, 0);
const bothRate = both.reduce((s, x) => s + x.msgs, 0) / (bothMs / 1000);
const ok = verdict.lost.length === 0 && verdict.duplicated.length === 0 && verdict.mismatched.length === 0 && verdict.rows === N;
const perMsg = (ms: number) => (Number.isFinite(ms) ? f(ms / N, 3) : 'n/a');
console.error(`  ${f(N, 0)} sent in ${f(totalS, 1)} s → ${f(overall)}/s overall, ${f(bothRate)}/s while both ran; lost ${verdict.lost.length}, duplicated ${verdict.duplicated.length}, mismatched ${verdict.mismatched.length}`);

let profile = '';
if (profileOn) {
  for (const who of ['worker-b', 'portal']) {
    const s = summariseProfile(join(profDir, who));
    profile += `\n**Where ${who}'s time goes** (\`node --cpu-prof\`, 500 µs sampling, whole process life; busy ${f(s.busyMs, 0)} of ${f(s.totalMs, 0)} ms):\n\n${profileTables(s)}\n`;
  }
}

const generated = `### Run of record: notify — ${new Date().toISOString().slice(0, 10)}

${machineLine(dbInfo, load0).replace('the load generator** (autocannon in this process)', 'the load generator** (the baseline loop and the checks in this process; two worker processes)')}
Command: \`npm run bench:notify\` (BENCH_NOTIFICATIONS=${N}, BENCH_CITIZENS=${nCitizens}, BENCH_BATCH=${batch}, BENCH_CONCURRENCY=${concurrency}, BENCH_CLAIM_TTL_MS=${claimTtlMs}, BENCH_BASELINE=${nBaseline}); ${f(nCitizens, 0)} citizens followed the sandbox account through the control API in ${f(citizensS, 1)} s, ${f(N, 0)} rows bulk-inserted in ${f(queueS, 1)} s.

| | messages | wall s | messages/s | worker CPU ms/msg | portal CPU ms/msg | MariaDB CPU ms/msg |
|---|---:|---:|---:|---:|---:|---:|
| outbox: 2 worker processes, A SIGKILLed twice (until every row is sent) | ${f(N, 0)} | ${f(totalS, 1)} | **${f(overall)}** | ${perMsg(workerCpuMs)} | ${perMsg(portalCpuMs)} | ${perMsg(dbCpuMs)} |
| outbox, only while both workers ran (${f(bothMs / 1000, 1)} s) | ${f(both.reduce((s, x) => s + x.msgs, 0), 0)} | ${f(bothMs / 1000, 1)} | ${f(bothRate)} | | | |
| baseline: bare POST loop, ${2 * concurrency} in flight, no outbox | ${f(base0.sent, 0)} | ${f(base0.wallMs / 1000, 1)} | ${f(base0.perS)} | ${f(base0.loopCpuMsPerMsg, 3)} (the loop) | ${base0.portalCpuMsPerMsg === null ? 'n/a' : f(base0.portalCpuMsPerMsg, 3)} | ${base0.dbCpuMsPerMsg === null ? 'n/a' : f(base0.dbCpuMsPerMsg, 3)} |

The portal's CPU is the sandbox's (template send, the phone's chat) plus the receipts: each message's \`TEMPLATESENDJOBFINISH\` push is signed, encrypted, posted to \`/wechat\` and turns the row \`delivered\`. Every row was \`delivered\` ${f((deliveredAll - tStart) / 1000, 1)} s after the start (${f((deliveredAll - sentAll) / 1000, 1)} s after the last send). Row states at the end: ${Object.entries(counts).map(([k, v]) => `${k} ${f(v, 0)}`).join(', ')}; ${f(retried, 0)} rows took more than one attempt.

Kills (SIGKILL of worker A while it held a claimed batch; restarted at once): ${kills.map((k, i) => `#${i + 1} at ${f(k.atDone, 0)} finished — ${k.orphans} claimed rows unrecorded, ${k.sentByTheDead} of them already on the phone (sent by the dead worker before its claim expired, sent again by the retaking worker with the same \`client_msg_id\` and answered with the first msgid), restart ${f(k.restartMs, 0)} ms`).join('; ')}.

**Exactly once, checked on the phones** (every template card in the ${f(nCitizens, 0)} sandbox chats read back through \`/sandbox/api/users/:id/chat\`, matched to its row by the link's application id): ${f(verdict.cards, 0)} cards for ${f(verdict.rows, 0)} rows; lost **${verdict.lost.length}**, duplicated **${verdict.duplicated.length}**, wrong phone or msgid **${verdict.mismatched.length}**${verdict.mismatched.length ? ` (first: ${verdict.mismatched.slice(0, 3).join('; ')})` : ''}.

**Verdict.** ${f(overall)} messages/s overall with two kills (${f(bothRate)}/s while both ran); target ≥ ${f(TARGET, 0)}/s: **${overall >= TARGET ? 'met' : 'not met'}**; ${f((overall / base0.perS) * 100, 1)} % of the bare send loop's ${f(base0.perS)}/s. Zero lost and zero duplicated: **${ok ? 'yes' : 'NO'}**.
${profile}`;

const HEADING = '## Notifications (test/bench/notify.ts)';
const intro = `**Target (issue 5):** 100,000 queued notifications sent to the sandbox by two worker processes,
≥ 2,000 messages/s, zero lost or duplicated with one worker killed twice during the run.

**What it measures.** Against the real processes (own database \`govportal_bench_notify\`, recreated each
run): the portal \`server/main.ts\` in sandbox mode with \`NOTIFY_WORKER_IN_SERVER=false\`, and two
\`server/worker.ts\` processes (\`npm run worker\`) sending to its sandbox. Rows are bulk-inserted as
\`queued\` before the workers start; worker A is SIGKILLed at a third and at two thirds of the rows
while it holds a claimed batch and is started again at once (its claims are retaken after
\`NOTIFY_CLAIM_TTL_MS\`). Throughput counts until every row is \`sent\`; "exactly once" is read from the
sandbox phones, not from our own rows. The baseline, measured first in the same run, is a bare
loop POSTing the same rendered sends to a fresh portal's sandbox with as many in flight as the
two workers together: what the platform side costs without the outbox.

Run: \`npm run bench:notify\` (env: \`BENCH_NOTIFICATIONS\`, \`BENCH_CITIZENS\`, \`BENCH_BATCH\`, \`BENCH_CONCURRENCY\`,
\`BENCH_CLAIM_TTL_MS\`, \`BENCH_BASELINE\`, \`BENCH_PROFILE=true\`, \`BENCH_DATABASE_URL\`, \`BENCH_WRITE_DOCS=false\`).
Exit code 1 when a message is lost, duplicated or on the wrong phone. The run of record below is rewritten by each run.
`;

console.log(generated);
if (writeDocs) {
  writeSection('notify', HEADING, intro, generated);
  console.error('written to docs/performance.md');
}
await lock.end();
process.exit(ok ? 0 : 1);
