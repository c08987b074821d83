import { eq } from 'drizzle-orm';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizens, usageEvents } from '../../../db/schema';
import { SNAPSHOT_VISITOR_OPENID } from '../../../server/sandbox';
import { jssdkSignature } from '../../../server/wechat/jssdk';
import { testDb } from '../../support/db';
import { fakeOpenid } from '../../support/factories';
import { startTestServer } from '../../support/server';

let srv: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());

const pathOf = (location: string) => {
  const u = new URL(location, srv.base);
  return `${u.pathname}${u.search}`;
};

/** A browser: keeps cookies; follows our redirects one at a time so each step can be checked. */
function browser() {
  return supertest.agent(srv.base);
}

/** /oauth/start → the simulator's authorize page (non-interactive via sandbox_*) → our callback URL. */
async function authorize(b: ReturnType<typeof browser>, opts: { returnPath?: string; scope?: 'base' | 'userinfo'; sandbox?: Record<string, string> } = {}) {
  const start = await b.get('/oauth/start').query({ return: opts.returnPath ?? '/h5/violations?menu=violations&mv=v1', scope: opts.scope ?? 'base' });
  expect(start.status).toBe(302);
  const authorizeUrl = new URL(start.headers.location!);
  expect(authorizeUrl.hash).toBe('#wechat_redirect');
  expect(authorizeUrl.searchParams.get('scope')).toBe(`snsapi_${opts.scope ?? 'base'}`);
  expect(authorizeUrl.searchParams.get('state')).toMatch(/^[A-Za-z0-9]+$/);
  authorizeUrl.hash = '';
  for (const [k, v] of Object.entries(opts.sandbox ?? {})) authorizeUrl.searchParams.set(k, v);
  const auth = await b.get(pathOf(authorizeUrl.toString()));
  expect(auth.status).toBe(302);
  return pathOf(auth.headers.location!); // /oauth/callback?code=…&state=…
}

