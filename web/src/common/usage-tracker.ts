/**
 * Usage tracking core: visit ids, menu attribution, event shaping, batching and sending.
 * No browser globals are touched here; `usage.ts` wires this to the real window so tests can
 * run it in Node with fakes.
 */
import type { BEACON_MAX_EVENTS, BeaconBatch, BeaconEvent, BeaconKind } from '../../../server/usage/schema';

export type UsageProps = Record<string, string | number | boolean | null>;
export type TaskPhase = 'start' | 'complete' | 'fail';

/** The slice of Web Storage the tracker needs (sessionStorage in browsers). */
export interface UsageStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface UsageTrackerOptions {
  storage: UsageStorage | null;
  now: () => number;
  /** The page's URL query at load, e.g. `?menu=violations&mv=12`. */
  location: { search: string };
  /** Fills the array with random bytes (crypto.getRandomValues). */
  randomBytes: (bytes: Uint8Array) => Uint8Array;
  /** navigator.sendBeacon with a text/plain body; false means "not queued". */
  beacon?: ((url: string, body: string) => boolean) | undefined;
  fetch?: ((url: string, init: RequestInit) => Promise<unknown>) | undefined;
  /** Schedules a one-shot callback, returns a canceller. */
  setTimer: (fn: () => void, ms: number) => () => void;
  endpoint?: string;
  flushIntervalMs?: number;
  flushAt?: number;
  maxBatchEvents?: number;
  /** Called with swallowed errors; tracking must never break a page. */
  onError?: (err: unknown) => void;
}

export interface UsageTracker {
  trackPageView(name: string, props?: UsageProps): void;
  trackTask(name: string, phase: TaskPhase, props?: UsageProps): void;
  /** `where` names the search box (the event's subject), e.g. `h5.hall`. */
  trackSearch(term: string, resultCount: number, where?: string): void;
  trackLookup(name: string, resultCount: number, props?: UsageProps): void;
  trackError(name: string, props?: UsageProps): void;
  trackValidationError(name: string, props?: UsageProps): void;
  /** Re-reads attribution parameters (menu, mv, src, tmpl) from a query string. */
  noteUrl(search: string): void;
  /** Sends everything queued now. */
  flush(): void;
  visitId(): string;
}

/** Must equal the server's limit; the type annotation fails to compile if the server changes it. */
const MAX_BATCH_EVENTS: typeof BEACON_MAX_EVENTS = 50;
/** Under the server's BEACON_MAX_BYTES (64 KiB) and the browsers' 64 KiB keepalive quota. */
const MAX_BATCH_BYTES = 60_000;
export const VISIT_IDLE_MS = 30 * 60 * 1000;
export const VISIT_STORAGE_KEY = 'gp.usage.visit';
const TERM_MAX = 100;
const PROP_KEY_MAX = 40;
const PROP_STRING_MAX = 200;
const PROP_COUNT_MAX = 20;
const PROPS_MAX_BYTES = 1024;
const DURATION_MAX_MS = 86_400_000;
// Mirrors the server's token rule so one bad value cannot get a whole batch rejected.
const TOKEN_RE = /^[\w.:/-]+$/;
/** A template-message kind as server/notifications/templates.ts puts it in links (`application.needs_info`). */
const TEMPLATE_RE = /^[a-z_.-]{1,40}$/;

interface Attribution {
  menuKey?: string;
  menuVersion?: string;
  src?: string;
  /** the notification kind of a template-message link (`tmpl=`), only together with `src` */
  tmpl?: string;
}

interface VisitState {
  id: string;
  lastAt: number;
  attribution: Attribution;
  /** task name → start time, for durationMs */
  tasks: Record<string, number>;
}

