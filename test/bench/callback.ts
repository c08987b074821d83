/**
 * WeChat push callback benchmark (not a test): `npm run bench:callback`.
 *
 * Safe-mode text pushes `帮助`, each distinct (new MsgId, nonce and current timestamp, signed
 * and encrypted by `sealPush` in autocannon's `setupRequest`), against three servers in child
 * processes, alternating the order across rounds, same connections and duration for all:
 *
 * - portal: the real `server/main.ts` (sandbox, safe mode, its own database): size limit,
 *   signature, decryption, replay refusal and retry dedupe in the database, keyword auto-reply,
 *   usage event, encrypted reply;
 * - co-wechat: node-webot's co-wechat 2.x middleware on Koa doing the same keyword reply
 *   (test/bench/callback-peers.ts), the peer most Node teams use;
 * - bare Koa: reads the body and answers `success` (no crypto): the HTTP stack's ceiling.
 *
 * Every 100th answer of each target is checked (openReply: signature, decryption, AppID, text
 * reply to the sender with the keyword's content; `success` for the ceiling). After each portal
 * phase the usage events and push receipts it wrote are counted in its database. Then one more
 * portal phase runs under `node --cpu-prof` to show where its time goes, and the stages of the
 * push path are timed in-process.
 *
 * Options (env): BENCH_SECONDS (default 10 per phase), BENCH_CONNECTIONS (default 10),
 * BENCH_ROUNDS (default 2), BENCH_RATE (default 500 req/s offered for the fixed-load latency
 * phases of the portal and co-wechat after the rounds; 0 skips them), BENCH_DATABASE_URL (default
 * mysql://root@127.0.0.1:3306/govportal_bench_cb; the portal creates and migrates it),
 * BENCH_WRITE_DOCS (default true: write the run into docs/performance.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createHash, randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { and, eq, gte, sql } from 'drizzle-orm';
import { connectDatabase, openServerConnection } from '../../db/connect';
import { autoReplyRules, usageEvents, wechatPushReceipts } from '../../db/schema';
import { createAesCipher } from '../../server/wechat/aes';
import { openPush, openReply, sealPush, sealReply, type CodecConfig } from '../../server/wechat/codec';
import { toPushMessage } from '../../server/wechat/messages';
import { createPushDedupe, DEDUPE_TTL_MS } from '../../server/wechat/push-dedupe';
import { buildPassiveReply } from '../../server/wechat/replies';
import { buildXml, parsePushXml } from '../../server/wechat/xml';

const env = process.env; // a script, not the server: config.ts rules apply to server code
const url = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/govportal_bench_cb';
const seconds = Number(env.BENCH_SECONDS ?? 10);
const connections = Number(env.BENCH_CONNECTIONS ?? 10);
const roundsWanted = Number(env.BENCH_ROUNDS ?? 2);
const fixedRate = Number(env.BENCH_RATE ?? 500);
const writeDocs = !['false', '0', 'no'].includes(env.BENCH_WRITE_DOCS ?? 'true');
const WARMUP_S = 3;
const SAMPLE_EVERY = 100;
const KEYWORD = '帮助';

// The sandbox defaults of server/config.ts, passed explicitly so the bench does not depend on them.
const codec: CodecConfig = {
  token: 'sandboxtoken',
  appId: 'wx5andb0x0000000a',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  mode: 'safe',
  timestampToleranceS: 300,
};
/** as the sandbox derives it (server/sandbox/core.ts) */
const originalId = `gh_${createHash('sha1').update(codec.appId).digest('hex').slice(0, 12)}`;

type Target = 'portal' | 'co-wechat' | 'bare';
const LABEL: Record<Target, string> = { portal: 'portal (server/main.ts)', 'co-wechat': 'co-wechat 2.4 on Koa', bare: 'bare Koa (ceiling)' };

// ---------------------------------------------------------------------------------------------
// Pushes: distinct, current, correctly signed and encrypted

const runBase = BigInt(Date.now()) * 1_000_000n; // MsgIds never repeat across runs
const nonceBase = randomInt(1_000_000_000, 2_000_000_000);
const openids = Array.from({ length: 1000 }, (_, i) => `oBenchCallback${String(i).padStart(14, '0')}`); // 28 chars, like real ones
let seq = 0;

function nextPush(): { path: string; body: string; openid: string } {
  const n = seq++;
  const openid = openids[n % openids.length]!;
  const nowMs = Date.now();
  const xml = buildXml({ ToUserName: originalId, FromUserName: openid, CreateTime: Math.floor(nowMs / 1000), MsgType: 'text', Content: KEYWORD, MsgId: runBase + BigInt(n) });
  const { query, body } = sealPush({ xml, cfg: codec, nowMs, nonce: String(nonceBase + n) });
  return { path: `/wechat?${new URLSearchParams(query).toString()}`, body, openid };
}

/** Why a sampled answer is wrong, or null. */
type Check = (status: number, body: string, openid: string) => string | null;

const checkTextReply =
  (content: string): Check =>
  (status, body, openid) => {
    if (status !== 200) return `status ${status}`;
    try {
      const { xml } = openReply(body, codec);
      if (xml.MsgType !== 'text') return `MsgType ${String(xml.MsgType)}`;
      if (xml.Content !== content) return `Content ${JSON.stringify(xml.Content).slice(0, 60)}`;
      if (xml.ToUserName !== openid) return 'ToUserName is not the sender';
      if (xml.FromUserName !== originalId) return 'FromUserName is not the account';
      return null;
    } catch (err) {
      return `unreadable reply (${err instanceof Error ? err.message : String(err)}): ${body.slice(0, 60)}`;
    }
  };
