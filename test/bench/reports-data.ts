/**
 * Deterministic usage events for the reports benchmark: a realistic mix of visits (mostly
 * lookups, some bookings, applications, ratings, browsing, follows) by a population of
 * citizens with a few heavy users, over N days, at Beijing day-time hours. Generated day by day,
 * so a run can resume at the first day that is not complete.
 */
import type { Pool } from 'mysql2/promise';

const SHANGHAI = 8 * 3600_000;
const MIN = 60_000;
export const COLUMNS = ['occurred_at', 'visit_id', 'citizen_key', 'source', 'kind', 'name', 'menu_key', 'menu_version', 'outcome', 'duration_ms', 'props'] as const;
type Row = [number, string | null, string | null, string, string, string, string | null, string | null, string | null, number | null, string | null];

/** Mulberry32: small, fast, deterministic. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 6, 9, 10, 9, 6, 6, 8, 9, 8, 6, 5, 6, 7, 6, 4, 2];
const HOUR_CDF = (() => {
  const total = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
  let acc = 0;
  return HOUR_WEIGHTS.map((w) => (acc += w / total));
})();

export const citizenKey = (n: number) => `bench${n.toString(36).padStart(17, '0')}`.slice(0, 22);

export interface GenOptions {
  /** epoch ms of the first day's Shanghai midnight */
  start: number;
  days: number;
  citizens: number;
  eventsPerDay: number;
}

/** Menu versions: v1 for the first half of the period, v2 (a reorganisation) after. */
export const versionFor = (day: number, days: number) => (day < days / 2 ? 'v1' : 'v2');

/** One day's events (about `eventsPerDay`), deterministic in the day number. */
export function dayEvents(day: number, o: GenOptions): Row[] {
  const r = rng(1000 + day);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const rows: Row[] = [];
  const dayStart = o.start + day * 86_400_000;
  const mv = versionFor(day, o.days);
  let visitNo = 0;
  while (rows.length < o.eventsPerDay) {
    visitNo++;
    const u = r();
    const hour = HOUR_CDF.findIndex((c) => u <= c);
    let t = dayStart + hour * 3600_000 + Math.floor(r() * 3600_000);
    // A fifth of the citizens make most visits (heavy users), as in real accounts.
    const who = r() < 0.6 ? Math.floor(r() * o.citizens * 0.2) : Math.floor(r() * o.citizens);
    const anonymous = r() < 0.08;
    const ck = anonymous ? null : citizenKey(who);
    const vid = `b${day.toString(36)}x${visitNo.toString(36)}`.padEnd(12, '0');
    const push = (gapMs: number, source: string, kind: string, name: string, extra: Partial<{ menuKey: string; outcome: string; duration: number; props: Record<string, unknown> }> = {}) => {
      t += gapMs;
      rows.push([t, source === 'h5' ? vid : null, ck, source, kind, name, extra.menuKey ?? null, extra.menuKey ? mv : null, extra.outcome ?? null, extra.duration ?? null, extra.props ? JSON.stringify(extra.props) : null]);
    };
    const step = () => 5_000 + Math.floor(r() * 40_000);
    const kind = r();
    const viaMenu = r() < 0.65;
    const fromMessage = !viaMenu && r() < 0.2;
    const src = fromMessage ? { props: { src: 'tmpl' } } : {};
    if (kind < 0.62) {
      // violation / points lookups: the account's main use
      const key = r() < 0.75 ? 'violations' : 'points';
      if (viaMenu) push(0, 'wechat', 'menu_click', key, { menuKey: key });
      if (!anonymous && r() < 0.3) push(1_000, 'h5', 'oauth', 'snsapi_base', { outcome: 'ok' });
      const page = key === 'violations' ? 'h5.violations' : 'h5.points';
      const task = key === 'violations' ? 'violations.lookup' : 'licence.points';
      push(2_000, 'h5', 'page_view', page, viaMenu ? { menuKey: key } : src);
      if (r() < 0.1) push(step(), 'h5', 'validation_error', task, { props: { fields: 'plateNo' } });
      push(step(), 'h5', 'task_start', task);
      const found = r() < 0.85;
      if (task === 'violations.lookup') push(300, 'api', found ? 'lookup' : 'no_result', task, { outcome: found ? 'found' : 'empty' });
      push(500, 'h5', 'lookup', task, { outcome: found ? 'found' : 'empty' });
      push(100, 'h5', 'task_complete', task, { outcome: 'ok', duration: 900 });
      if (r() < 0.2) push(step(), 'h5', 'page_view', pick(['h5.hall', 'h5.vehicles', 'h5.points']));
    } else if (kind < 0.72) {
      // booking funnel with drop-off
      if (viaMenu) push(0, 'wechat', 'menu_view', 'booking', { menuKey: 'booking' });
      const pages = ['h5.appointments', 'h5.appointments.office', 'h5.appointments.slot', 'h5.appointments.confirm'];
      let dropped = false;
      for (const p of pages) {
        push(step(), 'h5', 'page_view', p, viaMenu ? { menuKey: 'booking' } : src);
        if (r() < 0.12) {
          dropped = true;
          break;
        }
      }
      if (!dropped) {
        push(step(), 'h5', 'task_start', 'appointment.book');
        push(10, 'api', 'task_start', 'appointment.book');
        const ok = r() < 0.9;
        push(400, 'api', ok ? 'task_complete' : 'task_fail', 'appointment.book', { outcome: ok ? 'ok' : 'APPOINTMENT_SLOT_FULL', duration: 400 });
        push(50, 'h5', ok ? 'task_complete' : 'task_fail', 'appointment.book', { outcome: ok ? 'ok' : 'fail' });
      }
    } else if (kind < 0.77) {
      // applications
      push(0, 'h5', 'page_view', 'h5.application_new', src);
      if (r() < 0.3) push(step(), 'h5', 'validation_error', 'application.submit', { props: { fields: 'idNumber' } });
      if (r() < 0.8) {
        const type = pick(['licence_renewal', 'licence_replace', 'vehicle_transfer']);
        push(step() * 4, 'h5', 'task_start', 'application.submit');
        push(10, 'api', 'task_start', 'application.submit', { props: { type } });
        push(600, 'api', 'task_complete', 'application.submit', { outcome: 'ok', props: { type } });
        push(50, 'h5', 'task_complete', 'application.submit', { outcome: 'ok' });
      }
    } else if (kind < 0.8) {
      // 好差评 from a template message
      push(0, 'h5', 'page_view', 'h5.application_detail', { props: { src: 'tmpl' } });
      push(step(), 'h5', 'task_start', 'application.rate');
      push(300, 'api', 'task_complete', 'application.rate', { outcome: 'ok' });
    } else if (kind < 0.97) {
      // browsing the service hall, searching
      if (viaMenu) push(0, 'wechat', 'menu_click', pick(['hall', 'news', 'contact']), { menuKey: pick(['hall', 'news', 'contact']) });
      push(2_000, 'h5', 'page_view', 'h5.hall', src);
      if (r() < 0.3) {
        const term = pick(['换证', '驾照', '罚款', '年检', '违章处理', '=1+1']);
        const n = r() < 0.3 ? 0 : 3;
        push(step(), 'h5', 'search', 'h5.hall', { outcome: n ? 'found' : 'empty', props: { term, count: n } });
        if (!n) push(0, 'h5', 'no_result', 'h5.hall', { props: { term, count: 0 } });
      }
      for (let k = Math.floor(r() * 3); k > 0; k--) push(step(), 'h5', 'page_view', pick(['h5.violations', 'h5.appointments_mine', 'h5.applications', 'h5.settings']));
    } else {
      push(0, 'wechat', r() < 0.8 ? 'follow' : 'unfollow', 'subscribe', r() < 0.5 ? { props: { source: pick(['qrscene_office_1', 'qrscene_poster']) } } : {});
    }
    void MIN;
  }
  // A visit late in the evening may run past midnight: keep each day's rows inside the day, so
  // days stay independent (resumable generation, the live phase's next day).
  const dayEnd = dayStart + 86_400_000;
  return rows.filter((row) => row[0] < dayEnd);
}

