import { effectScope, nextTick } from 'vue';
import { createMemoryHistory, createRouter, type LocationQuery } from 'vue-router';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/admin/api';
import { usePagedQuery, type PageOf } from '../../web/src/admin/use-paged-query';

interface Filters {
  status: string;
  name: string;
}
const empty = (): Filters => ({ status: '', name: '' });
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const fromQuery = (q: LocationQuery) => ({ filters: { status: str(q.status), name: str(q.name) }, page: Number(str(q.page)) || 1 });
const toQuery = (f: Filters, page: number) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v) out[k] = v;
  if (page > 1) out.page = String(page);
  return out;
};

/** A fake list endpoint: records each request and answers `total` rows split into pages. */
function fakeFetch(total = 45) {
  const calls: { filters: Filters; page: number; pageSize: number }[] = [];
  let failWith: unknown = null;
  const fetch = async (filters: Filters, page: number, pageSize: number): Promise<PageOf<string>> => {
    calls.push({ filters: { ...filters }, page, pageSize });
    if (failWith) throw failWith;
    const first = (page - 1) * pageSize;
    const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - first)) }, (_, i) => `${filters.status || 'all'}-${first + i + 1}`);
    return { items, page: { total } };
  };
  return { fetch, calls, fail: (err: unknown) => void (failWith = err) };
}

// Lets the pending fetch promise and the route watcher run.
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  await nextTick();
};

describe('paged query without the URL (操作日志)', () => {
  it('loads the first page, pages, searches from page 1 and resets the filters', async () => {
    const api = fakeFetch(45);
    const scope = effectScope();
    const q = scope.run(() => usePagedQuery<Filters, string>({ empty, pageSize: 20, fetch: api.fetch }))!;

    q.start();
    expect(q.loading.value).toBe(true);
    await settle();
    expect(q.loading.value).toBe(false);
    expect(q.rows.value).toHaveLength(20);
    expect(q.total.value).toBe(45);

    q.goTo(3);
    await settle();
    expect(q.page.value).toBe(3);
    expect(q.rows.value).toEqual(['all-41', 'all-42', 'all-43', 'all-44', 'all-45']);

    q.filters.status = 'open';
    q.search();
    await settle();
    expect(q.page.value).toBe(1);
    expect(q.rows.value[0]).toBe('open-1');

    q.goTo(2);
    await settle();
    q.reset();
    await settle();
    expect(q.filters).toEqual(empty());
    expect(api.calls.map((c) => [c.filters.status, c.page, c.pageSize])).toEqual([
      ['', 1, 20],
      ['', 3, 20],
      ['open', 1, 20],
      ['open', 2, 20],
      ['', 1, 20],
    ]);
    scope.stop();
  });

  it('counts the rows when the answer has no total, and shows an error in words, keeping the last rows', async () => {
    const api = fakeFetch(3);
    const scope = effectScope();
    const q = scope.run(() =>
      usePagedQuery<Filters, string>({ empty, pageSize: 20, fetch: async (f, p, s) => ({ items: (await api.fetch(f, p, s)).items }) }),
    )!;
    q.start();
    await settle();
    expect(q.total.value).toBe(3);

    api.fail(new ApiError(403, { code: 'FORBIDDEN', message: '没有权限', requestId: 'req-1' }));
    q.goTo(2);
    await settle();
    expect(q.error.value).toBe('没有权限（编号 req-1）');
    expect(q.loading.value).toBe(false);
    expect(q.rows.value).toHaveLength(3);

    api.fail(null);
    q.search();
    await settle();
    expect(q.error.value).toBe('');
    scope.stop();
  });
});

describe('paged query kept in the URL (办件队列)', () => {
  const Page = { render: () => null };
  const router = () =>
    createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/list', component: Page },
        { path: '/list/:id', component: Page },
      ],
    });

  it('reads filters and page from the URL, and every move pushes a URL that is then loaded', async () => {
    const r = router();
    await r.push('/list?status=open&page=2');
    const api = fakeFetch(45);
    let loaded = 0;
    const scope = effectScope();
    const q = scope.run(() =>
      usePagedQuery<Filters, string>({ empty, pageSize: 20, fetch: api.fetch, url: { router: r, path: '/list', fromQuery, toQuery }, onLoaded: () => loaded++ }),
    )!;

    q.start();
    await settle();
    expect(q.filters).toEqual({ status: 'open', name: '' });
    expect(q.page.value).toBe(2);
    expect(q.rows.value[0]).toBe('open-21');
    expect(loaded).toBe(1);

    // A page move changes the URL only; the list follows the URL.
    q.goTo(3);
    expect(api.calls).toHaveLength(1);
    await settle();
    expect(r.currentRoute.value.fullPath).toBe('/list?status=open&page=3');
    expect(q.page.value).toBe(3);
    expect(api.calls.at(-1)).toMatchObject({ page: 3 });

    // Typed filters are not applied until searched, which starts at page 1.
    q.filters.name = 'li';
    await settle();
    expect(api.calls).toHaveLength(2);
    q.search();
    await settle();
    expect(r.currentRoute.value.fullPath).toBe('/list?status=open&name=li');
    expect(api.calls.at(-1)).toEqual({ filters: { status: 'open', name: 'li' }, page: 1, pageSize: 20 });

    // The browser's Back restores the earlier view from its URL.
    r.back();
    await settle();
    expect(q.filters).toEqual({ status: 'open', name: '' });
    expect(q.page.value).toBe(3);
    expect(api.calls.at(-1)).toMatchObject({ filters: { status: 'open', name: '' }, page: 3 });

    q.reset();
    await settle();
    expect(r.currentRoute.value.fullPath).toBe('/list');
    expect(q.filters).toEqual(empty());
    expect(q.page.value).toBe(1);
    expect(loaded).toBe(api.calls.length);
    scope.stop();
  });

  it('does not load when the route leaves the page (opening an item), nor after the page is gone', async () => {
    const r = router();
    await r.push('/list?status=open');
    const api = fakeFetch(5);
    const scope = effectScope();
    const q = scope.run(() => usePagedQuery<Filters, string>({ empty, pageSize: 20, fetch: api.fetch, url: { router: r, path: '/list', fromQuery, toQuery } }))!;
    q.start();
    await settle();
    expect(api.calls).toHaveLength(1);

    await r.push('/list/3');
    await settle();
    expect(api.calls).toHaveLength(1);
    expect(q.filters.status).toBe('open');

    scope.stop();
    await r.push('/list?status=closed');
    await settle();
    expect(api.calls).toHaveLength(1);
  });
});