const checkSuccess: Check = (status, body) => (status === 200 && body === 'success' ? null : `status ${status}, body ${body.slice(0, 40)}`);

interface LoadResult {
  rps: number;
  mean: number;
  p50: number;
  p99: number;
  completed: number;
  /** pushes built and sent (completed + in flight at the end) */
  sent: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  sampled: number;
  mismatches: number;
  firstMismatch: string;
}

/** Closed loop at saturation (autocannon), or open loop at a fixed rate (see pacedLoad). */
async function load(port: number, duration: number, check: Check, rate?: number): Promise<LoadResult> {
  if (rate) return pacedLoad(port, duration, check, rate);
  const tally = { sent: 0, responses: 0, sampled: 0, mismatches: 0, firstMismatch: '' };
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        setupRequest: (req, context) => {
          const p = nextPush();
          tally.sent++;
          (context as { openid?: string }).openid = p.openid; // the context lives until this request's answer
          return { ...req, path: p.path, body: p.body };
        },
        onResponse: (status, body, context) => {
          if (++tally.responses % SAMPLE_EVERY !== 0) return;
          tally.sampled++;
          const why = check(status, body, (context as { openid?: string }).openid ?? '');
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
    p99: r.latency.p99,
    completed: r.requests.total,
    sent: tally.sent,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    sampled: tally.sampled,
    mismatches: tally.mismatches,
    firstMismatch: tally.firstMismatch,
  };
}

/**
 * A fixed offered load, evenly spread: one push every 1/rate s whatever the answers do (open
 * loop), over at most `connections` keep-alive sockets; a push waiting for a free socket counts
 * that wait in its latency. Not autocannon's \`overallRate\`: that sends each second's quota
 * back to back and then pauses, i.e. bursts at saturation.
 */
function pacedLoad(port: number, duration: number, check: Check, rate: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  const t = { sent: 0, inFlight: 0, responses: 0, non2xx: 0, errors: 0, timeouts: 0, sampled: 0, mismatches: 0, firstMismatch: '' };
  const t0 = performance.now();
  const end = t0 + duration * 1000;
  let stopped = false;
  return new Promise((resolve) => {
    const finish = () => {
      if (!stopped || t.inFlight > 0) return;
      agent.destroy();
      const sorted = latencies.sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
      resolve({
        rps: t.responses / duration,
        mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
        p50: q(0.5),
        p99: q(0.99),
        completed: t.responses,
        sent: t.sent,
        non2xx: t.non2xx,
        errors: t.errors,
        timeouts: t.timeouts,
        sampled: t.sampled,
        mismatches: t.mismatches,
        firstMismatch: t.firstMismatch,
      });
    };
    const fire = () => {
      const p = nextPush();
      t.sent++;
      t.inFlight++;
      const started = performance.now();
      const req = request(
        { host: '127.0.0.1', port, path: p.path, method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(p.body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - started);
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) t.non2xx++;
            if (++t.responses % SAMPLE_EVERY === 0) {
              t.sampled++;
              const why = check(status, Buffer.concat(chunks).toString('utf8'), p.openid);
              if (why) {
                t.mismatches++;
                t.firstMismatch ||= why;
              }
            }
            t.inFlight--;
            finish();
          });
        },
      );
      req.setTimeout(10_000, () => {
        t.timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', () => {
        t.errors++;
        t.inFlight--;
        finish();
      });
      req.end(p.body);
    };
    const tick = () => {
      const now = performance.now();
      if (now >= end) {
        stopped = true;
        finish();
        return;
      }
      const due = Math.floor(((now - t0) / 1000) * rate) + 1;
      while (t.sent < due) fire();
      setTimeout(tick, 1);
    };
    tick();
  });
}

// ---------------------------------------------------------------------------------------------
// Servers under test

interface Started {
  child: ChildProcess;
  port: number;
  /** usage events the portal reported dropped (its 'usage events dropped' warnings) */
  usageDropped: number;
}

function startChild(name: string, args: string[], childEnv: NodeJS.ProcessEnv, ready: RegExp): Promise<Started> {
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let started: Started | undefined;
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (started) {
        // After start-up only log lines (LOG_LEVEL=warn: warnings and errors) come here: show them.
        for (const line of d.toString().split('\n')) {
          if (!line.trim() || line.startsWith('[govportal]')) continue;
          process.stderr.write(`  [${name}] ${line.slice(0, 600)}\n`);
          const dropped = /"droppedTotal":(\d+)/.exec(line);
          if (dropped) started.usageDropped = Math.max(started.usageDropped, Number(dropped[1]));
        }
        return;
      }
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        started = { child, port: Number(m[1]), usageDropped: 0 };
        resolve(started);
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
}

let replies: { help: string; fallback: string } | undefined;

function start(target: Target, profileDir?: string): Promise<Started> {
  if (target === 'portal') {
    const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=250'] : [];
    return startChild(
      'portal',
      [...prof, '--import', 'tsx', 'server/main.ts'],
      {
        PATH: env.PATH,
        DATABASE_URL: url,
        PORT: '0',
        HOST: '127.0.0.1',
        WEB_BUILD: 'never',
        LOG_LEVEL: 'warn',
        WECHAT_MODE: 'sandbox',
        WECHAT_MESSAGE_MODE: 'safe',
        WECHAT_APPID: codec.appId,
        WECHAT_TOKEN: codec.token,
        WECHAT_AES_KEY: codec.aesKey,
      },
      /ready in \w+ mode on 127\.0\.0\.1:(\d+)/,
    );
  }
  const args = target === 'bare' ? ['bare'] : ['co-wechat', codec.token, codec.appId, codec.aesKey!, replies!.help, replies!.fallback];
  return startChild(target, ['--import', 'tsx', 'test/bench/callback-peers.ts', ...args], { PATH: env.PATH }, /listening on 127\.0\.0\.1:(\d+)/);
}

