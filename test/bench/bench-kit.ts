/**
 * Shared plumbing for test/bench/lookup.ts and test/bench/booking.ts: child servers, per-process
 * CPU from /proc, MariaDB facts, the run lock and the docs/performance.md section writer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Connection } from 'mysql2/promise';
import { connectDatabase, ensureDatabase, openServerConnection, type DatabaseHandle } from '../../db/connect';
import { runMigrations } from '../../db/migrate';

export interface Started {
  child: ChildProcess;
  port: number;
}

export function startChild(name: string, args: string[], childEnv: NodeJS.ProcessEnv, ready: RegExp): Promise<Started> {
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let started = false;
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (started) {
        for (const line of d.toString().split('\n')) if (line.trim() && !line.startsWith('[govportal]')) process.stderr.write(`  [${name}] ${line.slice(0, 400)}\n`);
        return;
      }
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        started = true;
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => {
      if (!started) reject(new Error(`${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

/** The real server/main.ts on a free port against `url` (no demo seed, warnings only). */
/**
 * The request-path benchmarks (lookup, booking) measure the server as deployed beside separate
 * `npm run worker` processes: the notification worker and the report rollup job do not run inside
 * it unless BENCH_PORTAL_BACKGROUND=true (on this 2-core box they would compete with the server
 * under test for the same cores; their own throughput is measured by bench:notify and
 * bench:reports). The outbox rows and usage events are still written on the request path.
 */
export const PORTAL_BACKGROUND = ['true', '1', 'yes'].includes(process.env.BENCH_PORTAL_BACKGROUND ?? 'false');

export function startPortal(url: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Started> {
  const background = PORTAL_BACKGROUND ? {} : { NOTIFY_WORKER_IN_SERVER: 'false', REPORTS_ROLLUP_IN_SERVER: 'false' };
  return startChild(
    'portal',
    [...nodeArgs, '--import', 'tsx', 'server/main.ts'],
    { PATH: process.env.PATH, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', WEB_BUILD: 'never', LOG_LEVEL: 'warn', SEED_DEMO_DATA: 'false', ...background, ...extraEnv },
    /ready in \w+ mode on 127\.0\.0\.1:(\d+)/,
  );
}

export async function stop({ child }: Started): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const CLK_TCK = 100;
/** CPU ms (user + system) a process has used, from /proc; null when unreadable. */
export function cpuMs(pid: number | undefined | null): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1000;
  } catch {
    return null;
  }
}
export const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export interface MariaDb {
  version: string;
  pid: number | null;
  flush: string;
  bufferPoolMiB: number;
}
export async function mariadbInfo(conn: Connection): Promise<MariaDb> {
  const [rows] = (await conn.query('SELECT VERSION() AS v, @@pid_file AS f, @@innodb_flush_log_at_trx_commit AS flush, @@innodb_buffer_pool_size AS bp')) as unknown as [
    { v: string; f: string; flush: unknown; bp: unknown }[],
  ];
  let pid: number | null = null;
  try {
    pid = Number(readFileSync(rows[0]!.f, 'utf8').trim()) || null;
  } catch {
    pid = null;
  }
  return { version: rows[0]!.v, pid, flush: String(rows[0]!.flush), bufferPoolMiB: Math.round(Number(rows[0]!.bp) / 2 ** 20) };
}

/** A server-wide lock so two runs never share the cores and spoil each other's figures; exits when held elsewhere. */
export async function holdRunLock(url: string, name: string): Promise<Connection> {
  const lock = await openServerConnection(url);
  const [rows] = (await lock.query('SELECT GET_LOCK(?, 0) AS got', [name])) as unknown as [{ got: number | null }[]];
  if (rows[0]?.got !== 1) {
    console.error(`another ${name} run holds the lock on this MariaDB server: wait for it to finish`);
    process.exit(1);
  }
  return lock;
}

/**
 * The start every in-process benchmark shares: the load average before it, the run lock, its own
 * migrated database, a pool, and the server's facts for the machine line.
 */
