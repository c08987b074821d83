/**
 * The usage tracker wired to the browser: sessionStorage, crypto, sendBeacon/fetch, timers,
 * and flushing when the page is hidden or unloaded (WeChat's browser often kills pages
 * without an unload event, so `visibilitychange` is the reliable signal).
 */
import { ApiError } from './api';
import { createUsageTracker, type UsageProps, type TaskPhase, type UsageTracker } from './usage-tracker';

export type { UsageProps, TaskPhase, UsageTracker } from './usage-tracker';

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // access itself can throw when storage is disabled
  }
}

function createBrowserTracker(): UsageTracker {
  const beacon =
    typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function'
      ? (url: string, body: string) =>
          navigator.sendBeacon(url, new Blob([body], { type: 'text/plain;charset=UTF-8' }))
      : undefined;
  const tracker = createUsageTracker({
    storage: sessionStore(),
    now: () => Date.now(),
    location: { search: window.location.search },
    randomBytes: (bytes) => crypto.getRandomValues(bytes),
    beacon,
    fetch: typeof fetch === 'function' ? (url, init) => fetch(url, init) : undefined,
    setTimer: (fn, ms) => {
      const id = window.setTimeout(fn, ms);
      return () => window.clearTimeout(id);
    },
    onError: import.meta.env.DEV ? (err) => console.warn('[usage]', err) : undefined,
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') tracker.flush();
  });
  window.addEventListener('pagehide', () => tracker.flush());
  return tracker;
}

let instance: UsageTracker | null = null;

/** The page's tracker, created on first use so importing this module has no side effects. */
export function usageTracker(): UsageTracker {
  if (!instance) {
    try {
      instance = createBrowserTracker();
    } catch {
      instance = noopTracker; // an old or locked-down browser still gets a working page
    }
  }
  return instance;
}

const noop = () => {};
const noopTracker: UsageTracker = {
  trackPageView: noop,
  trackTask: noop,
  trackSearch: noop,
  trackLookup: noop,
  trackError: noop,
  trackValidationError: noop,
  noteUrl: noop,
  flush: noop,
  visitId: () => '',
};

export const trackPageView = (name: string, props?: UsageProps) => usageTracker().trackPageView(name, props);
export const trackTask = (name: string, phase: TaskPhase, props?: UsageProps) =>
  usageTracker().trackTask(name, phase, props);
/** The `code` a failed task reports: an API error's code, else UNKNOWN. */
export const taskFailCode = (err: unknown): string => (err instanceof ApiError ? err.code : 'UNKNOWN');

/** How a tracked task's end events differ from its start, for pages that report more (or less). */
export interface TrackedTaskOptions<T> {
  /** The `complete` event's props, e.g. a count from the result. Default: the start props. */
  completeProps?: (value: T) => UsageProps | undefined;
  /** The `fail` event's props. Default: the start props plus `code` (taskFailCode). */
  failProps?: (err: unknown) => UsageProps | undefined;
}

/**
 * Runs `work` as one task on `tracker`: `start`, then `complete`, or `fail` (see
 * TrackedTaskOptions), and rethrows so the page still shows its own message.
 * Takes the tracker so tests can record what it reports; pages use `trackedTask`.
 */
export async function runTrackedTask<T>(
  tracker: Pick<UsageTracker, 'trackTask'>,
  name: string,
  props: UsageProps,
  work: () => Promise<T>,
  options: TrackedTaskOptions<T> = {},
): Promise<T> {
  tracker.trackTask(name, 'start', props);
  let value: T;
  try {
    value = await work();
  } catch (err) {
    tracker.trackTask(name, 'fail', endProps(options.failProps, err, () => ({ ...props, code: taskFailCode(err) })));
    throw err;
  }
  tracker.trackTask(name, 'complete', endProps(options.completeProps, value, () => props));
  return value;
}

/** A page's props callback, or the default; a throwing callback must not turn the page's outcome around. */
function endProps<A>(fn: ((arg: A) => UsageProps | undefined) | undefined, arg: A, fallback: () => UsageProps): UsageProps | undefined {
  if (!fn) return fallback();
  try {
    return fn(arg);
  } catch {
    return fallback();
  }
}

/** `runTrackedTask` on the page's tracker. */
export const trackedTask = <T>(name: string, props: UsageProps, work: () => Promise<T>, options?: TrackedTaskOptions<T>): Promise<T> =>
  runTrackedTask(usageTracker(), name, props, work, options);
export const trackSearch = (term: string, resultCount: number, where?: string) =>
  usageTracker().trackSearch(term, resultCount, where);
export const trackLookup = (name: string, resultCount: number, props?: UsageProps) =>
  usageTracker().trackLookup(name, resultCount, props);
export const trackError = (name: string, props?: UsageProps) => usageTracker().trackError(name, props);
export const trackValidationError = (name: string, props?: UsageProps) =>
  usageTracker().trackValidationError(name, props);
