import { toShanghaiDate } from '../calendar/civil-date';
import {
  durationBucket,
  FUNNEL_STEPS,
  isTransactionTask,
  LOOKUP_TASKS,
  PATH_SCREENS,
  SCREEN_KINDS,
  STEPS_CAP,
  TASK_ACTION_KINDS,
  TEMPLATE_KIND_RE,
  type FunnelStepDef,
} from './catalog';
import type { EntrySource, FunnelName, VisitClass } from './schema';

/**
 * Visits from raw events: pure functions, no database. A visit is one actor's chain of events
 * in which no two consecutive events are more than `idleMs` apart. The actor is the citizen
 * pseudonym, or the browser's visit id for events without a citizen.
 */

export interface RawEvent {
  id: number;
  occurredAt: number;
  visitId: string | null;
  citizenKey: string | null;
  source: string;
  kind: string;
  name: string;
  menuKey: string | null;
  menuVersion: string | null;
  outcome: string | null;
  props: Record<string, unknown> | null;
}

export interface DerivedVisit {
  actorKey: string;
  citizenKey: string | null;
  startedAt: number;
  endedAt: number;
  day: string;
  hour: number;
  entry: EntrySource;
  entryMenuKey: string | null;
  /** entry `message`: the notification kind of the link (`''` when it carried none); otherwise null */
  entryTemplate: string | null;
  menuVersion: string;
  landingPage: string | null;
  events: RawEvent[];
  screens: string[];
  stepsToTask: number | null;
  firstTask: string | null;
  visitClass: VisitClass;
  tasksStarted: Set<string>;
  tasksCompleted: Set<string>;
  tasksFailed: Set<string>;
  /** task → ms from its first start to its first completion after that */
  durations: Map<string, number>;
  /** last step reached per funnel (0: none) */
  funnels: Record<FunnelName, number>;
}

export const actorKeyOf = (e: Pick<RawEvent, 'citizenKey' | 'visitId'>): string | null =>
  e.citizenKey ? `c:${e.citizenKey}` : e.visitId ? `v:${e.visitId}` : null;

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
export const shanghaiHour = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).getUTCHours();
const dayNames = new Map<number, string>();
/** The Asia/Shanghai date of an instant (memoised per day: called for every event). */
export function dayOf(ms: number): string {
  const n = Math.floor((ms + SHANGHAI_OFFSET_MS) / 86_400_000);
  let d = dayNames.get(n);
  if (d === undefined) {
    d = toShanghaiDate(ms);
    if (dayNames.size > 10_000) dayNames.clear();
    dayNames.set(n, d);
  }
  return d;
}

/** `menu:<key>` for taps, the page name for pages. */
export function screenName(e: RawEvent): string {
  return e.kind === 'page_view' ? e.name : `menu:${e.menuKey ?? e.name}`;
}

/** Task keys an event names: the task, and for a typed application its `task:<type>` too. */
export function taskKeys(e: RawEvent): string[] {
  const type = e.props?.type;
  if (e.name === 'application.submit' && typeof type === 'string' && type !== '') return [e.name, `${e.name}:${type.slice(0, 32)}`];
  return [e.name];
}

/**
 * A search box's "no result" (the page sends its term) is wayfinding, not a lookup of the
 * citizen's data; a lookup's no_result (violations, points) carries no term.
 */
export const isSearch = (e: Pick<RawEvent, 'kind' | 'props'>) => e.kind === 'search' || (e.kind === 'no_result' && e.props != null && 'term' in e.props);

const byTime = (a: RawEvent, b: RawEvent) => a.occurredAt - b.occurredAt || a.id - b.id;

/** Splits one actor's events (any order) into chains; `closed` = no later event can extend it. */
export function splitChains(events: RawEvent[], idleMs: number): RawEvent[][] {
  const sorted = [...events].sort(byTime);
  const chains: RawEvent[][] = [];
  let cur: RawEvent[] = [];
  for (const e of sorted) {
    const last = cur[cur.length - 1];
    if (last && e.occurredAt - last.occurredAt > idleMs) {
      chains.push(cur);
      cur = [];
    }
    cur.push(e);
  }
  if (cur.length > 0) chains.push(cur);
  return chains;
}

function entryOf(first: RawEvent | undefined): { entry: EntrySource; menuKey: string | null; template: string | null } {
  if (!first) return { entry: 'direct', menuKey: null, template: null };
  if (first.kind === 'menu_click' || first.kind === 'menu_view') return { entry: 'menu', menuKey: first.menuKey ?? first.name, template: null };
  if (first.menuKey) return { entry: 'menu', menuKey: first.menuKey, template: null };
  const src = first.props?.src;
  if (typeof src === 'string' && src.startsWith('tmpl')) {
    // Beacon props are free text to the server: only a well-formed kind names a template.
    const tmpl = first.props?.tmpl;
    return { entry: 'message', menuKey: null, template: typeof tmpl === 'string' && TEMPLATE_KIND_RE.test(tmpl) ? tmpl : '' };
  }
  return { entry: 'direct', menuKey: null, template: null };
}