export const dayOf = (ms: number) => new Date(ms + SHANGHAI).toISOString().slice(0, 10);

/** Inserts the days not yet present (a `bench_days` table records finished days). */
export async function generate(pool: Pool, o: GenOptions, log: (s: string) => void): Promise<{ generatedDays: number; seconds: number }> {
  await pool.query('CREATE TABLE IF NOT EXISTS bench_days (day INT PRIMARY KEY, events INT NOT NULL)');
  const [done] = (await pool.query('SELECT day FROM bench_days')) as unknown as [Array<{ day: number }>];
  const have = new Set(done.map((d) => d.day));
  let first = 0;
  while (first < o.days && have.has(first)) first++;
  if (first >= o.days) return { generatedDays: 0, seconds: 0 };
  // Resume at the first missing day; anything after it (a day cut short, its spill past midnight) is written again.
  await pool.query('DELETE FROM usage_events WHERE occurred_at >= ?', [o.start + first * 86_400_000]);
  await pool.query('DELETE FROM bench_days WHERE day >= ?', [first]);
  const t0 = Date.now();
  let generated = 0;
  for (let day = first; day < o.days; day++) {
    const rows = dayEvents(day, o);
    for (let i = 0; i < rows.length; i += 5000) await pool.query(`INSERT INTO usage_events (${COLUMNS.join(', ')}) VALUES ?`, [rows.slice(i, i + 5000)]);
    await pool.query('INSERT INTO bench_days (day, events) VALUES (?, ?)', [day, rows.length]);
    generated++;
    if (day % 10 === 0) log(`  day ${day + 1}/${o.days}: ${rows.length} events`);
  }
  return { generatedDays: generated, seconds: (Date.now() - t0) / 1000 };
}