async function stop({ child }: Started): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

// ---------------------------------------------------------------------------------------------
// CPU time per process (Linux /proc), so "what the 2 cores were doing" can be read per request

const CLK_TCK = 100; // USER_HZ on Linux
function cpuMs(pid: number | undefined | null): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from "state" (3rd) on
    return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1000;
  } catch {
    return null;
  }
}
/** Whole machine, ms of CPU since boot: busy (everything but idle and iowait) and steal. */
function machineCpuMs(): { busy: number; steal: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return { busy: ((user + nice + system + irq + softirq + steal) / CLK_TCK) * 1000, steal: (steal / CLK_TCK) * 1000 };
  } catch {
    return null;
  }
}
const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// ---------------------------------------------------------------------------------------------
// The portal's database

const h = () => connectDatabase(url, 2);

async function readReplies(): Promise<{ help: string; fallback: string }> {
  const db = h();
  try {
    const rules = await db.db.select().from(autoReplyRules).where(eq(autoReplyRules.enabled, true));
    const help = rules.find((r) => r.trigger === 'keyword' && r.matchType === 'exact' && r.pattern === KEYWORD)?.reply;
    const fallback = rules.find((r) => r.trigger === 'default')?.reply;
    if (help?.type !== 'text' || fallback?.type !== 'text') throw new Error(`the bench database lacks the seeded "${KEYWORD}" and default text rules`);
    return { help: help.content, fallback: fallback.content };
  } finally {
    await db.close();
  }
}

async function usageCount(): Promise<number> {
  const db = h();
  try {
    const [row] = await db.db.select({ n: sql<number>`count(*)` }).from(usageEvents).where(eq(usageEvents.source, 'wechat'));
    return Number(row?.n ?? 0);
  } finally {
    await db.close();
  }
}

/** Receipts written since `sinceMs` (each is stamped now + TTL, so the periodic sweep cannot skew this). */
async function receiptsSince(sinceMs: number): Promise<{ replay: number; retry: number }> {
  const db = h();
  try {
    const rows = await db.db
      .select({ purpose: wechatPushReceipts.purpose, n: sql<number>`count(*)` })
      .from(wechatPushReceipts)
      .where(gte(wechatPushReceipts.expiresAt, sinceMs + DEDUPE_TTL_MS))
      .groupBy(wechatPushReceipts.purpose);
    const by = (p: string) => Number(rows.find((r) => r.purpose === p)?.n ?? 0);
    return { replay: by('replay'), retry: by('retry') };
  } finally {
    await db.close();
  }
}