function funnelReached(steps: FunnelStepDef[], events: RawEvent[], signedIn: boolean): number {
  let reached = 0;
  let at = -Infinity;
  for (const step of steps) {
    const m = step.match;
    if (m.kind === 'signed_in') {
      // Signing in happens before the first page loads (OAuth redirect) or not at all (session):
      // it is a condition on the visit, not an event in order.
      if (!signedIn) break;
      reached++;
      continue;
    }
    const hit = events.find(
      (e) => e.occurredAt >= at && (m.kind === 'page' ? e.kind === 'page_view' && e.name === m.page : e.kind === m.kind && e.name === m.task),
    );
    if (!hit) break;
    at = hit.occurredAt;
    reached++;
  }
  return reached;
}

/** Everything the reports need to know about one chain of events. */
export function describeVisit(actorKey: string, chain: RawEvent[], menuVersionAt: (ms: number) => string | null): DerivedVisit {
  const events = [...chain].sort(byTime);
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const screenEvents = events.filter((e) => SCREEN_KINDS.has(e.kind));
  const screens = screenEvents.map(screenName);
  const { entry, menuKey, template } = entryOf(screenEvents[0]);
  const tagged = events.find((e) => e.menuVersion);
  const menuVersion = tagged?.menuVersion ?? menuVersionAt(first.occurredAt) ?? '';

  const actionIndex = events.findIndex((e) => TASK_ACTION_KINDS.has(e.kind) && !isSearch(e));
  const action = actionIndex >= 0 ? events[actionIndex]! : null;
  const stepsToTask = action ? events.slice(0, actionIndex).filter((e) => SCREEN_KINDS.has(e.kind)).length : null;

  const tasksStarted = new Set<string>();
  const tasksCompleted = new Set<string>();
  const tasksFailed = new Set<string>();
  const firstStart = new Map<string, number>();
  const durations = new Map<string, number>();
  let lookedUp = false;
  for (const e of events) {
    if ((e.kind === 'lookup' || e.kind === 'no_result') && !isSearch(e)) lookedUp = true;
    if (e.kind !== 'task_start' && e.kind !== 'task_complete' && e.kind !== 'task_fail') continue;
    for (const task of taskKeys(e)) {
      if (e.kind === 'task_start') {
        tasksStarted.add(task);
        if (!firstStart.has(task)) firstStart.set(task, e.occurredAt);
        if (LOOKUP_TASKS.has(task)) lookedUp = true;
      } else if (e.kind === 'task_complete') {
        tasksCompleted.add(task);
        const started = firstStart.get(task);
        if (started !== undefined && !durations.has(task)) durations.set(task, e.occurredAt - started);
      } else tasksFailed.add(task);
    }
  }
  const startedTx = [...tasksStarted].some(isTransactionTask);
  const completedTx = [...tasksCompleted].some(isTransactionTask);
  const visitClass: VisitClass = completedTx ? 'transaction' : startedTx ? 'attempt' : lookedUp ? 'lookup' : 'browse';

  const signedIn = actorKey.startsWith('c:');
  const funnels = {} as Record<FunnelName, number>;
  for (const [name, steps] of Object.entries(FUNNEL_STEPS) as Array<[FunnelName, FunnelStepDef[]]>) funnels[name] = funnelReached(steps, events, signedIn);

  return {
    actorKey,
    citizenKey: signedIn ? actorKey.slice(2) : null,
    startedAt: first.occurredAt,
    endedAt: last.occurredAt,
    day: dayOf(first.occurredAt),
    hour: shanghaiHour(first.occurredAt),
    entry,
    entryMenuKey: menuKey,
    entryTemplate: template,
    menuVersion,
    landingPage: events.find((e) => e.kind === 'page_view')?.name ?? null,
    events,
    screens,
    stepsToTask,
    firstTask: action ? action.name : null,
    visitClass,
    tasksStarted,
    tasksCompleted,
    tasksFailed,
    durations,
    funnels,
  };
}

/** The first screens up to the first task action (or the visit's first screens). */
export function visitPath(v: DerivedVisit): string[] {
  const upTo = v.stepsToTask ?? v.screens.length;
  return v.screens.slice(0, Math.min(upTo, PATH_SCREENS));
}

export const cappedSteps = (steps: number | null) => (steps === null ? -1 : Math.min(steps, STEPS_CAP));
export { durationBucket };

/** What a detail column holds for an event kind (search term, acquisition source, outcome). */
export function eventDetail(e: RawEvent): string {
  const p = e.props ?? {};
  let d: unknown = '';
  if (e.kind === 'search' || e.kind === 'no_result') d = p.term ?? '';
  else if (e.kind === 'follow') d = p.source ?? '';
  else if (e.kind === 'task_fail' || e.kind === 'lookup' || e.kind === 'oauth' || e.kind === 'notification' || e.kind === 'search') d = e.outcome ?? '';
  return String(d ?? '').slice(0, 100);
}