export function createUsageTracker(options: UsageTrackerOptions): UsageTracker {
  const endpoint = options.endpoint ?? '/api/usage/events';
  const flushIntervalMs = options.flushIntervalMs ?? 2000;
  const flushAt = options.flushAt ?? 20;
  const maxBatch = Math.min(options.maxBatchEvents ?? MAX_BATCH_EVENTS, MAX_BATCH_EVENTS);
  const queue: BeaconEvent[] = [];
  let cancelTimer: (() => void) | null = null;
  // Kept in memory too, so tracking still works where storage throws (private mode, quotas).
  let memoryVisit: VisitState | null = null;

  const swallow = (err: unknown) => {
    try {
      options.onError?.(err);
    } catch {
      /* the error reporter itself must not throw either */
    }
  };

  const newVisitId = (): string => {
    const bytes = options.randomBytes(new Uint8Array(16));
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    // 16 bytes → 22 url-safe base64 characters.
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  const readVisit = (): VisitState | null => {
    try {
      const raw = options.storage?.getItem(VISIT_STORAGE_KEY);
      if (raw) {
        const v = JSON.parse(raw) as Partial<VisitState>;
        if (typeof v.id === 'string' && typeof v.lastAt === 'number') {
          return { id: v.id, lastAt: v.lastAt, attribution: v.attribution ?? {}, tasks: v.tasks ?? {} };
        }
      }
    } catch (err) {
      swallow(err);
    }
    return memoryVisit;
  };

  const saveVisit = (v: VisitState) => {
    memoryVisit = v;
    try {
      options.storage?.setItem(VISIT_STORAGE_KEY, JSON.stringify(v));
    } catch (err) {
      swallow(err);
    }
  };

  /** The current visit, started afresh after 30 minutes without activity; touches it. */
  const currentVisit = (): VisitState => {
    const now = options.now();
    const stored = readVisit();
    const v: VisitState =
      stored && now - stored.lastAt <= VISIT_IDLE_MS
        ? stored
        : { id: newVisitId(), lastAt: now, attribution: {}, tasks: {} };
    v.lastAt = now;
    return v;
  };

  const noteUrl = (search: string) => {
    const params = new URLSearchParams(search);
    const menu = params.get('menu');
    const src = params.get('src');
    const v = currentVisit();
    // A menu tap or a template-message link is a new entry: it replaces what the visit carried.
    if (menu !== null || src !== null) {
      const attribution: Attribution = {};
      const menuKey = validToken(menu, 64);
      const menuVersion = validToken(params.get('mv'), 32);
      const source = validToken(src, 40);
      if (menuKey) attribution.menuKey = menuKey;
      if (menuKey && menuVersion) attribution.menuVersion = menuVersion;
      if (source) attribution.src = source;
      // Kept only with a source, so the report can split message opens by template.
      const tmpl = params.get('tmpl')?.trim();
      if (source && tmpl && TEMPLATE_RE.test(tmpl)) attribution.tmpl = tmpl;
      v.attribution = attribution;
    }
    saveVisit(v);
  };

  const send = (batch: BeaconBatch) => {
    const body = JSON.stringify(batch);
    let queued = false;
    try {
      queued = options.beacon ? options.beacon(endpoint, body) : false;
    } catch (err) {
      swallow(err);
    }
    if (queued || !options.fetch) return;
    try {
      options
        .fetch(endpoint, {
          method: 'POST',
          body,
          // text/plain keeps it a "simple" request, like the beacon.
          headers: { 'content-type': 'text/plain;charset=UTF-8' },
          credentials: 'same-origin',
          keepalive: true,
        })
        .catch(swallow);
    } catch (err) {
      swallow(err);
    }
  };

  const flush = () => {
    try {
      cancelTimer?.();
      cancelTimer = null;
      const events = queue.splice(0, queue.length);
      for (const batch of toBatches(events, maxBatch, MAX_BATCH_BYTES)) send({ events: batch });
    } catch (err) {
      swallow(err);
    }
  };

  const enqueue = (
    kind: BeaconKind,
    name: string,
    extra: { outcome?: string; durationMs?: number; props?: UsageProps | undefined } = {},
    visit?: VisitState,
  ) => {
    const v = visit ?? currentVisit();
    if (!visit) saveVisit(v);
    const event: BeaconEvent = { kind, name: cleanName(name), at: options.now(), visitId: v.id };
    if (v.attribution.menuKey) event.menuKey = v.attribution.menuKey;
    if (v.attribution.menuVersion) event.menuVersion = v.attribution.menuVersion;
    if (extra.outcome) event.outcome = extra.outcome;
    if (extra.durationMs !== undefined) event.durationMs = extra.durationMs;
    const props = cleanProps({
      ...extra.props,
      ...(v.attribution.src ? { src: v.attribution.src } : {}),
      ...(v.attribution.tmpl ? { tmpl: v.attribution.tmpl } : {}),
    });
    if (props) event.props = props;
    queue.push(event);
    if (queue.length >= flushAt) flush();
    else if (!cancelTimer) cancelTimer = options.setTimer(flush, flushIntervalMs);
  };

  /** Public entry points share this guard: a tracking bug must never surface in a page. */
  const safe =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      try {
        fn(...args);
      } catch (err) {
        swallow(err);
      }
    };

  const tracker: UsageTracker = {
    trackPageView: safe((name: string, props?: UsageProps) => enqueue('page_view', name, { props })),
    trackTask: safe((name: string, phase: TaskPhase, props?: UsageProps) => {
      const v = currentVisit();
      const key = cleanName(name);
      if (phase === 'start') {
        v.tasks[key] = options.now();
        saveVisit(v);
        enqueue('task_start', name, { props }, v);
        return;
      }
      const startedAt = v.tasks[key];
      delete v.tasks[key];
      saveVisit(v);
      const extra: { outcome: string; durationMs?: number; props?: UsageProps | undefined } = {
        outcome: phase === 'complete' ? 'ok' : 'fail',
        props,
      };
      if (startedAt !== undefined) {
        extra.durationMs = Math.min(Math.max(0, Math.round(options.now() - startedAt)), DURATION_MAX_MS);
      }
      enqueue(phase === 'complete' ? 'task_complete' : 'task_fail', name, extra, v);
    }),
    trackSearch: safe((term: string, resultCount: number, where = 'search') => {
      const props = { term: String(term).trim().slice(0, TERM_MAX), count: resultCount };
      const outcome = resultCount > 0 ? 'found' : 'empty';
      enqueue('search', where, { outcome, props });
      if (resultCount === 0) enqueue('no_result', where, { props });
    }),
    trackLookup: safe((name: string, resultCount: number, props?: UsageProps) =>
      enqueue('lookup', name, { outcome: resultCount > 0 ? 'found' : 'empty', props: { ...props, count: resultCount } }),
    ),
    trackError: safe((name: string, props?: UsageProps) => enqueue('error', name, { props })),
    trackValidationError: safe((name: string, props?: UsageProps) => enqueue('validation_error', name, { props })),
    noteUrl: safe(noteUrl),
    flush,
    visitId: () => {
      const v = currentVisit();
      saveVisit(v);
      return v.id;
    },
  };

  tracker.noteUrl(options.location.search);
  return tracker;
}

