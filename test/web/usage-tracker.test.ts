import { describe, expect, it } from 'vitest';
import type { BeaconBatch, BeaconEvent } from '../../server/usage/schema';
import { beaconBatchSchema } from '../../server/usage/schema';
import {
  createUsageTracker,
  VISIT_IDLE_MS,
  type UsageStorage,
  type UsageTrackerOptions,
} from '../../web/src/common/usage-tracker';

const MINUTE = 60_000;

/** A fake browser: storage, clock, timers and transports the tests can inspect and drive. */
function fakeBrowser() {
  const store = new Map<string, string>();
  const storage: UsageStorage = {
    getItem: (k) => store.get(k) ?? null,
    setItem: (k, v) => void store.set(k, v),
  };
  let now = Date.UTC(2025, 0, 6, 2, 0, 0);
  let seed = 1;
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const beacons: { url: string; body: string }[] = [];
  const fetches: { url: string; init: RequestInit }[] = [];
  let beaconResult = true;

  const options = (search = '', extra: Partial<UsageTrackerOptions> = {}): UsageTrackerOptions => ({
    storage,
    now: () => now,
    location: { search },
    // Deterministic but distinct bytes per call, so each new visit id differs.
    randomBytes: (bytes) => {
      seed += 1;
      return bytes.map((_, i) => (seed * 31 + i * 7) % 256);
    },
    beacon: (url, body) => {
      beacons.push({ url, body });
      return beaconResult;
    },
    fetch: async (url, init) => {
      fetches.push({ url, init });
      return {};
    },
    setTimer: (fn, ms) => {
      const t = { fn, ms, cancelled: false };
      timers.push(t);
      return () => void (t.cancelled = true);
    },
    ...extra,
  });

  return {
    store,
    storage,
    beacons,
    fetches,
    timers,
    options,
    tracker: (search = '', extra: Partial<UsageTrackerOptions> = {}) => createUsageTracker(options(search, extra)),
    advance: (ms: number) => void (now += ms),
    setBeaconResult: (ok: boolean) => void (beaconResult = ok),
    /** Runs the pending timers as if their time had come. */
    runTimers: () => {
      for (const t of timers.splice(0)) if (!t.cancelled) t.fn();
    },
    /** Every event sent so far, via beacon or fetch, in order. */
    sent: (): BeaconEvent[] =>
      [...beacons.map((b) => b.body), ...fetches.map((f) => String(f.init.body))].flatMap(
        (body) => (JSON.parse(body) as BeaconBatch).events,
      ),
    batches: (): BeaconBatch[] => beacons.map((b) => JSON.parse(b.body) as BeaconBatch),
  };
}

describe('visit id', () => {
  it('is a url-safe random id kept across page loads within 30 minutes of activity', () => {
    const b = fakeBrowser();
    const first = b.tracker();
    const id = first.visitId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{16,22}$/);

    b.advance(29 * MINUTE);
    const secondPage = b.tracker(); // a new page load in the same tab
    expect(secondPage.visitId()).toBe(id);

    // Activity keeps it alive: another 29 minutes after the last event is still the same visit.
    b.advance(29 * MINUTE);
    expect(b.tracker().visitId()).toBe(id);
  });

  it('starts a new visit after 30 minutes without activity', () => {
    const b = fakeBrowser();
    const t = b.tracker();
    t.trackPageView('h5.hall');
    const id = t.visitId();

    b.advance(VISIT_IDLE_MS + 1);
    t.trackPageView('h5.hall');
    t.flush();

    const [before, after] = b.sent();
    expect(before?.visitId).toBe(id);
    expect(after?.visitId).toMatch(/^[A-Za-z0-9_-]{16,22}$/);
    expect(after?.visitId).not.toBe(id);
  });
});

