/**
 * Where 返回办件队列 on 办件详情 leads: the queue as the staff member left it (its filters and page
 * are in its URL), or the plain queue when the detail was not opened from the queue (a bookmark,
 * a link from 差评回访 or the dashboard, a new tab).
 */
export const QUEUE_PATH = '/applications';

/**
 * `back` is vue-router's `history.state.back`: the previous history entry's path inside the app
 * (base left off). It survives a reload of the detail page, and a direct visit has none.
 */
export function queueReturnPath(back: unknown): string {
  if (typeof back !== 'string' || !back.startsWith('/') || back.startsWith('//')) return QUEUE_PATH;
  const url = new URL(back, 'http://admin.invalid');
  return url.pathname === QUEUE_PATH ? `${url.pathname}${url.search}` : QUEUE_PATH;
}
