import { computed, ref, shallowRef, watch, type Ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { describeError } from '../../api';
import { filterToQuery, parseReportFilter, shanghaiDate, type ReportFilter } from '../../reports-filters';

/** The filter in the current URL (the one source of truth), and a way to change it. */
export function useReportFilter() {
  const route = useRoute();
  const router = useRouter();
  const filter = computed(() => parseReportFilter(route.query, shanghaiDate(new Date())));
  /** Keeps other query parameters (a report's own, e.g. the funnel's task). */
  const setFilter = (next: ReportFilter) => {
    const own = Object.fromEntries(Object.entries(route.query).filter(([k]) => !['from', 'to', 'mv', 'source'].includes(k)));
    return router.replace({ query: { ...own, ...filterToQuery(next) } });
  };
  return { filter, setFilter };
}

/**
 * Loads a report whenever its inputs change; a newer request wins over a slower older one (the
 * older answer is dropped), so quick filter changes never show stale figures.
 */
export function useReportData<K, T>(key: Ref<K>, load: (key: K) => Promise<T>) {
  const data = shallowRef<T | null>(null);
  const error = ref('');
  const loading = ref(false);
  let seq = 0;
  async function run() {
    const mine = ++seq;
    loading.value = true;
    error.value = '';
    try {
      const result = await load(key.value);
      if (mine === seq) data.value = result;
    } catch (err) {
      if (mine === seq) {
        data.value = null;
        error.value = describeError(err);
      }
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  watch(key, run, { immediate: true, deep: true });
  return { data, error, loading, reload: run };
}
