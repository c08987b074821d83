import { eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../../db/connect';
import { wechatCredentials } from '../../../db/schema';
import { createWechatClient, type FetchFn } from '../../../server/wechat/api-client';
import { createTokenStore, type TokenStore } from '../../../server/wechat/token-store';
import { captureLogger } from '../../support/app';
import { testDb, workerDatabaseUrl } from '../../support/db';

/**
 * The token store's locking against the real database. The only stand-in for WeChat here is a
 * fetch function that plays the two token endpoints (everything else is tested against the
 * sandbox in client.test.ts).
 */

const APPID = 'wx5andb0x0000000a';
const SECRET = 'sandbox-app-secret-0000000000000';

interface TokenCall {
  path: string;
  forceRefresh?: boolean;
}

function fakeTokenEndpoint(opts: { delayMs?: number; expiresIn?: number; fail?: () => boolean } = {}) {
  const calls: TokenCall[] = [];
  let n = 0;
  const fetch: FetchFn = async (input, init) => {
    const url = new URL(input);
    if (url.pathname !== '/cgi-bin/token' && url.pathname !== '/cgi-bin/stable_token') throw new Error(`unexpected call ${url.pathname}`);
    const body = init.body ? (JSON.parse(init.body) as { appid: string; secret: string; force_refresh?: boolean }) : undefined;
    calls.push({ path: url.pathname, forceRefresh: body?.force_refresh });
    const appid = body?.appid ?? url.searchParams.get('appid');
    const secret = body?.secret ?? url.searchParams.get('secret');
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 40));
    if (opts.fail?.()) return new Response(JSON.stringify({ errcode: -1, errmsg: 'system error' }));
    if (appid !== APPID || secret !== SECRET) return new Response(JSON.stringify({ errcode: 40125, errmsg: 'invalid appsecret' }));
    n++;
    return new Response(JSON.stringify({ access_token: `ACCESS_TOKEN_${n}_${'x'.repeat(40)}`, expires_in: opts.expiresIn ?? 7200 }));
  };
  return { fetch, calls };
}

const handles: DatabaseHandle[] = [];
/** A separate pool per "process". */
function separatePool(): DatabaseHandle {
  const h = connectDatabase(workerDatabaseUrl(), 5);
  handles.push(h);
  return h;
}
afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
});

/** One "process": its own pool, token store and client, all sharing the one table. */
function instance(fetch: FetchFn, opts: { now?: () => number; stableToken?: boolean } = {}): { tokens: TokenStore; logs: ReturnType<typeof captureLogger> } {
  const logs = captureLogger();
  const tokens = createTokenStore({ db: separatePool().db, logger: logs.logger, now: opts.now });
  createWechatClient({
    baseUrl: () => 'http://wechat.invalid',
    appId: APPID,
    appSecret: SECRET,
    stableToken: opts.stableToken ?? false,
    tokens,
    logger: logs.logger,
    fetch,
    now: opts.now,
    retries: 0,
  });
  return { tokens, logs };
}

async function row(name: 'access_token' | 'jsapi_ticket') {
  const [r] = await testDb().db.select().from(wechatCredentials).where(eq(wechatCredentials.name, name));
  return r;
}

beforeEach(async () => {
  await testDb().db.delete(wechatCredentials);
});

describe('single flight', () => {
  it('20 concurrent callers on a cold store, across two processes, cause exactly one token request', async () => {
    const platform = fakeTokenEndpoint({ delayMs: 80 });
    const a = instance(platform.fetch);
    const b = instance(platform.fetch);
    const callers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).tokens.get('access_token'));
    const values = await Promise.all(callers);

    expect(platform.calls).toHaveLength(1);
    expect(new Set(values).size).toBe(1);
    const r = await row('access_token');
    expect(r).toMatchObject({ value: values[0], version: 1 });
  });

  it('a cold start of five processes at once still makes one request', async () => {
    const platform = fakeTokenEndpoint({ delayMs: 50 });
    const procs = Array.from({ length: 5 }, () => instance(platform.fetch));
    const values = await Promise.all(procs.flatMap((p) => [p.tokens.get('access_token'), p.tokens.get('access_token'), p.tokens.get('access_token')]));
    expect(platform.calls).toHaveLength(1);
    expect(new Set(values).size).toBe(1);
  });

  it('a process that starts later reads the stored token instead of fetching one', async () => {
    const platform = fakeTokenEndpoint();
    const first = await instance(platform.fetch).tokens.get('access_token');
    const later = instance(platform.fetch);
    expect(await later.tokens.get('access_token')).toBe(first);
    expect(platform.calls).toHaveLength(1);
  });
});