describe('menu attribution', () => {
  it('carries menu and mv from the entry URL to later pages of the visit, and src into props', () => {
    const b = fakeBrowser();
    const entry = b.tracker('?menu=violations&mv=12&src=menu');
    entry.trackPageView('h5.hall');
    entry.flush();

    const later = b.tracker('?foo=bar'); // same visit, a page without attribution parameters
    later.trackPageView('h5.violations');
    later.flush();

    for (const e of b.sent()) {
      expect(e).toMatchObject({ menuKey: 'violations', menuVersion: '12', props: { src: 'menu' } });
    }
    expect(b.sent()).toHaveLength(2);
  });

  it('lets a new menu parameter replace the visit attribution', () => {
    const b = fakeBrowser();
    b.tracker('?menu=violations&mv=12');
    const t = b.tracker('?menu=points&mv=13');
    t.trackPageView('h5.points');
    t.noteUrl('?src=tmpl'); // then a template-message link: not from the menu any more
    t.trackPageView('h5.applications');
    t.flush();

    const [points, fromTemplate] = b.sent();
    expect(points).toMatchObject({ menuKey: 'points', menuVersion: '13' });
    expect(fromTemplate?.menuKey).toBeUndefined();
    expect(fromTemplate?.menuVersion).toBeUndefined();
    expect(fromTemplate?.props).toEqual({ src: 'tmpl' });
  });

  it('records the template kind of a message link beside src, for every page of that visit', () => {
    const b = fakeBrowser();
    const entry = b.tracker('?src=tmpl&tmpl=application.needs_info');
    entry.trackPageView('h5.application_detail');
    entry.flush();
    const later = b.tracker(''); // a later page load of the same visit
    later.trackTask('application.resubmit', 'start');
    later.noteUrl('?menu=violations&mv=3'); // a menu tap is a new entry: the template goes
    later.trackPageView('h5.violations');
    later.flush();

    const [detail, resubmit, menuPage] = b.sent();
    expect(detail?.props).toEqual({ src: 'tmpl', tmpl: 'application.needs_info' });
    expect(resubmit?.props).toEqual({ src: 'tmpl', tmpl: 'application.needs_info' });
    expect(menuPage?.props).toBeUndefined();
    expect(menuPage).toMatchObject({ menuKey: 'violations', menuVersion: '3' });
    expect(beaconBatchSchema.safeParse(b.batches()[0]).success).toBe(true);
  });

  it('keeps a template kind only when it is a short lower-case token and comes with src', () => {
    const kinds = (search: string) => {
      const b = fakeBrowser();
      const t = b.tracker(search);
      t.trackPageView('h5.hall');
      t.flush();
      return b.sent()[0]?.props;
    };
    expect(kinds('?src=tmpl&tmpl=Appointment.Booked')).toEqual({ src: 'tmpl' }); // upper case
    expect(kinds('?src=tmpl&tmpl=x1')).toEqual({ src: 'tmpl' }); // digit
    expect(kinds(`?src=tmpl&tmpl=${'a'.repeat(41)}`)).toEqual({ src: 'tmpl' }); // too long
    expect(kinds('?src=tmpl&tmpl=%3Cb%3E')).toEqual({ src: 'tmpl' }); // markup
    expect(kinds('?tmpl=appointment.booked')).toBeUndefined(); // no src: not an entry
    expect(kinds('?src=tmpl&tmpl=appointment.booked')).toEqual({ src: 'tmpl', tmpl: 'appointment.booked' });
  });

  it('forgets attribution when the visit expires', () => {
    const b = fakeBrowser();
    const t = b.tracker('?menu=violations&mv=12');
    b.advance(VISIT_IDLE_MS + MINUTE);
    t.trackPageView('h5.hall');
    t.flush();
    expect(b.sent()[0]?.menuKey).toBeUndefined();
  });

  it('drops parameter values the server would reject, instead of losing the batch', () => {
    const b = fakeBrowser();
    const t = b.tracker('?menu=%E8%BF%9D%E6%B3%95&mv=1%202');
    t.trackPageView('h5.hall');
    t.flush();
    const [e] = b.sent();
    expect(e?.menuKey).toBeUndefined();
    expect(e?.menuVersion).toBeUndefined();
    expect(beaconBatchSchema.safeParse(b.batches()[0]).success).toBe(true);
  });
});

