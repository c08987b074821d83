/**
 * Real processes for the notification outbox under crashes (test/server/notifications/
 * worker-process.test.ts and test/bench/notify.ts): the portal (server/main.ts, sandbox mode,
 * its own worker off) and `npm run worker` processes (server/worker.ts) against one database;
 * citizens who follow the sandbox account; queued rows; and the check of what the sandbox's
 * phones received against the outbox rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { startPortal, type Started } from './bench-kit';

/** Children still running when this process exits (a failed run) are killed, not left behind. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
const track = (c: ChildProcess) => {
  children.add(c);
  c.once('exit', () => children.delete(c));
};

/** The portal with NOTIFY_WORKER_IN_SERVER=false: only the worker processes send. */
export async function startNotifyPortal(url: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Started> {
  const started = await startPortal(url, { NOTIFY_WORKER_IN_SERVER: 'false', ...extraEnv }, nodeArgs);
  track(started.child);
  return started;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** the claim_owner its rows carry */
  owner: string;
  exited: Promise<number | null>;
}

/** `npm run worker` as the operator runs it, sending to the portal's sandbox at `portalPort`. */
export function startWorkerProcess(name: string, url: string, portalPort: number, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/worker.ts'], {
    env: { PATH: process.env.PATH, DATABASE_URL: url, PORT: String(portalPort), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  const relay = (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.trim() && !line.startsWith('[govportal worker]')) process.stderr.write(`  [${name}] ${line.slice(0, 400)}\n`);
  };
  child.stderr!.on('data', relay);
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /owner (\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', relay);
        resolve({ child, owner: m[1]!, exited });
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`${name} exited ${code} before it started: ${out}`)));
  });
}

/** SIGKILL: no shutdown code runs, claims stay as they were. */
export async function killHard(w: WorkerProcess): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await w.exited;
}

export interface SandboxCitizen {
  /** the sandbox's short user id (u1, u2 …) for its control API */
  userId: string;
  openid: string;
  citizenId: number;
}

async function control<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/sandbox/api${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as { data?: T; error?: { code: string } };
  if (!res.ok || json.data === undefined) throw new Error(`${method} /sandbox/api${path}: ${res.status} ${json.error?.code ?? ''}`);
  return json.data;
}

/**
 * `n` sandbox users who follow the account; each follow is pushed to the portal's /wechat, which
 * creates the citizen row (so the worker resolves their openid as in production).
 */
export async function createSandboxCitizens(base: string, pool: Pool, n: number, parallel = 8): Promise<SandboxCitizen[]> {
  const users: { id: string; openid: string }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        const i = next++;
        const { user } = await control<{ user: { id: string; openid: string } }>(base, 'POST', '/users', { nickname: `压测市民${i + 1}`, follow: true });
        users.push(user);
      }
    }),
  );
  const byOpenid = new Map<string, number>();
  for (let i = 0; i < users.length; i += 1000) {
    const [rows] = await pool.query<RowDataPacket[]>('SELECT id, openid FROM citizens WHERE openid IN (?)', [users.slice(i, i + 1000).map((u) => u.openid)]);
    for (const r of rows) byOpenid.set(String(r.openid), Number(r.id));
  }
  return users.map((u) => {
    const citizenId = byOpenid.get(u.openid);
    if (!citizenId) throw new Error(`the follow of ${u.id} did not create a citizen`);
    return { userId: u.id, openid: u.openid, citizenId };
  });
}

export interface TemplateFaults {
  /** errcode answered at this rate (before the platform does anything, so nothing is sent) */
  errcode?: number;
  rate?: number;
  /** extra delay for every template send, ms */
  latencyMs?: number;
}
export const setTemplateFaults = (base: string, f: TemplateFaults) =>
  control(base, 'PUT', '/faults', {
    latencyMs: 0,
    templateQuotaExhausted: false,
    endpoints: { '/cgi-bin/message/template/send': { errcode: f.errcode ?? -1, rate: f.rate ?? 0, latencyMs: f.latencyMs ?? 0 } },
  });
export const clearFaults = (base: string) => control(base, 'DELETE', '/faults');

/** The row number every bench/test message carries as its applicationId, so a card names its row. */
export const benchPayload = (n: number) => ({ applicationId: n, applicationNo: `SQ${String(n).padStart(8, '0')}`, typeName: '驾驶证补领' });

/**
 * `n` queued `application.approved` rows, round-robin over the citizens, inserted in chunks
 * (`applicationId` = 1…n, dedupe key `<prefix>:<n>`). Due at `dueAt`.
 */