async function mariadbInfo(): Promise<{ version: string; pid: number | null; flush: string }> {
  const db = h();
  try {
    const [rows] = (await db.pool.query('SELECT VERSION() AS v, @@pid_file AS f, @@innodb_flush_log_at_trx_commit AS flush')) as unknown as [{ v: string; f: string; flush: unknown }[]];
    let pid: number | null = null;
    try {
      pid = Number(readFileSync(rows[0]!.f, 'utf8').trim()) || null;
    } catch {
      pid = null; // CPU of the database is then not reported
    }
    return { version: rows[0]!.v, pid, flush: String(rows[0]!.flush) };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// One phase: start, warm up, measure, stop, account

interface Phase {
  target: Target;
  round: number;
  m: LoadResult;
  warm: LoadResult;
  /** CPU ms per completed request during the measured window */
  cpu: { server: number | null; db: number | null; loadgen: number };
  /** CPU of the three processes over the measured window, in cores */
  coresBusy: number | null;
  /** the whole machine over the same window, in cores (others' work included), and CPU steal */
  machine: { busy: number; steal: number } | null;
  db?: { pushes: number; answered2xx: number; usageRows: number; usageDropped: number; replay: number; retry: number };
}

let mariadbPid: number | null = null;

async function phase(target: Target, round: number, rate?: number): Promise<Phase> {
  const startedAt = Date.now();
  const usageBefore = target === 'portal' ? await usageCount() : 0;
  const s = await start(target);
  const warm = await load(s.port, WARMUP_S, () => null, rate); // JIT, pools, caches; pushes still distinct and handled
  const c0 = { server: cpuMs(s.child.pid), db: cpuMs(mariadbPid), lg: selfCpuMs(), all: machineCpuMs(), t: performance.now() };
  const check = target === 'bare' ? checkSuccess : checkTextReply(replies!.help);
  const m = await load(s.port, seconds, check, rate);
  const c1 = { server: cpuMs(s.child.pid), db: cpuMs(mariadbPid), lg: selfCpuMs(), all: machineCpuMs(), t: performance.now() };
  // Let the pushes still in flight when autocannon stopped finish before SIGTERM: a drain does
  // not wait for a request whose client has gone, and its usage event would be dropped.
  await new Promise((r) => setTimeout(r, 1000));
  await stop(s); // the portal flushes its usage buffer on SIGTERM
  const per = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) / m.completed);
  const cpu = { server: per(c0.server, c1.server), db: per(c0.db, c1.db), loadgen: (c1.lg - c0.lg) / m.completed };
  const used = c0.server !== null && c1.server !== null && c0.db !== null && c1.db !== null ? c1.server - c0.server + (c1.db - c0.db) + (c1.lg - c0.lg) : null;
  const wall = c1.t - c0.t;
  const machine = c0.all && c1.all ? { busy: (c1.all.busy - c0.all.busy) / wall, steal: (c1.all.steal - c0.all.steal) / wall } : null;
  const result: Phase = { target, round, m, warm, cpu, coresBusy: used === null ? null : used / wall, machine };
  if (target === 'portal') {
    const receipts = await receiptsSince(startedAt);
    result.db = {
      pushes: warm.sent + m.sent,
      answered2xx: warm.completed - warm.non2xx + (m.completed - m.non2xx),
      usageRows: (await usageCount()) - usageBefore,
      usageDropped: s.usageDropped,
      ...receipts,
    };
  }
  const f1 = (n: number) => n.toFixed(1);
  console.error(
    `${rate ? `fixed ${rate} req/s` : `round ${round}`} ${target}: ${f1(m.rps)} req/s, mean ${m.mean.toFixed(2)} ms, p99 ${+m.p99.toFixed(2)} ms, sampled ${m.sampled}, mismatches ${m.mismatches}, non-2xx ${m.non2xx}${m.firstMismatch ? ` (${m.firstMismatch})` : ''}`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Where the portal's time goes: a CPU profile of one phase, and the push path's stages in-process

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const ROOT = new URL('../../', import.meta.url).href;
const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function categoryOf(frame: ProfileNode['callFrame']): string | null {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const u = frame.url;
  if (!u) return null; // native: charged to the JS code that called it
  const nm = u.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const parts = u.slice(nm + 14).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (u.startsWith('node:')) {
    const parts = u.slice(5).split('/');
    return `node:${parts[0] === 'internal' ? parts.slice(0, 2).join('/') : parts[0]}`;
  }
  return u.startsWith(ROOT) ? u.slice(ROOT.length) : u;
}

/** Stack frames of the push path whose inclusive time is worth naming. */
const STAGES: { label: string; fn: string | null; file: string }[] = [
  { label: 'openPush: signatures, outer parse, AES decrypt, inner parse', fn: 'openPush', file: 'server/wechat/codec.ts' },
  { label: '  parsePushXml (both parses)', fn: 'parsePushXml', file: 'server/wechat/xml.ts' },
  { label: '  decryptWithRotation (AES)', fn: 'decryptWithRotation', file: 'server/wechat/codec.ts' },
  { label: 'sealReply (AES encrypt, MsgSignature, envelope)', fn: 'sealReply', file: 'server/wechat/codec.ts' },
  { label: 'buildPassiveReply', fn: 'buildPassiveReply', file: 'server/wechat/replies.ts' },
  { label: 'push-dedupe.ts (claims: hashing, batching, statements; sync part)', fn: null, file: 'server/wechat/push-dedupe.ts' },
  { label: 'readRawBody', fn: 'readRawBody', file: 'server/http/raw-body.ts' },
  { label: 'push handler (usage record, rule lookup)', fn: 'handle', file: 'server/wechat/push-handler.ts' },
];
const INCLUSIVE_PACKAGES = ['mysql2', 'drizzle-orm', 'fast-xml-parser', 'pino', 'koa', '@koa/router'];
const DB_CLIENT = 'database client: mysql2 or drizzle-orm on the stack';

interface ProfileSummary {
  windowMs: number;
  coveredMs: number;
  windowed: boolean;
  busyMs: number;
  categories: { name: string; ms: number }[];
  functions: { name: string; ms: number }[];
  stages: { label: string; ms: number }[];
  packages: { name: string; ms: number }[];
}

function summariseProfile(p: CpuProfile, fromUs: number, toUs: number): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Each node's category: its own, or (natives) the nearest JS ancestor's.
  const cat = new Map<number, string>();
  const catOf = (id: number): string => {
    const known = cat.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    const own = categoryOf(n.callFrame);
    const pid = parent.get(id);
    const c = own ?? (pid === undefined ? '(native)' : catOf(pid));
    cat.set(id, c);
    return c;
  };
  // Sample timestamps share CLOCK_MONOTONIC with process.hrtime, so the measured window can be cut out.
  let t = p.startTime;
  const inWindow: { id: number; dt: number }[] = [];
  const all: { id: number; dt: number }[] = [];
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    const dt = p.timeDeltas[i + 1] ?? 0;
    all.push({ id: p.samples[i]!, dt });
    if (t >= fromUs && t < toUs) inWindow.push({ id: p.samples[i]!, dt });
  }
  const windowMs = (toUs - fromUs) / 1000;
  const coveredMs = Math.min(windowMs, inWindow.reduce((s, x) => s + x.dt, 0) / 1000);
  const windowed = coveredMs > windowMs * 0.5;
  const samples = windowed ? inWindow : all; // fall back to the whole life of the process
  const self = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const stageMs = new Map<string, number>();
  const pkgMs = new Map<string, number>();
  for (const { id, dt } of samples) {
    const c = catOf(id);
    self.set(c, (self.get(c) ?? 0) + dt);
    const f = byId.get(id)!.callFrame;
    const fname = SPECIAL.has(f.functionName) ? f.functionName : `${f.functionName || '(anonymous)'} ${f.url ? `${categoryOf(f) ?? ''}:${f.lineNumber + 1}` : `(native, in ${c})`}`;
    fnSelf.set(fname, (fnSelf.get(fname) ?? 0) + dt);
    const seenStage = new Set<string>();
    const seenPkg = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fr = byId.get(cur)!.callFrame;
      const fc = categoryOf(fr);
      for (const s of STAGES) if ((s.fn === null || fr.functionName === s.fn) && fc === s.file) seenStage.add(s.label);
      if (fc && INCLUSIVE_PACKAGES.includes(fc)) seenPkg.add(fc);
    }
    for (const s of seenStage) stageMs.set(s, (stageMs.get(s) ?? 0) + dt);
    for (const s of seenPkg) pkgMs.set(s, (pkgMs.get(s) ?? 0) + dt);
    if (seenPkg.has('mysql2') || seenPkg.has('drizzle-orm')) pkgMs.set(DB_CLIENT, (pkgMs.get(DB_CLIENT) ?? 0) + dt);
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  const categories = sorted(self);
  const idle = categories.find((c) => c.name === '(idle)')?.ms ?? 0;
  const total = categories.reduce((s, c) => s + c.ms, 0);
  return {
    windowMs,
    coveredMs,
    windowed,
    busyMs: total - idle,
    categories,
    functions: sorted(fnSelf).filter((f) => f.name !== '(idle)'),
    stages: STAGES.map((s) => ({ label: s.label, ms: (stageMs.get(s.label) ?? 0) / 1000 })),
    packages: sorted(pkgMs),
  };
}

