import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxTest } from './support';

/** access_token, stable_token and the jsapi ticket behave like PROTOCOL §3 and §6. */
let s: SandboxTest;
let clock = Date.now();
beforeAll(async () => {
  s = await startSandbox({ now: () => clock });
});
afterAll(() => s.close());

const creds = () => ({ grant_type: 'client_credential', appid: s.config.wechat.appId, secret: s.config.wechat.appSecret });
const menuGet = (token?: string) => s.http.get('/sandbox/cgi-bin/get_current_selfmenu_info').query(token === undefined ? {} : { access_token: token });

describe('GET /cgi-bin/token', () => {
  it('issues a token with expires_in 7200, as WeChat JSON', async () => {
    const res = await s.http.get('/sandbox/cgi-bin/token').query(creds());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; encoding=utf-8');
    expect(res.body.expires_in).toBe(7200);
    expect(res.body.access_token.length).toBeGreaterThan(100);
    expect((await menuGet(res.body.access_token)).body.is_menu_open).toBe(0);
  });

  it.each([
    [{ grant_type: 'password' }, 40002],
    [{ appid: '' }, 41002],
    [{ appid: 'wx0000000000000000' }, 40013],
    [{ secret: '' }, 41004],
    [{ secret: 'wrong-secret-wrong-secret' }, 40125],
  ])('rejects %j with %i', async (override, errcode) => {
    const res = await s.http.get('/sandbox/cgi-bin/token').query({ ...creds(), ...override });
    expect(res.status).toBe(200);
    expect(res.body.errcode).toBe(errcode);
    expect(res.body.errmsg).toMatch(/ rid: /);
  });

  it('keeps the previous token valid for 5 minutes after a new one, then answers 40001', async () => {
    const first = await s.token();
    const second = await s.token();
    expect(second).not.toBe(first);
    expect((await menuGet(first)).body.errcode).toBeUndefined();
    clock += 5 * 60_000 + 1000;
    expect((await menuGet(first)).body.errcode).toBe(40001);
    expect((await menuGet(second)).body.errcode).toBeUndefined();
  });

  it('answers 42001 once a token has expired, 41001 without one, 40014 for garbage, 40001 for an unknown one', async () => {
    const t = await s.token();
    clock += 7200_000;
    expect((await menuGet(t)).body.errcode).toBe(42001);
    expect((await menuGet()).body.errcode).toBe(41001);
    expect((await menuGet('not-a-token')).body.errcode).toBe(40014);
    expect((await menuGet(`12_${'A'.repeat(136)}`)).body.errcode).toBe(40001);
  });

  it('forced expiry turns every token into 42001 and a new token works', async () => {
    const t = await s.token();
    expect(s.platform.expireTokens()).toBeGreaterThan(0);
    expect((await menuGet(t)).body.errcode).toBe(42001);
    expect((await menuGet(await s.token())).body.errcode).toBeUndefined();
  });
});

describe('POST /cgi-bin/stable_token', () => {
  const stable = (body: unknown) => s.http.post('/sandbox/cgi-bin/stable_token').send(body as object);

  it('returns the same token while it has more than 5 minutes left, a new one after', async () => {
    s.platform.reset();
    const a = (await stable(creds())).body;
    clock += 1000;
    const b = (await stable({ ...creds(), force_refresh: false })).body;
    expect(b.access_token).toBe(a.access_token);
    expect(b.expires_in).toBeLessThan(7200);
    clock += 7200_000 - 4 * 60_000;
    const c = (await stable(creds())).body;
    expect(c.access_token).not.toBe(a.access_token);
    // The old one stays valid until its own expiry.
    expect((await menuGet(a.access_token)).body.errcode).toBeUndefined();
  });

  it('force_refresh replaces the token at once, at most once per 30 seconds', async () => {
    const a = (await stable(creds())).body.access_token as string;
    clock += 31_000;
    const b = (await stable({ ...creds(), force_refresh: true })).body.access_token as string;
    expect(b).not.toBe(a);
    expect((await menuGet(a)).body.errcode).toBe(40001);
    expect((await stable({ ...creds(), force_refresh: true })).body.errcode).toBe(45011);
  });

  it('is independent of the classic token', async () => {
    clock += 60_000;
    const st = (await stable(creds())).body.access_token as string;
    await s.token();
    await s.token();
    clock += 6 * 60_000;
    expect((await menuGet(st)).body.errcode).toBeUndefined();
  });

  it('reads its JSON body whatever the content type and reports body errors with 44002/47001', async () => {
    expect((await s.http.post('/sandbox/cgi-bin/stable_token').set('Content-Type', 'text/plain').send(JSON.stringify(creds()))).body.access_token).toBeTruthy();
    expect((await s.http.post('/sandbox/cgi-bin/stable_token').set('Content-Type', 'text/plain').send('')).body.errcode).toBe(44002);
    expect((await s.http.post('/sandbox/cgi-bin/stable_token').set('Content-Type', 'text/plain').send('{nope')).body.errcode).toBe(47001);
    expect((await stable({ ...creds(), grant_type: 'x' })).body.errcode).toBe(40002);
  });
});

describe('GET /cgi-bin/ticket/getticket', () => {
  it('gives the current jsapi ticket with errcode 0 until it expires', async () => {
    const t = await s.token();
    const a = (await s.http.get('/sandbox/cgi-bin/ticket/getticket').query({ access_token: t, type: 'jsapi' })).body;
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(a.expires_in).toBeGreaterThan(7000);
    const b = (await s.http.get('/sandbox/cgi-bin/ticket/getticket').query({ access_token: t, type: 'jsapi' })).body;
    expect(b.ticket).toBe(a.ticket);
    expect(s.platform.jsapiTicket()).toBe(a.ticket);
    expect((await s.http.get('/sandbox/cgi-bin/ticket/getticket').query({ access_token: t, type: 'other' })).body.errcode).toBe(40097);
  });
});