export async function bulkQueue(pool: Pool, citizens: SandboxCitizen[], n: number, prefix: string, dueAt = new Date()): Promise<void> {
  const CHUNK = 2000;
  for (let start = 0; start < n; start += CHUNK) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      const c = citizens[i % citizens.length]!;
      rows.push([`${prefix}:${i + 1}`, c.citizenId, 'application.approved', JSON.stringify(benchPayload(i + 1)), true, 'queued', 0, dueAt, dueAt, dueAt]);
    }
    await pool.query('INSERT INTO notifications (dedupe_key, citizen_id, kind, payload, essential, status, attempts, next_attempt_at, queued_at, updated_at) VALUES ?', [rows]);
  }
}

export interface ReceivedCard {
  userId: string;
  /** the row's applicationId, read back from the card's link */
  n: number;
  msgid: string;
  /** when the sandbox put it on the phone (epoch ms) */
  at: number;
}

/** Every template card on the citizens' sandbox phones (the platform's chat, not our rows). */
export async function receivedCards(base: string, citizens: SandboxCitizen[], parallel = 8): Promise<ReceivedCard[]> {
  const out: ReceivedCard[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < citizens.length) {
        const c = citizens[next++]!;
        const chat = await control<{ via: string; at: number; template?: { msgid: string; url?: string } }[]>(base, 'GET', `/users/${c.userId}/chat`);
        for (const e of chat) {
          if (e.via !== 'template' || !e.template) continue;
          const n = Number(/\/h5\/applications\/(\d+)\?/.exec(e.template.url ?? '')?.[1] ?? NaN);
          out.push({ userId: c.userId, n, msgid: e.template.msgid, at: e.at });
        }
      }
    }),
  );
  return out;
}

export interface RowFacts {
  n: number;
  citizenId: number;
  status: string;
  msgid: string | null;
  attempts: number;
}

/** The outbox rows of one run (dedupe key `<prefix>:<n>`). */
export async function runRows(pool: Pool, prefix: string): Promise<RowFacts[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT CAST(SUBSTRING(dedupe_key, ?) AS UNSIGNED) AS n, citizen_id, status, msgid, attempts FROM notifications WHERE dedupe_key LIKE CONCAT(?, ':%')",
    [prefix.length + 2, prefix],
  );
  return rows.map((r) => ({ n: Number(r.n), citizenId: Number(r.citizen_id), status: String(r.status), msgid: r.msgid === null ? null : String(r.msgid), attempts: Number(r.attempts) }));
}

export interface Verdict {
  rows: number;
  cards: number;
  /** rows whose message is on no phone */
  lost: number[];
  /** rows whose message is on a phone more than once */
  duplicated: number[];
  /** cards on the wrong phone, for no row, or with another msgid than the row recorded */
  mismatched: string[];
  /** rows not (yet) delivered, by status */
  notDelivered: Record<string, number>;
}

/** What the phones show against the rows: each row's message exactly once, on its citizen's phone, with its msgid. */
export function verify(rows: RowFacts[], cards: ReceivedCard[], citizens: SandboxCitizen[]): Verdict {
  const userOf = new Map(citizens.map((c) => [c.citizenId, c.userId]));
  const byN = new Map<number, ReceivedCard[]>();
  for (const c of cards) byN.set(c.n, [...(byN.get(c.n) ?? []), c]);
  const v: Verdict = { rows: rows.length, cards: cards.length, lost: [], duplicated: [], mismatched: [], notDelivered: {} };
  const rowNs = new Set<number>();
  for (const r of rows) {
    rowNs.add(r.n);
    if (r.status !== 'delivered') v.notDelivered[r.status] = (v.notDelivered[r.status] ?? 0) + 1;
    const got = byN.get(r.n) ?? [];
    if (got.length === 0) v.lost.push(r.n);
    if (got.length > 1) v.duplicated.push(r.n);
    for (const c of got) {
      if (c.userId !== userOf.get(r.citizenId)) v.mismatched.push(`${r.n}: on ${c.userId}'s phone`);
      if (c.msgid !== r.msgid) v.mismatched.push(`${r.n}: card msgid ${c.msgid}, row ${r.msgid}`);
    }
  }
  for (const c of cards) if (!rowNs.has(c.n)) v.mismatched.push(`card for no row (${c.n}) on ${c.userId}'s phone`);
  return v;
}

/** Rows by status for a run. */
export async function statusCounts(pool: Pool, prefix: string): Promise<Record<string, number>> {
  const [rows] = await pool.query<RowDataPacket[]>("SELECT status, COUNT(*) AS n FROM notifications WHERE dedupe_key LIKE CONCAT(?, ':%') GROUP BY status", [prefix]);
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
}
