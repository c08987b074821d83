import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { installUsageRouterHook, pageNameOf } from '../../web/src/common/vue-usage';
import type { UsageProps, UsageTracker } from '../../web/src/common/usage-tracker';

const Page = { render: () => null };

function recordingTracker() {
  const calls: { fn: string; args: unknown[] }[] = [];
  const record =
    (fn: string) =>
    (...args: unknown[]) =>
      void calls.push({ fn, args });
  const tracker = {
    trackPageView: record('trackPageView') as (name: string, props?: UsageProps) => void,
    trackTask: record('trackTask'),
    trackSearch: record('trackSearch'),
    trackLookup: record('trackLookup'),
    trackError: record('trackError'),
    trackValidationError: record('trackValidationError'),
    noteUrl: record('noteUrl'),
    flush: record('flush'),
    visitId: () => 'visit-id-1234',
  } as UsageTracker;
  return { tracker, calls };
}

function router() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: Page, meta: { page: 'h5.hall' } },
      { path: '/named', name: 'named-route', component: Page },
      { path: '/blocked', component: Page, beforeEnter: () => false },
    ],
  });
}

describe('usage router hook', () => {
  it('records a page view per completed navigation, named by meta.page or the route name', async () => {
    const r = router();
    const { tracker, calls } = recordingTracker();
    installUsageRouterHook(r, tracker);

    await r.push('/');
    await r.push('/named');
    await r.push('/blocked'); // aborted by its guard: no page was shown

    expect(calls.filter((c) => c.fn === 'trackPageView').map((c) => c.args[0])).toEqual(['h5.hall', 'named-route']);
  });

  it('passes explicit attribution parameters of in-app links to the tracker', async () => {
    const r = router();
    const { tracker, calls } = recordingTracker();
    installUsageRouterHook(r, tracker);

    await r.push('/?menu=points&mv=7&other=1');
    await r.push('/named');

    const noted = calls.filter((c) => c.fn === 'noteUrl').map((c) => c.args[0]);
    expect(noted).toEqual(['?menu=points&mv=7']);
  });

  it('passes the template kind of a message link with its src', async () => {
    const r = router();
    const { tracker, calls } = recordingTracker();
    installUsageRouterHook(r, tracker);

    await r.push('/?src=tmpl&tmpl=appointment.reminder&id=9');

    expect(calls.filter((c) => c.fn === 'noteUrl').map((c) => c.args[0])).toEqual(['?src=tmpl&tmpl=appointment.reminder']);
  });

  it('falls back to unknown for an unnamed route without meta', () => {
    expect(pageNameOf({ meta: {}, name: undefined })).toBe('unknown');
  });
});
