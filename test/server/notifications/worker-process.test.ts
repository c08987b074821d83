import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../../db/connect';
import { createNotificationOutbox } from '../../../server/notifications/outbox';
import type { NotificationEvent } from '../../../server/notifications/types';
import { stop, type Started } from '../../bench/bench-kit';
import {
  benchPayload,
  clearFaults,
  createSandboxCitizens,
  killHard,
  receivedCards,
  runRows,
  setTemplateFaults,
  startNotifyPortal,
  startWorkerProcess,
  statusCounts,
  verify,
  type WorkerProcess,
} from '../../bench/notify-cluster';
import { scratchDatabase } from '../../support/db';

/**
 * The outbox with real processes: the portal (sandbox mode, its own worker off) and two
 * `npm run worker` processes against a scratch database (real clock, no other file's rows).
 * One worker is SIGKILLed in the middle of a batch, twice, and started again, while the sandbox
 * answers a share of the sends with an error. What counts is what the sandbox's phones show.
 */
const N = 2000;
const CITIZENS = 40;
const PREFIX = 'crash';
const WORKER_ENV = {
  NOTIFY_BATCH_SIZE: '40',
  NOTIFY_CONCURRENCY: '8',
  NOTIFY_POLL_INTERVAL_MS: '50',
  // short, so the dead worker's claims are retaken within the test; still far inside WeChat's 10-minute dedupe window
  NOTIFY_CLAIM_TTL_MS: '3000',
  NOTIFY_RETRY_BASE_MS: '50',
  NOTIFY_RETRY_MAX_MS: '400',
  LOG_LEVEL: 'error', // every injected error is a warning line otherwise
};

let portal: Started | undefined;
let handle: DatabaseHandle | undefined;
const workers: WorkerProcess[] = [];
afterAll(async () => {
  for (const w of workers) await killHard(w);
  if (portal) await stop(portal);
  await handle?.close();
});

const poll = async (what: string, check: () => Promise<boolean>, timeoutMs = 120_000) => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('notification workers as processes, killed mid-batch', () => {
  it('every message reaches its citizen’s phone exactly once despite two SIGKILLs and injected errors', { timeout: 300_000 }, async () => {
    const url = await scratchDatabase('notify');
    portal = await startNotifyPortal(url); // migrates the scratch database
    const base = `http://127.0.0.1:${portal.port}`;
    handle = connectDatabase(url, 4);
    const { pool } = handle;
    const q = async (sql: string, params: unknown[] = []) => (await pool.query<RowDataPacket[]>(sql, params))[0];

    const citizens = await createSandboxCitizens(base, pool, CITIZENS);
    // Through the producers' own API, as applications and appointments enqueue.
    const outbox = createNotificationOutbox({ now: Date.now });
    for (let n = 1; n <= N; n++) {
      const c = citizens[(n - 1) % CITIZENS]!;
      await outbox.enqueue(handle.db, { kind: 'application.approved', citizenId: c.citizenId, dedupeKey: `${PREFIX}:${n}`, ...benchPayload(n) } as NotificationEvent);
    }

    // One send in ten refused with a transient errcode (nothing sent: the worker retries after
    // its back-off); every send slowed a little, so a kill finds sends in flight at the platform.
    await setTemplateFaults(base, { errcode: 45011, rate: 0.1, latencyMs: 15 });
    workers.push(await startWorkerProcess('worker-a', url, portal.port, WORKER_ENV), await startWorkerProcess('worker-b', url, portal.port, WORKER_ENV));

    const progressed = async () => {
      const [r] = await q("SELECT COUNT(*) AS n FROM notifications WHERE status IN ('sent', 'delivered')");
      return Number(r!.n);
    };
    const kills: { owner: string; orphans: { id: number; n: number; expires: number }[] }[] = [];
    // Kill at least twice; go on killing (up to 4 times) until one kill left a row that had already
    // reached the phone: only then has the resend-after-death path really been exercised.
    let deadSentSeen = false;
    for (const fraction of [0.2, 0.4, 0.6, 0.8]) {
      if (kills.length >= 2 && deadSentSeen) break;
      // Kill only while the victim holds a claimed batch with some rows not yet recorded.
      for (let tries = 0; ; tries++) {
        const victim = workers[0]!;
        await poll('progress', async () => (await progressed()) >= fraction * N && Number((await q("SELECT COUNT(*) AS n FROM notifications WHERE claim_owner = ? AND status = 'sending'", [victim.owner]))[0]!.n) > 0);
        await killHard(victim);
        const orphans = await q("SELECT id, CAST(SUBSTRING(dedupe_key, 7) AS UNSIGNED) AS n, claim_expires_at FROM notifications WHERE claim_owner = ? AND status = 'sending'", [victim.owner]);
        workers[0] = await startWorkerProcess('worker-a', url, portal.port, WORKER_ENV);
        if (orphans.length > 0) {
          kills.push({ owner: victim.owner, orphans: orphans.map((o) => ({ id: Number(o.id), n: Number(o.n), expires: (o.claim_expires_at as Date).getTime() })) });
          const onPhones = new Set((await receivedCards(base, citizens)).map((c) => c.n));
          if (orphans.some((o) => onPhones.has(Number(o.n)))) deadSentSeen = true;
          break;
        }
        if (tries === 5) throw new Error('never caught the worker in the middle of a batch');
      }
    }
    expect(kills.length).toBeGreaterThanOrEqual(2);
    // Not everything was done when the worker died the second time.
    expect(await progressed()).toBeLessThan(N);

    await poll('every row delivered', async () => {
      const counts = await statusCounts(pool, PREFIX);
      return counts.delivered === N;
    });
    await clearFaults(base);

    const rows = await runRows(pool, PREFIX);
    const cards = await receivedCards(base, citizens);
    const verdict = verify(rows, cards, citizens);
    expect(verdict).toEqual({ rows: N, cards: N, lost: [], duplicated: [], mismatched: [], notDelivered: {} });
    // Each phone shows exactly its share.
    const perUser = new Map<string, number>();
    for (const c of cards) perUser.set(c.userId, (perUser.get(c.userId) ?? 0) + 1);
    expect([...perUser.values()]).toEqual(Array(CITIZENS).fill(N / CITIZENS));

    // The dead worker's claims were retaken by a live worker (nobody holds a claim any more) …
    expect(Number((await q('SELECT COUNT(*) AS n FROM notifications WHERE claim_owner IS NOT NULL'))[0]!.n)).toBe(0);
    // … and some of them had already reached the phone before their claim expired, so only the
    // dead worker can have sent them: the retaker sent them again with the same client_msg_id and
    // the platform answered the first msgid (verify() above: one card, the row's msgid).
    const cardAt = new Map(cards.map((c) => [c.n, c.at]));
    const sentByTheDead = kills.flatMap((k) => k.orphans).filter((o) => cardAt.get(o.n)! < o.expires);
    expect(sentByTheDead.length).toBeGreaterThan(0);
    // The injected errors were retried, and those rows too are on the phone once.
    const retried = rows.filter((r) => r.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);

    // A worker stopped with SIGTERM finishes and exits cleanly.
    for (const w of workers) {
      w.child.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    }
  });
});
