import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_VISITOR_OPENID } from '../../../server/sandbox';
import { DEMO_OPENID, PUBLIC_BASE, startSandbox, type SandboxTest } from './support';

/** Web OAuth: the authorize step and the sns endpoints (PROTOCOL §5). */
let s: SandboxTest;
let clock = Date.now();
beforeAll(async () => {
  s = await startSandbox({ now: () => clock });
});
afterAll(() => s.close());

const CALLBACK = `${PUBLIC_BASE}/oauth/callback`;
const authorize = (params: Record<string, string>, cookie?: string) => {
  const req = s.http.get('/sandbox/connect/oauth2/authorize').query({
    appid: s.config.wechat.appId,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'st4te',
    ...params,
  });
  return cookie ? req.set('Cookie', cookie) : req;
};
const location = (res: { headers: Record<string, string> }) => new URL(res.headers.location ?? '');
const codeFor = async (params: Record<string, string>) => location(await authorize(params)).searchParams.get('code') ?? '';
const exchange = (code: string) =>
  s.http.get('/sandbox/sns/oauth2/access_token').query({ appid: s.config.wechat.appId, secret: s.config.wechat.appSecret, code, grant_type: 'authorization_code' });

describe('authorize', () => {
  it('redirects a named user silently to redirect_uri?code&state, keeping the portal query', async () => {
    const res = await authorize({ sandbox_user: DEMO_OPENID, redirect_uri: `${CALLBACK}?x=1` });
    expect(res.status).toBe(302);
    const to = location(res);
    expect(`${to.origin}${to.pathname}`).toBe(CALLBACK);
    expect(to.searchParams.get('x')).toBe('1');
    expect(to.searchParams.get('state')).toBe('st4te');
    expect(to.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(res.headers['set-cookie']?.[0]).toMatch(/^sandbox_wechat_user=.*httponly/i);
  });

  it.each([
    [{ redirect_uri: 'https://evil.example/cb' }, '10003'],
    [{ redirect_uri: 'https://portal.example.test:8443/cb' }, '10003'],
    [{ redirect_uri: 'not a url' }, '10003'],
    [{ scope: 'snsapi_login' }, '10005'],
    [{ scope: '' }, '10010'],
    [{ redirect_uri: '' }, '10011'],
    [{ appid: '' }, '10012'],
  ])('shows WeChat error page for %j (%s)', async (params, code) => {
    const res = await authorize({ sandbox_user: DEMO_OPENID, ...params });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain(`错误码：${code}`);
    expect(res.headers.location).toBeUndefined();
  });

  it('without a user asks who holds the phone, listing the simulated users', async () => {
    const res = await authorize({});
    expect(res.status).toBe(200);
    expect(res.text).toContain('选择微信用户');
    expect(res.text).toContain('张伟');
    expect(res.text).toContain(`sandbox_user=${DEMO_OPENID}`);
    expect(res.text).not.toContain('<script');
  });

  it('uses the phone cookie when no user is named', async () => {
    const res = await authorize({}, `sandbox_wechat_user=${DEMO_OPENID}`);
    expect(res.status).toBe(302);
    const token = (await exchange(location(res).searchParams.get('code') ?? '')).body;
    expect(token.openid).toBe(DEMO_OPENID);
  });

  it('creates a user on first use of an unknown sandbox_user', async () => {
    const openid = 'oSbxNewcomer0000000000000001';
    expect(s.platform.getUser(openid)).toBeUndefined();
    const token = (await exchange(await codeFor({ sandbox_user: openid }))).body;
    expect(token.openid).toBe(openid);
    expect(s.platform.getUser(openid)).toMatchObject({ subscribed: false, snapshot: false });
  });

  it('asks for snsapi_userinfo consent once; deny returns with the state and no code', async () => {
    const user = s.platform.createUser({ nickname: '赵敏' });
    const ask = await authorize({ scope: 'snsapi_userinfo', sandbox_user: user.openid, sandbox_consent: 'ask' });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('获得你的公开信息');
    expect(ask.text).toContain('赵敏');

    const denied = location(await authorize({ scope: 'snsapi_userinfo', sandbox_user: user.openid, sandbox_consent: 'deny' }));
    expect(denied.searchParams.get('code')).toBeNull();
    expect(denied.searchParams.get('state')).toBe('st4te');

    const allowed = await authorize({ scope: 'snsapi_userinfo', sandbox_user: user.openid, sandbox_consent: 'allow' });
    expect(allowed.status).toBe(302);
    // Remembered: the cookie-held phone goes straight through next time.
    expect((await authorize({ scope: 'snsapi_userinfo' }, `sandbox_wechat_user=${user.openid}`)).status).toBe(302);
  });
});

describe('code exchange and the web token', () => {
  it('exchanges a code once (40163 after), unknown codes are 40029, unused codes expire after 5 minutes (42003)', async () => {
    const code = await codeFor({ sandbox_user: DEMO_OPENID });
    const token = (await exchange(code)).body;
    expect(token).toMatchObject({ openid: DEMO_OPENID, scope: 'snsapi_base', expires_in: 7200 });
    expect(token.refresh_token).toBeTruthy();
    expect(token.is_snapshotuser).toBeUndefined();
    expect((await exchange(code)).body.errcode).toBe(40163);
    expect((await exchange('nope')).body.errcode).toBe(40029);
    const late = await codeFor({ sandbox_user: DEMO_OPENID });
    clock += 5 * 60_000 + 1000;
    expect((await exchange(late)).body.errcode).toBe(42003);
  });

  it('checks appid, secret, code and grant_type', async () => {
    const q = { appid: s.config.wechat.appId, secret: s.config.wechat.appSecret, code: 'c', grant_type: 'authorization_code' };
    const call = (o: object) => s.http.get('/sandbox/sns/oauth2/access_token').query({ ...q, ...o });
    expect((await call({ appid: 'wx1234567890123456' })).body.errcode).toBe(40013);
    expect((await call({ secret: 'bad-secret-bad-secret' })).body.errcode).toBe(40125);
    expect((await call({ code: '' })).body.errcode).toBe(41008);
    expect((await call({ grant_type: 'x' })).body.errcode).toBe(40002);
  });

  it('serves userinfo only for snsapi_userinfo tokens (48001 otherwise) and checks the openid', async () => {
    const base = (await exchange(await codeFor({ sandbox_user: DEMO_OPENID }))).body;
    const info = (t: string, openid = DEMO_OPENID) => s.http.get('/sandbox/sns/userinfo').query({ access_token: t, openid, lang: 'zh_CN' });
    expect((await info(base.access_token)).body.errcode).toBe(48001);
    const full = (await exchange(await codeFor({ sandbox_user: DEMO_OPENID, scope: 'snsapi_userinfo' }))).body;
    expect(full.scope).toBe('snsapi_userinfo');
    const me = (await info(full.access_token)).body;
    expect(me).toMatchObject({ openid: DEMO_OPENID, nickname: '张伟', sex: 0, province: '', privilege: [] });
    expect(me.headimgurl).toMatch(/\/sandbox\/avatar\/\d+-[0-9a-f]+\/132$/);
    expect((await info(full.access_token, 'oSbxDemo00000000000000000002')).body.errcode).toBe(40003);
    expect((await info('bogus')).body.errcode).toBe(40001);
    // An account token is not a web token.
    expect((await info(await s.token())).body.errcode).toBe(40001);

    expect((await s.http.get('/sandbox/sns/auth').query({ access_token: full.access_token, openid: DEMO_OPENID })).body).toEqual({ errcode: 0, errmsg: 'ok' });
    clock += 7200_000;
    expect((await s.http.get('/sandbox/sns/auth').query({ access_token: full.access_token, openid: DEMO_OPENID })).body.errcode).toBe(42001);
  });

  it('refreshes with the refresh_token (30 days), 40030 for an unknown one', async () => {
    const first = (await exchange(await codeFor({ sandbox_user: DEMO_OPENID }))).body;
    const refresh = (rt: string) => s.http.get('/sandbox/sns/oauth2/refresh_token').query({ appid: s.config.wechat.appId, grant_type: 'refresh_token', refresh_token: rt });
    const again = (await refresh(first.refresh_token)).body;
    expect(again.access_token).not.toBe(first.access_token);
    expect(again).toMatchObject({ openid: DEMO_OPENID, refresh_token: first.refresh_token });
    expect((await refresh('unknown')).body.errcode).toBe(40030);
    clock += 31 * 24 * 3600_000;
    expect((await refresh(first.refresh_token)).body.errcode).toBe(42002);
  });

  it('marks snapshot-mode visitors with is_snapshotuser=1 and no consent step', async () => {
    const res = await authorize({ scope: 'snsapi_userinfo', sandbox_user: SNAPSHOT_VISITOR_OPENID, sandbox_consent: 'ask' });
    expect(res.status).toBe(302);
    const token = (await exchange(location(res).searchParams.get('code') ?? '')).body;
    expect(token.is_snapshotuser).toBe(1);
    // A virtual openid is not an openid of the account.
    expect((await s.http.get('/sandbox/cgi-bin/user/info').query({ access_token: await s.token(), openid: SNAPSHOT_VISITOR_OPENID })).body.errcode).toBe(40003);
  });

  it('new users can be made from the picker form, optionally as snapshot visitors', async () => {
    const res = await authorize({ sandbox_new: '1', sandbox_nickname: '游客', sandbox_snapshot: '1' });
    const token = (await exchange(location(res).searchParams.get('code') ?? '')).body;
    expect(token.is_snapshotuser).toBe(1);
    expect(s.platform.getUser(token.openid)).toMatchObject({ nickname: '游客', snapshot: true });
  });
});