function validToken(value: string | null, max: number): string | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  return v.length > 0 && v.length <= max && TOKEN_RE.test(v) ? v : undefined;
}

/** Names become server tokens: unknown characters turn into `_`, at most 64 characters. */
export function cleanName(name: string): string {
  const cleaned = String(name).replace(/[^\w.:/-]/g, '_').slice(0, 64);
  return cleaned.length > 0 ? cleaned : 'unknown';
}

/** Fits properties into the server's limits (key/value lengths, count, total size). */
export function cleanProps(props: UsageProps | undefined): UsageProps | undefined {
  if (!props) return undefined;
  const out: UsageProps = {};
  let count = 0;
  for (const [rawKey, value] of Object.entries(props)) {
    if (count >= PROP_COUNT_MAX) break;
    if (value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    const key = rawKey.slice(0, PROP_KEY_MAX);
    const next = typeof value === 'string' ? value.slice(0, PROP_STRING_MAX) : value;
    if (JSON.stringify({ ...out, [key]: next }).length > PROPS_MAX_BYTES) continue;
    out[key] = next;
    count += 1;
  }
  return count > 0 ? out : undefined;
}

const encoder = new TextEncoder();

/** Splits events into batches within the event-count and byte limits, keeping order. */
export function toBatches(events: BeaconEvent[], maxEvents: number, maxBytes: number): BeaconEvent[][] {
  const batches: BeaconEvent[][] = [];
  let current: BeaconEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = encoder.encode(JSON.stringify(event)).length + 1;
    if (current.length > 0 && (current.length >= maxEvents || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
