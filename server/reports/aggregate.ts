import { bucketMidMs, MESSAGE_OPEN_KIND } from './catalog';
import { cappedSteps, dayOf, durationBucket, eventDetail, type DerivedVisit, type RawEvent, visitPath } from './derive';

/**
 * In-memory sums of one rollup run, written with `count = count + VALUES(count)` afterwards.
 * Keys are the rollup tables' primary keys joined with a separator that no value contains.
 */

const SEP = '\u0001';
const PATH_SEP = ' > ';

export class Counter<K extends readonly string[]> {
  readonly map = new Map<string, { key: K; values: number[] }>();
  constructor(readonly width: number) {}
  add(key: K, ...values: number[]) {
    const k = key.join(SEP);
    const cur = this.map.get(k);
    if (cur) values.forEach((v, i) => (cur.values[i] = (cur.values[i] ?? 0) + v));
    else this.map.set(k, { key, values: [...values] });
  }
  get size() {
    return this.map.size;
  }
}

export interface CitizenTouch {
  citizenKey: string;
  firstSeenAt: number;
  /** menu version (`''`: none) and entry of the visit that starts at firstSeenAt */
  firstMenuVersion: string;
  firstEntry: string;
  /** dimension → days */
  dims: Map<string, Set<string>>;
}

export class RollupBatch {
  visitDaily = new Counter<[string, string, string, string]>(1);
  steps = new Counter<[string, string, string, string]>(1);
  tasks = new Counter<[string, string, string, string]>(3);
  durations = new Counter<[string, string, string, string, string]>(1);
  paths = new Counter<[string, string, string, string]>(1);
  transitions = new Counter<[string, string, string, string, string]>(1);
  funnels = new Counter<[string, string, string, string, string]>(1);
  hourly = new Counter<[string, string, string, string]>(1);
  /** kind, day, source, name, menuKey, menuVersion, entry, detail → events, visits */
  events = new Counter<[string, string, string, string, string, string, string, string]>(2);
  citizens = new Map<string, CitizenTouch>();
  visitsClosed = 0;

  private touch(citizenKey: string, at: number, dim: string, day: string) {
    let c = this.citizens.get(citizenKey);
    if (!c) this.citizens.set(citizenKey, (c = { citizenKey, firstSeenAt: at, firstMenuVersion: '', firstEntry: '', dims: new Map() }));
    if (at < c.firstSeenAt) c.firstSeenAt = at;
    let days = c.dims.get(dim);
    if (!days) c.dims.set(dim, (days = new Set()));
    days.add(day);
  }

  /** A visit that can no longer change: every figure it contributes. */
  addVisit(v: DerivedVisit) {
    this.visitsClosed++;
    const { day, entry, menuVersion: mv } = v;
    this.visitDaily.add([day, entry, mv, v.visitClass], 1);
    this.steps.add([day, entry, mv, String(cappedSteps(v.stepsToTask))], 1);
    this.hourly.add([day, String(v.hour), entry, mv], 1);
    for (const task of v.tasksStarted) {
      const completed = v.tasksCompleted.has(task) ? 1 : 0;
      const failed = !completed && v.tasksFailed.has(task) ? 1 : 0;
      this.tasks.add([day, entry, mv, task], 1, completed, failed);
      const ms = v.durations.get(task);
      if (ms !== undefined) this.durations.add([day, entry, mv, task, String(durationBucket(ms))], 1);
    }
    for (const [funnel, step] of Object.entries(v.funnels)) this.funnels.add([day, entry, mv, funnel, String(step)], 1);
    const path = visitPath(v);
    if (path.length > 0) this.paths.add([day, entry, mv, cutPath(path)], 1);
    const screens = ['(entry)', ...v.screens, '(exit)'];
    for (let i = 1; i < screens.length; i++) {
      if (screens.length === 2) break; // a visit without screens moves nowhere
      this.transitions.add([day, entry, mv, screens[i - 1]!.slice(0, 64), screens[i]!.slice(0, 64)], 1);
    }

    // Opens by template ride on the event rollup (one row per day, version and template).
    if (v.entryTemplate !== null) this.events.add([MESSAGE_OPEN_KIND, day, 'h5', v.entryTemplate, '', mv.slice(0, 32), entry, ''], 1, 1);

    const seen = new Set<string>();
    for (const e of v.events) {
      const key = eventKey(e, mv, entry);
      const k = key.join(SEP);
      this.events.add(key, 1, seen.has(k) ? 0 : 1);
      seen.add(k);
      if (!v.citizenKey) continue;
      const eday = dayOf(e.occurredAt);
      this.touch(v.citizenKey, e.occurredAt, 'all', eday);
      if (e.kind === 'menu_click' || e.kind === 'menu_view') {
        const mk = e.menuKey ?? e.name;
        this.touch(v.citizenKey, e.occurredAt, `menu:${mk}`, eday);
        this.touch(v.citizenKey, e.occurredAt, `menu:${e.menuVersion ?? mv}:${mk}`, eday);
      }
    }
    if (!v.citizenKey) return;
    const touched = this.citizens.get(v.citizenKey)!;
    // A visit starts at its first event, so the earliest visit is the one that set firstSeenAt.
    if (touched.firstSeenAt === v.startedAt) {
      touched.firstMenuVersion = mv.slice(0, 32);
      touched.firstEntry = entry;
    }
    for (const task of v.tasksStarted) this.touch(v.citizenKey, v.startedAt, `task:${task}`, day);
    // Per visit attribution, so citizen counts can honour the menu-version and entry filters.
    if (mv) this.touch(v.citizenKey, v.startedAt, `mv:${mv}`, day);
    this.touch(v.citizenKey, v.startedAt, `entry:${entry}`, day);
  }

  /** An event that belongs to no visit (no citizen and no browser visit, or a system receipt). */
  addLoose(e: RawEvent) {
    this.events.add(eventKey(e, e.menuVersion ?? '', 'none'), 1, 0);
  }
}

function eventKey(e: RawEvent, visitVersion: string, entry: string): [string, string, string, string, string, string, string, string] {
  const menu = e.kind === 'menu_click' || e.kind === 'menu_view';
  return [
    e.kind.slice(0, 24),
    dayOf(e.occurredAt),
    e.source.slice(0, 8),
    e.name.slice(0, 64),
    menu ? (e.menuKey ?? e.name).slice(0, 64) : '',
    (menu ? (e.menuVersion ?? visitVersion) : visitVersion).slice(0, 32),
    entry,
    eventDetail(e),
  ];
}

/** Paths are stored as one string; a path too long for the column loses screens from the end. */
function cutPath(path: string[]): string {
  let s = path.join(PATH_SEP);
  let n = path.length;
  while (s.length > 255 && n > 1) s = path.slice(0, --n).join(PATH_SEP);
  return s.slice(0, 255);
}

export const splitPath = (s: string) => s.split(PATH_SEP);
export { bucketMidMs };