describe('refresh ahead of expiry', () => {
  it('refreshes once when less than 5 minutes are left, while the old token is still valid', async () => {
    let t = 1_700_000_000_000;
    const now = () => t;
    const platform = fakeTokenEndpoint();
    const a = instance(platform.fetch, { now });
    const b = instance(platform.fetch, { now });
    const v1 = await a.tokens.get('access_token');
    expect((await row('access_token'))?.expiresAt).toBe(t + 7200_000);

    t += 7200_000 - 6 * 60_000; // 6 minutes left: still fresh
    expect(await b.tokens.get('access_token')).toBe(v1);
    expect(platform.calls).toHaveLength(1);

    t += 2 * 60_000; // 4 minutes left: both processes want a new one; one request
    const [x, y] = await Promise.all([a.tokens.get('access_token'), b.tokens.get('access_token')]);
    expect(x).toBe(y);
    expect(x).not.toBe(v1);
    expect(platform.calls).toHaveLength(2);
    expect(await row('access_token')).toMatchObject({ value: x, version: 2, expiresAt: t + 7200_000 });
  });
});

describe('compare-and-refresh', () => {
  it('refreshes only if the store still holds the rejected token; concurrent rejections make one request', async () => {
    const platform = fakeTokenEndpoint();
    const a = instance(platform.fetch);
    const b = instance(platform.fetch);
    const old = await a.tokens.get('access_token');
    expect(await b.tokens.get('access_token')).toBe(old);

    // Both processes see 40001 for the same token at the same time.
    const fresh = await Promise.all([a.tokens.invalidate('access_token', old), b.tokens.invalidate('access_token', old), a.tokens.invalidate('access_token', old)]);
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(old);
    expect(platform.calls).toHaveLength(2);
    expect((await row('access_token'))?.version).toBe(2);

    // A late report about the old token gets the newer one, without a request.
    expect(await b.tokens.invalidate('access_token', old)).toBe(fresh[0]);
    expect(platform.calls).toHaveLength(2);
  });

  it('stable_token: force_refresh only on compare-and-refresh', async () => {
    const platform = fakeTokenEndpoint();
    const a = instance(platform.fetch, { stableToken: true });
    const v = await a.tokens.get('access_token');
    await a.tokens.invalidate('access_token', v);
    expect(platform.calls).toEqual([
      { path: '/cgi-bin/stable_token', forceRefresh: false },
      { path: '/cgi-bin/stable_token', forceRefresh: true },
    ]);
  });
});

describe('failures', () => {
  it('a failed fetch rolls back, reaches every waiter, and the next call tries again', async () => {
    let failing = true;
    const platform = fakeTokenEndpoint({ fail: () => failing });
    const a = instance(platform.fetch);
    const results = await Promise.allSettled([a.tokens.get('access_token'), a.tokens.get('access_token'), a.tokens.get('access_token')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { name: 'WechatApiError', errcode: -1, endpoint: '/cgi-bin/token' } });
    expect(platform.calls).toHaveLength(1);
    expect(await row('access_token')).toMatchObject({ value: null, version: 0 });

    failing = false;
    expect(await a.tokens.get('access_token')).toMatch(/^ACCESS_TOKEN_/);
    expect(platform.calls).toHaveLength(2);
  });

  it('inspect shows state without the value; logs never carry the token or the secret', async () => {
    const platform = fakeTokenEndpoint();
    const a = instance(platform.fetch);
    const value = await a.tokens.get('access_token');
    const state = await a.tokens.inspect('access_token');
    expect(state).toMatchObject({ name: 'access_token', present: true, version: 1 });
    expect(JSON.stringify(state)).not.toContain(value);
    const text = a.logs.lines.join('\n');
    expect(text).toContain('credential refreshed');
    expect(text).not.toContain(value);
    expect(text).not.toContain(SECRET);
  });
});