describe('batching', () => {
  it('sends nothing until 20 events are queued, then sends them in one batch', () => {
    const b = fakeBrowser();
    const t = b.tracker();
    for (let i = 0; i < 19; i++) t.trackPageView(`p${i}`);
    expect(b.beacons).toHaveLength(0);

    t.trackPageView('p19');
    expect(b.beacons).toHaveLength(1);
    expect(b.batches()[0]?.events.map((e) => e.name)).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`));
    expect(b.beacons[0]?.url).toBe('/api/usage/events');
  });

  it('flushes queued events when the 2 s timer fires', () => {
    const b = fakeBrowser();
    const t = b.tracker();
    t.trackPageView('h5.hall');
    t.trackError('h5.not_found');
    expect(b.timers.map((x) => x.ms)).toEqual([2000]); // one timer for the whole queue
    expect(b.beacons).toHaveLength(0);

    b.runTimers();
    expect(b.sent().map((e) => e.kind)).toEqual(['page_view', 'error']);
  });

  it('never puts more than 50 events in one batch, and every batch passes the server schema', () => {
    const b = fakeBrowser();
    const t = b.tracker('?menu=home&mv=3', { flushAt: 1000 });
    for (let i = 0; i < 120; i++) t.trackPageView(`page.${i}`, { long: 'x'.repeat(500) });
    t.flush();

    expect(b.batches().map((x) => x.events.length)).toEqual([50, 50, 20]);
    for (const batch of b.batches()) expect(beaconBatchSchema.safeParse(batch).success).toBe(true);
    expect(b.sent().map((e) => e.name)).toEqual(Array.from({ length: 120 }, (_, i) => `page.${i}`));
  });

  it('sends each event once', () => {
    const b = fakeBrowser();
    const t = b.tracker();
    t.trackPageView('a');
    t.flush();
    t.flush();
    b.runTimers();
    expect(b.sent()).toHaveLength(1);
  });
});

describe('event shapes', () => {
  it('measures task duration from the matching start in this visit', () => {
    const b = fakeBrowser();
    const t = b.tracker();
    t.trackTask('appointment.book', 'start');
    b.advance(4321);
    t.trackTask('appointment.book', 'complete', { office: 'west' });
    t.trackTask('application.submit', 'fail'); // no start seen
    t.flush();

    const [start, done, failed] = b.sent();
    expect(start).toMatchObject({ kind: 'task_start', name: 'appointment.book' });
    expect(start?.durationMs).toBeUndefined();
    expect(done).toMatchObject({ kind: 'task_complete', durationMs: 4321, props: { office: 'west' } });
    expect(failed?.kind).toBe('task_fail');
    expect(failed?.durationMs).toBeUndefined();
  });

  it('measures a task started on an earlier page load of the same visit', () => {
    const b = fakeBrowser();
    b.tracker().trackTask('application.submit', 'start');
    b.advance(90_000);
    const next = b.tracker();
    next.trackTask('application.submit', 'fail');
    next.flush();
    expect(b.sent().find((e) => e.kind === 'task_fail')?.durationMs).toBe(90_000);
  });

  it('adds a no_result event to a search with no results, and truncates the term', () => {
    const b = fakeBrowser();
    const t = b.tracker();
    t.trackSearch('违章', 2);
    t.trackSearch(`  ${'驾'.repeat(150)}  `, 0, 'h5.hall');
    t.flush();

    const events = b.sent();
    expect(events.map((e) => [e.kind, e.name])).toEqual([
      ['search', 'search'],
      ['search', 'h5.hall'],
      ['no_result', 'h5.hall'],
    ]);
    expect(events[0]?.props).toEqual({ term: '违章', count: 2 });
    expect(events[1]?.props?.term).toBe('驾'.repeat(100));
    expect(events[2]?.props).toMatchObject({ term: '驾'.repeat(100), count: 0 });
  });

  it('reports lookups with their result count', () => {
    const b = fakeBrowser();
    const t = b.tracker();
    t.trackLookup('violations.lookup', 0);
    t.trackLookup('points.lookup', 3);
    t.flush();
    expect(b.sent().map((e) => [e.kind, e.outcome, e.props?.count])).toEqual([
      ['lookup', 'empty', 0],
      ['lookup', 'found', 3],
    ]);
  });
});

describe('transport', () => {
  it('sends with sendBeacon when it accepts the batch', () => {
    const b = fakeBrowser();
    const t = b.tracker();
    t.trackPageView('h5.hall');
    t.flush();
    expect(b.beacons).toHaveLength(1);
    expect(b.fetches).toHaveLength(0);
  });

  it('falls back to a keepalive fetch when sendBeacon returns false', () => {
    const b = fakeBrowser();
    b.setBeaconResult(false);
    const t = b.tracker();
    t.trackPageView('h5.hall');
    t.flush();

    expect(b.fetches).toHaveLength(1);
    const [{ url, init }] = b.fetches as [{ url: string; init: RequestInit }];
    expect(url).toBe('/api/usage/events');
    expect(init).toMatchObject({ method: 'POST', keepalive: true, credentials: 'same-origin' });
    expect(init.body).toBe(b.beacons[0]?.body);
  });

  it('uses fetch when sendBeacon is missing', () => {
    const b = fakeBrowser();
    const t = b.tracker('', { beacon: undefined });
    t.trackPageView('h5.hall');
    t.flush();
    expect(b.fetches).toHaveLength(1);
  });

  it('swallows failures of storage, beacon and fetch', async () => {
    const b = fakeBrowser();
    const errors: unknown[] = [];
    const broken = (): never => {
      throw new Error('boom');
    };
    const t = b.tracker('?menu=home', {
      storage: { getItem: broken, setItem: broken },
      beacon: broken,
      fetch: () => Promise.reject(new Error('offline')),
      onError: (err) => errors.push(err),
    });

    expect(() => {
      t.trackPageView('h5.hall');
      t.trackTask('x', 'start');
      t.trackTask('x', 'complete');
      t.trackSearch('a', 0);
      t.flush();
    }).not.toThrow();
    await new Promise((r) => setTimeout(r, 0)); // let the rejected fetch settle
    expect(errors.some((e) => e instanceof Error && e.message === 'offline')).toBe(true);
    expect(errors.some((e) => e instanceof Error && e.message === 'boom')).toBe(true);
  });

  it('keeps one visit in memory when storage is unavailable', () => {
    const b = fakeBrowser();
    const broken = (): never => {
      throw new Error('denied');
    };
    const t = b.tracker('', { storage: { getItem: broken, setItem: broken } });
    t.trackPageView('a');
    t.trackPageView('b');
    t.flush();
    const [a, c] = b.sent();
    expect(a?.visitId).toMatch(/^[A-Za-z0-9_-]{16,22}$/);
    expect(c?.visitId).toBe(a?.visitId);
  });
});
