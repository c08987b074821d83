/**
 * A filtered, paged admin list (办件队列, 操作日志): one page of rows, the total, loading and
 * error, and the moves search (page 1), reset (empty filters, page 1) and go to a page.
 *
 * With `url` the filters and page live in the route's query (bookmarkable; Back and 返回办件队列
 * restore the view): a move only pushes the URL, and the list loads from the URL whenever it
 * changes. Without it they are page state and a move loads at once.
 */
import { reactive, ref, watch, type Ref } from 'vue';
import type { LocationQuery, Router } from 'vue-router';
import { describeError } from './api';

/** What `adminGetPage` answers: the items and, for paged routes, the total. */
export interface PageOf<T> {
  items: T[];
  page?: { total: number } | null;
}

export interface QueryInUrl<F> {
  /** Passed in rather than `useRouter()`, so the logic runs outside a component too (tests). */
  router: Router;
  /** The page's own path: a route change elsewhere (opening an item) is not a new query. */
  path: string;
  fromQuery(q: LocationQuery): { filters: F; page: number };
  toQuery(f: F, page: number): Record<string, string>;
}

export interface PagedQueryOptions<F extends object, T> {
  empty: () => F;
  pageSize: number;
  fetch(filters: F, page: number, pageSize: number): Promise<PageOf<T>>;
  url?: QueryInUrl<F>;
  /** After rows arrived (the queue takes its "now" for 已超期 N 天 from the same moment). */
  onLoaded?: () => void;
}

export function usePagedQuery<F extends object, T>(opts: PagedQueryOptions<F, T>) {
  // Filter objects are flat strings, so the reactive proxy has the same shape as F.
  const filters = reactive(opts.empty()) as F;
  const page = ref(1);
  // Ref<T[]> rather than ref()'s unwrapped generic, which TypeScript cannot resolve for an open T.
  const rows = ref([]) as Ref<T[]>;
  const total = ref(0);
  const loading = ref(false);
  const error = ref('');
  const { url } = opts;

  async function load(): Promise<void> {
    loading.value = true;
    error.value = '';
    try {
      const res = await opts.fetch(filters, page.value, opts.pageSize);
      rows.value = res.items;
      total.value = res.page?.total ?? res.items.length;
      opts.onLoaded?.();
    } catch (err) {
      error.value = describeError(err);
    } finally {
      loading.value = false;
    }
  }

  function fromUrl(u: QueryInUrl<F>): void {
    const { filters: f, page: p } = u.fromQuery(u.router.currentRoute.value.query);
    Object.assign(filters, f);
    page.value = p;
  }

  function goTo(p: number): void {
    if (url) {
      void url.router.push({ path: url.path, query: url.toQuery(filters, p) });
    } else {
      page.value = p;
      void load();
    }
  }

  const search = (): void => goTo(1);

  function reset(): void {
    Object.assign(filters, opts.empty());
    search();
  }

  /** The first load (call it from onMounted). */
  function start(): void {
    if (url) fromUrl(url);
    void load();
  }

  if (url) {
    // Stopped with the component that created it (or the effect scope, in tests).
    watch(
      () => url.router.currentRoute.value.fullPath,
      () => {
        if (url.router.currentRoute.value.path !== url.path) return;
        fromUrl(url);
        void load();
      },
    );
  }

  return { filters, page, rows, total, loading, error, load, start, search, reset, goTo };
}
