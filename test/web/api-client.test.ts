import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiGet, apiPost, withQuery } from '../../web/src/common/api';

function stubFetch(impl: (url: string, init: RequestInit) => Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return impl(url, init);
  });
  return calls;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('unwraps { data } and sends JSON with same-origin credentials', async () => {
    const calls = stubFetch(async () => json(201, { data: { id: 7 } }));
    await expect(apiPost<{ id: number }>('/api/h5/things', { a: 1 })).resolves.toEqual({ id: 7 });
    expect(calls[0]?.init).toMatchObject({ method: 'POST', credentials: 'same-origin', body: '{"a":1}' });
    expect((calls[0]?.init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('throws ApiError carrying the server code, message and request id', async () => {
    stubFetch(async () =>
      json(409, { error: { code: 'APPOINTMENT_SLOT_FULL', message: '该时段已约满', requestId: 'r-9' } }),
    );
    const err = await apiGet('/api/h5/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'APPOINTMENT_SLOT_FULL', message: '该时段已约满', requestId: 'r-9' });
  });

  it('maps a non-envelope error page to HTTP_<status> and a network failure to NETWORK', async () => {
    stubFetch(async () => new Response('<html>502</html>', { status: 502 }));
    await expect(apiGet('/api/x')).rejects.toMatchObject({ status: 502, code: 'HTTP_502' });

    stubFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(apiGet('/api/x')).rejects.toMatchObject({ status: 0, code: 'NETWORK' });
  });

  it('builds query strings without empty values', () => {
    expect(withQuery('/api/x', { a: 1, b: '', c: undefined, d: 'z y' })).toBe('/api/x?a=1&d=z+y');
  });
});