describe('web OAuth through the sandbox', () => {
  it('snsapi_base: a new citizen is stored, gets a signed HttpOnly SameSite session, and lands on the page with its attribution', async () => {
    const b = browser();
    const openid = fakeOpenid();
    const callback = await authorize(b, { sandbox: { sandbox_user: openid } });
    const done = await b.get(callback);
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/h5/violations?menu=violations&mv=v1');
    const cookie = (done.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('gp_sid='))!;
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
    expect((done.headers['set-cookie'] as unknown as string[]).some((c) => c.startsWith('gp_sid.sig='))).toBe(true);

    const me = await b.get('/api/h5/me');
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ guest: false });
    expect(JSON.stringify(me.body)).not.toContain(openid);
    const [row] = await testDb().db.select().from(citizens).where(eq(citizens.openid, openid));
    expect(row).toBeDefined();
    await srv.t.deps.usageRecorder.flush();
    const events = await testDb().db.select().from(usageEvents).where(eq(usageEvents.citizenKey, srv.t.deps.pseudonymise(openid)));
    expect(events.map((e) => [e.kind, e.outcome])).toEqual([['oauth', 'ok']]);
  });

  it('the same code twice (refresh / double redirect) does not fail the citizen, and is exchanged only once', async () => {
    const b = browser();
    const callback = await authorize(b, { sandbox: { sandbox_user: fakeOpenid() } });
    const [first, second] = await Promise.all([b.get(callback), b.get(callback)]);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(first.headers.location).toBe('/h5/violations?menu=violations&mv=v1');
    expect(second.headers.location).toBe(first.headers.location);
    const again = await b.get(callback); // a later refresh with a session in place
    expect(again.status).toBe(302);
    expect((await b.get('/api/h5/me')).status).toBe(200);
  });

  it('a state that this browser did not start is refused (CSRF), with a page, and no session', async () => {
    const victim = browser();
    const attacker = browser();
    const callback = await authorize(attacker, { sandbox: { sandbox_user: fakeOpenid() } });
    const res = await victim.get(callback);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('登录未完成');
    expect(res.headers['set-cookie']?.toString() ?? '').not.toContain('gp_sid=');
    expect((await victim.get('/api/h5/me')).status).toBe(401);
    // and a tampered state from the right browser too
    const b = browser();
    const cb = await authorize(b, { sandbox: { sandbox_user: fakeOpenid() } });
    expect((await b.get(cb.replace(/state=[^&]+/, 'state=0000'))).status).toBe(400);
  });

  it('return paths must be pages of the H5 app on this site', async () => {
    for (const bad of ['https://evil.example/h5/', '//evil.example/h5/', '/admin/', '/h5evil', '/h5/../admin/', '/h5/%2e%2e/admin', '\\\\evil.example']) {
      const res = await browser().get('/oauth/start').query({ return: bad });
      expect(res.status, bad).toBe(400);
      expect(res.text).toContain('登录未完成');
    }
  });

  it('snsapi_userinfo: the profile is stored; declining consent returns without a code and gets a clear page', async () => {
    const b = browser();
    const openid = fakeOpenid();
    const callback = await authorize(b, { scope: 'userinfo', sandbox: { sandbox_user: openid, sandbox_nickname: '王小明', sandbox_consent: 'allow' } });
    expect((await b.get(callback)).status).toBe(302);
    const [row] = await testDb().db.select().from(citizens).where(eq(citizens.openid, openid));
    expect(row?.displayName).toBeTruthy();
    expect(row?.avatarUrl).toMatch(/^http/);

    const d = browser();
    const declined = await authorize(d, { scope: 'userinfo', sandbox: { sandbox_user: fakeOpenid(), sandbox_consent: 'deny' } });
    expect(declined).not.toContain('code=');
    const res = await d.get(declined);
    expect(res.status).toBe(400);
    expect(res.text).toContain('取消了授权');
  });

  it('a snapshot-mode visitor gets a guest session and is not stored', async () => {
    const b = browser();
    const callback = await authorize(b, { scope: 'userinfo', sandbox: { sandbox_user: SNAPSHOT_VISITOR_OPENID } });
    expect((await b.get(callback)).status).toBe(302);
    const me = await b.get('/api/h5/me');
    expect(me.body.data).toEqual({ guest: true, subscribed: false, displayName: null });
    expect(await testDb().db.select().from(citizens).where(eq(citizens.openid, SNAPSHOT_VISITOR_OPENID))).toHaveLength(0);
  });

  it('H5 APIs without a session: 401 CITIZEN_AUTH_REQUIRED with the URL that starts OAuth back to the calling page', async () => {
    const res = await browser().get('/api/h5/me').set('Referer', `${srv.base}/h5/points?menu=points`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('CITIZEN_AUTH_REQUIRED');
    expect(res.body.error.details.authUrl).toBe(`/oauth/start?return=${encodeURIComponent('/h5/points?menu=points')}&scope=base`);
  });

  it('JS-SDK config: signed over the page URL without its fragment, with the shared jsapi ticket; other sites refused', async () => {
    const page = `${srv.base}/h5/violations?x=1`;
    const res = await browser().get('/api/h5/jssdk-config').query({ url: `${page}#/detail` });
    expect(res.status).toBe(200);
    const { appId, timestamp, nonceStr, signature } = res.body.data;
    expect(appId).toBe(srv.t.config.wechat.appId);
    const ticket = await srv.t.deps.wechat.jsapiTicket();
    expect(signature).toBe(jssdkSignature({ jsapiTicket: ticket, nonceStr, timestamp, url: page }));
    for (const url of ['https://evil.example/h5/x', `${srv.base}/admin/`, 'not a url']) {
      const bad = await browser().get('/api/h5/jssdk-config').query({ url });
      expect(bad.status).toBe(400);
    }
  });

  it('an unfollow erases the citizen’s sessions', async () => {
    const b = browser();
    const openid = fakeOpenid();
    expect((await b.get(await authorize(b, { sandbox: { sandbox_user: openid } }))).status).toBe(302);
    expect((await b.get('/api/h5/me')).status).toBe(200);
    await srv.t.deps.citizens.unfollowed(openid, new Date());
    expect((await b.get('/api/h5/me')).status).toBe(401);
  });
});
