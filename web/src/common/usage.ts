import { ApiError } from './api';
/**
 * The usage tracker wired to the browser: sessionStorage, crypto, sendBeacon/fetch, timers,
 * and flushing when the page is hidden or unloaded (WeChat's browser often kills pages
 * without an unload event, so `visibilitychange` is the reliable signal).
 */
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
/**
 * Runs `work` as one task: `start`, then `complete`, or `fail` with the error's code (an API
 * error's code, else UNKNOWN), and rethrows so the page still shows its own message.
 */
export async function trackedTask<T>(name: string, props: UsageProps, work: () => Promise<T>): Promise<T> {
  trackTask(name, 'start', props);
  try {
    const value = await work();
    trackTask(name, 'complete', props);
    return value;
  } catch (err) {
    trackTask(name, 'fail', { ...props, code: err instanceof ApiError ? err.code : 'UNKNOWN' });
    throw err;
  }
}
export const trackSearch = (term: string, resultCount: number, where?: string) =>
  usageTracker().trackSearch(term, resultCount, where);
export const trackLookup = (name: string, resultCount: number, props?: UsageProps) =>
  usageTracker().trackLookup(name, resultCount, props);
export const trackError = (name: string, props?: UsageProps) => usageTracker().trackError(name, props);
export const trackValidationError = (name: string, props?: UsageProps) =>
  usageTracker().trackValidationError(name, props);