export async function openBench(url: string, lockName: string, poolSize = 6): Promise<{ load0: number[]; lock: Connection; h: DatabaseHandle; db: MariaDb }> {
  const load0 = loadavg();
  const lock = await holdRunLock(url, lockName);
  await ensureDatabase(url);
  await runMigrations(url);
  const h = connectDatabase(url, poolSize);
  const infoConn = await openServerConnection(url);
  const db = await mariadbInfo(infoConn);
  await infoConn.end();
  return { load0, lock, h, db };
}

export function machineLine(db: MariaDb, load0: number[]): string {
  const l1 = loadavg();
  return `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, MariaDB ${db.version} (same box, \`innodb_flush_log_at_trx_commit=${db.flush}\`, buffer pool ${db.bufferPoolMiB} MiB).
**The ${cpus().length} cores are shared by MariaDB, the server under test and the load generator** (autocannon in this process); load average ${load0.map((x) => x.toFixed(2)).join(' / ')} before the run, ${l1.map((x) => x.toFixed(2)).join(' / ')} after.`;
}

export const f = (n: number, d = 2) => n.toLocaleString('en-US', { maximumFractionDigits: d });
export const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);

/**
 * Writes `generated` between the section's markers in docs/performance.md; appends the section
 * (intro, run, a reading placeholder) when it is not there yet. Other sections are left alone.
 */
export function writeSection(name: string, heading: string, intro: string, generated: string): void {
  const BEGIN = `<!-- bench:${name}:begin (written by test/bench/${name}.ts) -->`;
  const END = `<!-- bench:${name}:end -->`;
  const docPath = new URL('../../docs/performance.md', import.meta.url);
  const doc = readFileSync(docPath, 'utf8');
  const block = `${BEGIN}\n${generated}${END}`;
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  const next =
    doc.includes(heading) && b !== -1 && e > b
      ? `${doc.slice(0, b)}${block}${doc.slice(e + END.length)}`
      : `${doc.replace(/\s*$/, '')}\n\n${heading}\n\n${intro}\n${block}\n\n### Reading the figures\n\n_(to be written from the run above)_\n`;
  writeFileSync(docPath, next);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
/**
 * Self time of the main thread's `--cpu-prof` profile in `dir` by function and by where the code
 * lives (server/, db/, a package in node_modules, node internals, GC, idle).
 */
export function summariseProfile(dir: string): { file: string; totalMs: number; busyMs: number; functions: { name: string; ms: number }[]; places: { name: string; ms: number }[] } {
  // one profile per thread: the main thread is tid 0 (`CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile`), the others are tsx's loader worker
  const files = readdirSync(dir).filter((x) => x.endsWith('.cpuprofile')).sort();
  const file = files.find((x) => /\.\d+\.0\.\d+\.cpuprofile$/.test(x)) ?? files[0]!;
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const place = new Map<string, number>();
  let total = 0;
  let idle = 0;
  prof.samples.forEach((id, i) => {
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += dt;
      return;
    }
    const short = url.replace(/^file:\/\//, '').replace(/^.*?\/work\/main\//, '');
    const where = functionName.startsWith('(')
      ? functionName
      : short.includes('node_modules/')
        ? `node_modules/${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short)?.[1] ?? '?'}`
        : short.startsWith('node:') || short === ''
          ? 'node internals / native'
          : short.split('/').slice(0, 2).join('/');
    place.set(where, (place.get(where) ?? 0) + dt);
    const key = `${functionName || '(anonymous)'} ${short ? `${short.replace(/^.*node_modules\//, '')}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + dt);
  });
  const sorted = (m: Map<string, number>) => [...m].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { file: join(dir, file), totalMs: total, busyMs: total - idle, functions: sorted(fn), places: sorted(place) };
}

/** The two tables every benchmark prints for a `--cpu-prof` run: time by code location, top functions. */
export function profileTables(summary: ReturnType<typeof summariseProfile>): string {
  const row = (name: string, ms: number) => `| ${name.replaceAll('|', '\\|')} | ${f(ms, 0)} | ${f((ms / summary.busyMs) * 100, 1)} % |`;
  return `| code | ms | share of busy |
|---|---:|---:|
${summary.places.slice(0, 12).map((x) => row(x.name, x.ms)).join('\n')}

Top functions by self time:

| function | ms | share of busy |
|---|---:|---:|
${summary.functions.slice(0, 15).map((x) => row(`\`${x.name}\``, x.ms)).join('\n')}`;
}
