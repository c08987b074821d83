/** Reads GET /api/meta; the sandbox page must still render when the server cannot answer. */
import { apiGet, describeError } from '../common/api';
import type { SiteMeta } from '../common/system-types';

export const FALLBACK_META: SiteMeta = {
  accountName: '交管服务号',
  agencyName: '',
  wechatMode: 'sandbox',
  version: '',
};

export async function loadSiteMeta(
  get: <T>(path: string) => Promise<T> = apiGet,
): Promise<{ meta: SiteMeta; error: string | null }> {
  try {
    const meta = await get<SiteMeta>('/api/meta');
    return { meta: { ...FALLBACK_META, ...meta }, error: null };
  } catch (err) {
    return { meta: FALLBACK_META, error: describeError(err) };
  }
}