async function profiledPhase(): Promise<{ m: LoadResult; summary: ProfileSummary; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-callback-prof-'));
  const s = await start('portal', dir);
  await load(s.port, WARMUP_S, () => null);
  const from = Number(process.hrtime.bigint() / 1000n);
  const m = await load(s.port, seconds, checkTextReply(replies!.help));
  const to = Number(process.hrtime.bigint() / 1000n);
  await new Promise((r) => setTimeout(r, 1000));
  await stop(s); // --cpu-prof writes the profile as the process exits
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const file = join(dir, files.sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0] ?? '');
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, from, to);
  return { m, summary, file };
}

/** Microseconds per call, the best of a few batches (the machine is shared). */
function timeSync(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(n, 500); i++) fn(i); // warm-up
  let best = Infinity;
  for (let b = 0; b < 5; b++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1000 / n);
  }
  return best;
}

async function stageCosts(): Promise<{ label: string; us: number }[]> {
  const push = nextPush();
  const query = Object.fromEntries(new URLSearchParams(push.path.slice(push.path.indexOf('?') + 1)));
  const now = Date.now();
  const opened = openPush({ query, body: push.body, cfg: codec, nowMs: now });
  const outer = push.body;
  const inner = createAesCipher(codec.aesKey!).decrypt(parsePushXml(outer).Encrypt as string).message;
  const msg = toPushMessage(opened.xml);
  const reply = { type: 'text' as const, content: replies!.help };
  const replyXml = buildPassiveReply({ toUser: msg.fromUserName, fromUser: msg.toUserName, createTime: Math.floor(now / 1000), reply });
  const sealed = sealReply(replyXml, opened, codec, now);
  const encrypt = parsePushXml(outer).Encrypt as string;
  const xml2js = createRequire(import.meta.url)('xml2js') as { parseString(xml: string, opts: { trim: boolean }, cb: (err: unknown, out: unknown) => void): void };

  const out = [
    { label: 'sealPush (load generator, per request)', us: timeSync(5000, () => nextPush()) },
    { label: 'openPush: signature, msg_signature, outer parse, decrypt, inner parse', us: timeSync(5000, () => openPush({ query, body: outer, cfg: codec, nowMs: now })) },
    { label: '  parsePushXml of the safe-mode body (ToUserName + Encrypt)', us: timeSync(5000, () => parsePushXml(outer)) },
    { label: '  parsePushXml of the decrypted text message', us: timeSync(5000, () => parsePushXml(inner)) },
    { label: '  AES-256-CBC decrypt (createAesCipher + decrypt)', us: timeSync(5000, () => createAesCipher(codec.aesKey!).decrypt(encrypt)) },
    { label: 'toPushMessage', us: timeSync(20000, () => toPushMessage(opened.xml)) },
    { label: 'buildPassiveReply + sealReply (encrypt, sign, envelope)', us: timeSync(5000, () => sealReply(buildPassiveReply({ toUser: msg.fromUserName, fromUser: msg.toUserName, createTime: Math.floor(now / 1000), reply }), opened, codec, now)) },
    { label: 'openReply (load generator, every 100th answer)', us: timeSync(5000, () => openReply(sealed, codec)) },
    { label: 'for comparison: xml2js.parseString of the decrypted message (co-wechat\'s parser)', us: timeSync(5000, () => xml2js.parseString(inner, { trim: true }, () => undefined)) },
  ];

  // What one push waits for in the database at low load: its replay and retry claims, one push
  // at a time (no batching across pushes), through the portal's own dedupe module.
  const db = h();
  try {
    const dedupe = createPushDedupe({ db: db.db });
    const n = 400;
    const claims = (tag: string, i: number) => [
      { purpose: 'replay' as const, key: `bench-stage-${tag}-${runBase}-${i}` },
      { purpose: 'retry' as const, key: `bench-stage-${tag}-${runBase}-${i}` },
    ];
    for (let i = 0; i < 50; i++) await dedupe.claimAll(claims('warm', i));
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await dedupe.claimAll(claims('timed', i));
    out.push({ label: 'one push\'s dedupe claims (replay + retry), one push at a time: round trips + commit', us: Number(process.hrtime.bigint() - t) / 1000 / n });
    // The same round trip without a write: what the commit (redo-log flush) adds.
    const t2 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await db.pool.query('SELECT 1');
    out.push({ label: '  for comparison: SELECT 1 round trip on the same pool', us: Number(process.hrtime.bigint() - t2) / 1000 / n });
  } finally {
    await db.close();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Run

// Two runs at once would share the database and the cores and spoil each other's figures (seen):
// hold a server-wide lock for the whole run.
const lock = await openServerConnection(url);
const [lockRows] = (await lock.query("SELECT GET_LOCK('govportal_bench_callback', 0) AS got")) as unknown as [{ got: number | null }[]];
if (lockRows[0]?.got !== 1) {
  console.error('another bench:callback run holds the lock on this MariaDB server: wait for it to finish');
  process.exit(1);
}
const load0 = loadavg();
// A first start creates, migrates and seeds the database (not measured); the replies are read from it.
await stop(await start('portal'));
replies = await readReplies();
const dbInfo = await mariadbInfo();
mariadbPid = dbInfo.pid;
const stages = await stageCosts();

const targets: Target[] = ['portal', 'co-wechat', 'bare'];
const phases: Phase[] = [];
for (let round = 1; round <= roundsWanted; round++) {
  for (const target of round % 2 === 1 ? targets : [...targets].reverse()) phases.push(await phase(target, round));
}
// Latency at a load both servers sustain, apart from queueing at saturation.
const fixed: Phase[] = [];
if (fixedRate > 0) for (const target of ['co-wechat', 'portal'] as const) fixed.push(await phase(target, 0, fixedRate));
const profiled = await profiledPhase();
const load1 = loadavg();

// ---------------------------------------------------------------------------------------------
// Report

const f = (n: number, d = 2) => n.toLocaleString('en-US', { maximumFractionDigits: d });
const ms = (n: number | null) => (n === null ? 'n/a' : f(n, 3));
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const of = (t: Target) => phases.filter((p) => p.target === t);
const mean = (t: Target, k: 'rps' | 'mean' | 'p50' | 'p99') => avg(of(t).map((p) => p.m[k]));
const meanCpu = (t: Target, k: 'server' | 'db' | 'loadgen') => {
  const xs = of(t).map((p) => p.cpu[k]);
  return xs.some((x) => x === null) ? null : avg(xs as number[]);
};
/** measured phases only, or (failures) warm-ups included */
const sum = (t: Target, k: 'sampled' | 'mismatches' | 'completed' | 'non2xx' | 'errors' | 'timeouts') =>
  of(t).reduce((n, p) => n + p.m[k] + (k === 'non2xx' || k === 'errors' || k === 'timeouts' ? p.warm[k] : 0), 0);

const ratio = mean('portal', 'rps') / mean('co-wechat', 'rps');
const ratios = Array.from({ length: roundsWanted }, (_, i) => {
  const r = phases.filter((p) => p.round === i + 1);
  return r.find((p) => p.target === 'portal')!.m.rps / r.find((p) => p.target === 'co-wechat')!.m.rps;
});
const p99s = of('portal').map((p) => p.m.p99);
const worstP99 = Math.max(...p99s);
const order = (round: number) => (round % 2 === 1 ? targets : [...targets].reverse()).join(' → ');
const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;
const ps = profiled.summary;
const firstMismatches = targets.flatMap((t) => of(t).filter((p) => p.m.firstMismatch).map((p) => `${t} round ${p.round}: ${p.m.firstMismatch}`));
const noteSafe = (s: string) => s.replaceAll('|', '\\|');
const perPush = (msTotal: number) => f((msTotal * 1000) / profiled.m.completed, 0);
const fixedPortal = fixed.find((p) => p.target === 'portal');
const ceilingBelowTarget = 3 * mean('co-wechat', 'rps') > mean('bare', 'rps');

const generated = `### Run of record: callback — ${new Date().toISOString().slice(0, 10)}

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, MariaDB ${dbInfo.version} (same box, \`innodb_flush_log_at_trx_commit=${dbInfo.flush}\`).
**The ${cpus().length} cores are shared by MariaDB, the server under test and the load generator** (autocannon plus \`sealPush\` for every request, in this process); load average ${load0.map((x) => x.toFixed(2)).join(' / ')} before the run, ${load1.map((x) => x.toFixed(2)).join(' / ')} after (other work on the machine shows up there).
Command: \`npm run bench:callback\` (BENCH_SECONDS=${seconds}, BENCH_CONNECTIONS=${connections}, BENCH_ROUNDS=${roundsWanted}); ${WARMUP_S} s warm-up per phase, not counted.
Order: ${Array.from({ length: roundsWanted }, (_, i) => `round ${i + 1}: ${order(i + 1)}`).join('; ')}.

| target (mean of ${roundsWanted} rounds) | req/s | mean ms | p50 ms | p99 ms | server CPU ms/req | MariaDB CPU ms/req | load-gen CPU ms/req |
|---|---:|---:|---:|---:|---:|---:|---:|
${targets.map((t) => `| ${LABEL[t]} | ${f(mean(t, 'rps'))} | ${f(mean(t, 'mean'))} | ${f(mean(t, 'p50'))} | ${f(mean(t, 'p99'))} | ${ms(meanCpu(t, 'server'))} | ${ms(meanCpu(t, 'db'))} | ${ms(meanCpu(t, 'loadgen'))} |`).join('\n')}

Per round (req/s, mean / p99 ms): ${phases.map((p) => `${p.round}·${p.target}: ${f(p.m.rps)}, ${f(p.m.mean)} / ${p.m.p99}`).join('; ')}. CPU in use during the measured windows, in cores of ${cpus().length} — the three processes (server + MariaDB + load generator) / the whole machine${phases.some((p) => (p.machine?.steal ?? 0) > 0.01) ? ' / stolen by the hypervisor' : ''}: ${phases.map((p) => `${p.round}·${p.target} ${p.coresBusy === null ? 'n/a' : f(p.coresBusy)} / ${p.machine ? f(p.machine.busy) : 'n/a'}${(p.machine?.steal ?? 0) > 0.01 ? ` / ${f(p.machine!.steal)}` : ''}`).join(', ')}. The difference is other work on the machine.

**Verdict.** Portal / co-wechat throughput: **${f(ratio)}×** (per round ${ratios.map((r) => `${f(r)}×`).join(', ')}); target ≥ 3×: **${ratio >= 3 ? 'met' : `not met`}**${ratio >= 3 ? '' : ` — ${f((3 / ratio - 1) * 100, 0)} % more portal throughput (${f(3 * mean('co-wechat', 'rps'), 0)} req/s) would be needed`}. Portal p99 at saturation: ${p99s.map((p) => `${p} ms`).join(', ')} (worst ${worstP99} ms); target ≤ 10 ms: **${worstP99 <= 10 ? 'met' : 'not met'}**${fixedPortal ? `; at a fixed ${f(fixedRate, 0)} req/s: ${f(fixedPortal.m.p99)} ms (**${fixedPortal.m.p99 <= 10 ? 'met' : 'not met'}**)` : ''}. The portal reaches ${pct(mean('portal', 'rps'), mean('bare', 'rps'))} of the bare-Koa ceiling, co-wechat ${pct(mean('co-wechat', 'rps'), mean('bare', 'rps'))}.${ceilingBelowTarget ? ` Note: 3× co-wechat (${f(3 * mean('co-wechat', 'rps'), 0)} req/s) is above the bare-Koa ceiling measured in the same run (${f(mean('bare', 'rps'), 0)} req/s, ${f(mean('bare', 'rps') / mean('co-wechat', 'rps'))}× co-wechat): on this machine and harness no implementation of the push path can meet the throughput target.` : ''}

${
  fixed.length
    ? `**At a fixed offered load** (${f(fixedRate, 0)} req/s, one push every ${f(1000 / fixedRate)} ms (open loop, node:http keep-alive, at most ${connections} connections; latency to the millisecond's fraction), ${seconds} s after a ${WARMUP_S} s warm-up, one phase each after the rounds: latency without saturation queueing):

| target | req/s | mean ms | p50 ms | p99 ms | server CPU ms/req | MariaDB CPU ms/req | sampled | mismatches | non-2xx |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${fixed.map((p) => `| ${LABEL[p.target]} | ${f(p.m.rps)} | ${f(p.m.mean)} | ${f(p.m.p50)} | ${f(p.m.p99)} | ${ms(p.cpu.server)} | ${ms(p.cpu.db)} | ${p.m.sampled} | ${p.m.mismatches} | ${p.m.non2xx + p.warm.non2xx} |`).join('\n')}

`
    : ''
}**Correctness** (every ${SAMPLE_EVERY}th answer opened with \`openReply\`: MsgSignature, decryption to our AppID, a text reply to the sender from the account with the \`${KEYWORD}\` rule's content; \`success\` for the ceiling; non-2xx, errors and timeouts include the warm-ups):

| target | answers (measured) | sampled | mismatches | non-2xx | errors | timeouts |
|---|---:|---:|---:|---:|---:|---:|
${targets.map((t) => `| ${LABEL[t]} | ${f(sum(t, 'completed'), 0)} | ${f(sum(t, 'sampled'), 0)} | ${sum(t, 'mismatches')} | ${sum(t, 'non2xx')} | ${sum(t, 'errors')} | ${sum(t, 'timeouts')} |`).join('\n')}
${firstMismatches.length ? `\nFirst mismatch: ${noteSafe(firstMismatches.join('; '))}\n` : ''}
**What the portal wrote** (its database, per phase, warm-up included; a push that was answered must have left one usage event and two receipts, replay + retry):

| round | pushes sent | answered 2xx | usage_events (source wechat) | usage dropped (portal's log) | receipts: replay | receipts: retry | receipts / pushes sent |
|---:|---:|---:|---:|---:|---:|---:|---:|
${[...of('portal'), ...fixed.filter((p) => p.target === 'portal')].map((p) => `| ${p.round || `fixed ${fixedRate}/s`} | ${f(p.db!.pushes, 0)} | ${f(p.db!.answered2xx, 0)} | ${f(p.db!.usageRows, 0)} | ${p.db!.usageDropped} | ${f(p.db!.replay, 0)} | ${f(p.db!.retry, 0)} | ${f((p.db!.replay + p.db!.retry) / p.db!.pushes, 3)} |`).join('\n')}

(\`pushes sent\` includes the ≤ ${connections} per load still in flight when autocannon stopped (warm-up and measured): the portal handles them, but their answers are not counted as answered. The portal is stopped 1 s after the load so those finish.)

**Stages of the push path, in-process** (µs per call, best of 5 batches, timed in this process before the load phases):

| stage | µs |
|---|---:|
${stages.map((s) => `| ${s.label.replace(/^ {2}/, '↳ ')} | ${f(s.us, 1)} |`).join('\n')}

**CPU profile of the portal** (\`node --cpu-prof\`, 250 µs sampling, one extra ${seconds} s phase after the rounds, not in the averages: ${f(profiled.m.rps)} req/s, p99 ${profiled.m.p99} ms under the profiler; ${ps.windowed ? `samples cut to the measured window, ${f(ps.coveredMs, 0)} of ${f(ps.windowMs, 0)} ms covered` : 'the window could not be cut out: the whole process life, start-up included'}). The portal's thread was busy ${f(ps.busyMs, 0)} ms of ${f(ps.windowMs, 0)} ms (${pct(ps.busyMs, ps.windowMs)}); ${f((ps.busyMs * 1000) / profiled.m.completed, 1)} µs of its thread per answered push.

Self time by where the code lives (natives charged to their JS caller; share of busy time):

| code | ms | share | µs per push |
|---|---:|---:|---:|
${ps.categories.filter((c) => c.name !== '(idle)').slice(0, 14).map((c) => `| ${c.name} | ${f(c.ms, 0)} | ${pct(c.ms, ps.busyMs)} | ${perPush(c.ms)} |`).join('\n')}

Inclusive time of the push path's own steps and of libraries on the stack (synchronous work only; waiting on MariaDB is idle time):

| on the stack | ms | share of busy | µs per push |
|---|---:|---:|---:|
${[...ps.stages.map((s) => ({ name: s.label.replace(/^ {2}/, '↳ '), ms: s.ms })), ...ps.packages].map((s) => `| ${s.name} | ${f(s.ms, 0)} | ${pct(s.ms, ps.busyMs)} | ${perPush(s.ms)} |`).join('\n')}

Top functions by self time:

| function | ms | share | µs per push |
|---|---:|---:|---:|
${ps.functions.slice(0, 15).map((x) => `| \`${noteSafe(x.name)}\` | ${f(x.ms, 0)} | ${pct(x.ms, ps.busyMs)} | ${perPush(x.ms)} |`).join('\n')}
`;

const HEADING = '## WeChat push callback (test/bench/callback.ts)';
const BEGIN = '<!-- bench:callback:begin (written by test/bench/callback.ts) -->';
const END = '<!-- bench:callback:end -->';
const intro = `${HEADING}

**Target (issue):** safe-mode text pushes against the portal at ≥ 3× the throughput of node-webot's
\`co-wechat\` doing the same keyword reply, with p99 ≤ 10 ms.

**What it measures.** Every request is a distinct safe-mode text push \`${KEYWORD}\` (new MsgId and
nonce, current timestamp, signed and encrypted by \`sealPush\` in autocannon's \`setupRequest\`), so
replay refusal and retry dedupe pass and each push is really handled, deduped and usage-logged.
Three servers, each in its own child process, same connections and duration, alternating order
across rounds after a ${WARMUP_S} s warm-up each:

1. *portal*: the real \`server/main.ts\` (sandbox, safe mode, \`WEB_BUILD=never\`, \`LOG_LEVEL=warn\`,
   database \`govportal_bench_cb\` created by the app): size limit, signatures, decryption, replay
   and retry claims in \`wechat_push_receipts\` (server/wechat/push-dedupe.ts), keyword rule, usage event,
   encrypted reply;
2. *co-wechat* 2.4 on Koa 3 (\`test/bench/callback-peers.ts\`, devDependency): msg_signature,
   decryption, parse, the same rule and reply text, encrypted — no database: it has no replay
   refusal, no retry dedupe and no usage log;
3. *bare Koa*: reads the body and answers \`success\`: the ceiling of the HTTP stack here.

Every ${SAMPLE_EVERY}th answer is decrypted and checked; after each portal phase the usage events and
receipts it wrote are counted. Then the portal and co-wechat run once more at a fixed offered load
(\`BENCH_RATE\`, default 500 req/s) for latency without saturation queueing; one more portal phase
runs under \`node --cpu-prof\`, and the stages of the push path are timed in-process.

Run: \`npm run bench:callback\` (env: \`BENCH_SECONDS\`, \`BENCH_CONNECTIONS\`, \`BENCH_ROUNDS\`,
\`BENCH_RATE\`, \`BENCH_DATABASE_URL\`, \`BENCH_WRITE_DOCS=false\` to only print). A run holds a MariaDB lock, so two
runs cannot overlap; the run of record below is rewritten by each run, the reading after it is not.
`;

console.log(`${intro}\n${generated}`);

if (writeDocs) {
  const docPath = new URL('../../docs/performance.md', import.meta.url);
  const doc = readFileSync(docPath, 'utf8');
  const block = `${BEGIN}\n${generated}${END}`;
  let next: string;
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  if (doc.includes(HEADING) && b !== -1 && e > b) {
    // Replace only the generated run; the hand-written reading after it is kept.
    next = `${doc.slice(0, b)}${block}${doc.slice(e + END.length)}`;
  } else {
    next = `${doc.replace(/\s*$/, '')}\n\n${intro}\n${block}\n\n### Reading the figures\n\n_(to be written from the run above)_\n`;
  }
  writeFileSync(docPath, next);
  console.error(`written to docs/performance.md; profile kept at ${profiled.file}`);
}
process.exit(0);
