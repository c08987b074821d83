/** Records a page_view for every completed navigation of a vue-router app. */
import type { RouteLocationNormalized, Router } from 'vue-router';
import type { UsageTracker } from './usage-tracker';

/** The page name reported for a route: `meta.page`, else the route name, else `unknown`. */
export function pageNameOf(route: Pick<RouteLocationNormalized, 'meta' | 'name'>): string {
  if (typeof route.meta.page === 'string' && route.meta.page) return route.meta.page;
  if (typeof route.name === 'string' && route.name) return route.name;
  return 'unknown';
}

export function installUsageRouterHook(router: Router, tracker: UsageTracker): () => void {
  return router.afterEach((to, _from, failure) => {
    if (failure) return; // aborted or duplicated navigations showed no new page
    try {
      const search = new URLSearchParams();
      for (const key of ['menu', 'mv', 'src', 'tmpl']) {
        const value = to.query[key];
        if (typeof value === 'string') search.set(key, value);
      }
      // In-app links normally carry no attribution; only an explicit one replaces the visit's.
      if ([...search.keys()].length > 0) tracker.noteUrl(`?${search.toString()}`);
      tracker.trackPageView(pageNameOf(to));
    } catch {
      /* tracking never breaks navigation */
    }
  });
}
