import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminGet, adminPost, setSignedOutHandler } from '../../web/src/admin/api';
import { navItemsFor } from '../../web/src/admin/nav-items';
import { safeReturnPath, session } from '../../web/src/admin/session';
import { actorLabel, auditPath, detailText, shanghaiDayStart } from '../../web/src/admin/staff-api';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const me = (csrfToken: string) => ({
  staff: { id: 1, username: 'a', displayName: 'A', role: 'admin' as const },
  csrfToken,
  expiresAt: '2030-01-01T00:00:00.000Z',
  idleExpiresAt: '2030-01-01T00:00:00.000Z',
});

function stubFetch(impl: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return impl(url, init);
  });
  return calls;
}
const header = (init: RequestInit, name: string) => (init.headers as Record<string, string>)[name];

beforeEach(() => {
  vi.stubGlobal('window', { location: { pathname: '/admin/staff', search: '?q=1' } });
  session.value = me('tok-1');
});
afterEach(() => vi.unstubAllGlobals());

describe('admin api client', () => {
  it('sends the session’s CSRF token on writes only', async () => {
    const calls = stubFetch(() => json(200, { data: { ok: true } }));
    await adminGet('/api/admin/staff');
    await adminPost('/api/admin/staff/1/disable');
    expect(header(calls[0]!.init, 'x-csrf-token')).toBeUndefined();
    expect(header(calls[1]!.init, 'x-csrf-token')).toBe('tok-1');
  });

  it('on 401 forgets the session and hands the current admin path to the sign-in handler', async () => {
    const went: string[] = [];
    setSignedOutHandler((p) => went.push(p));
    stubFetch(() => json(401, { error: { code: 'UNAUTHENTICATED', message: '请登录' } }));
    await expect(adminGet('/api/admin/staff')).rejects.toMatchObject({ status: 401 });
    expect(session.value).toBeNull();
    expect(went).toEqual(['/staff?q=1']);
  });

  it('on a stale CSRF token refreshes the session once and retries with the new token', async () => {
    let n = 0;
    const calls = stubFetch((url) => {
      if (url === '/api/admin/me') return json(200, { data: me('tok-2') });
      return ++n === 1 ? json(403, { error: { code: 'STAFF_CSRF_INVALID', message: 'x' } }) : json(200, { data: { done: true } });
    });
    await expect(adminPost('/api/admin/staff/1/enable')).resolves.toEqual({ done: true });
    expect(calls.map((c) => c.url)).toEqual(['/api/admin/staff/1/enable', '/api/admin/me', '/api/admin/staff/1/enable']);
    expect(header(calls[2]!.init, 'x-csrf-token')).toBe('tok-2');
  });

  it('a plain 403 FORBIDDEN is not retried', async () => {
    const calls = stubFetch(() => json(403, { error: { code: 'FORBIDDEN', message: 'no' } }));
    await expect(adminPost('/api/admin/staff')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(calls).toHaveLength(1);
  });
});

describe('admin shell helpers', () => {
  it('filters the side menu by role', () => {
    expect(navItemsFor('admin').map((i) => i.path)).toEqual(expect.arrayContaining(['/status', '/staff', '/audit']));
    expect(navItemsFor('clerk').map((i) => i.path)).not.toContain('/staff');
    expect(navItemsFor('supervisor').map((i) => i.path)).toContain('/audit');
    expect(navItemsFor(undefined)).toEqual([]);
  });

  it('only returns to paths inside the admin app after sign-in', () => {
    expect(safeReturnPath('/staff?x=1')).toBe('/staff?x=1');
    for (const bad of ['//evil.example', 'https://evil.example', '/login', undefined, ['/staff']]) expect(safeReturnPath(bad)).toBe('/');
  });

  it('builds the audit query with Shanghai days (the end day included)', () => {
    expect(shanghaiDayStart('2025-06-02')).toBe('2025-06-01T16:00:00.000Z');
    expect(shanghaiDayStart('not-a-day')).toBeUndefined();
    const path = auditPath({ action: 'staff.login', actorType: '', fromDay: '2025-06-02', toDay: '2025-06-02', subjectId: ' 7 ' }, 2, 50);
    const q = new URL(path, 'http://x').searchParams;
    expect(Object.fromEntries(q)).toEqual({ action: 'staff.login', subjectId: '7', from: '2025-06-01T16:00:00.000Z', to: '2025-06-02T16:00:00.000Z', page: '2', pageSize: '50' });
  });

  it('labels actors and details for the table', () => {
    expect(actorLabel({ type: 'staff', id: 3, name: null, username: 'li', displayName: '李' })).toBe('李（li）');
    expect(actorLabel({ type: 'system', id: null, name: 'cli' })).toBe('命令行');
    expect(detailText({ reason: 'wrong_password', n: 2 })).toBe('reason: wrong_password，n: 2');
    expect(detailText(null)).toBe('');
  });
});
