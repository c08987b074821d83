import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wechatCredentials } from '../../../db/schema';
import { DEMO_CITIZENS } from '../../../db/seed/demo-citizens';
import { WechatApiError, WechatUnavailableError, parseWechatJson } from '../../../server/wechat/api-client';
import { createJssdk, jssdkSignature } from '../../../server/wechat/jssdk';
import { testDb } from '../../support/db';
import { countingFetch, portalProcess, startSandboxServer } from './support';

/** The API client and token store against the WeChat simulator (real HTTP, real database). */

let sb: Awaited<ReturnType<typeof startSandboxServer>>;
beforeAll(async () => {
  sb = await startSandboxServer();
});
afterAll(async () => {
  await sb.close();
});
beforeEach(async () => {
  sb.platform.reset();
  await testDb().db.delete(wechatCredentials);
});

const OPENID = DEMO_CITIZENS[0].openid;
const OPENID2 = DEMO_CITIZENS[1].openid;

async function storedToken(): Promise<string | null | undefined> {
  const [row] = await testDb().db.select().from(wechatCredentials).where(eq(wechatCredentials.name, 'access_token'));
  return row?.value;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('access token: single flight and compare-and-refresh (sandbox)', () => {
  it('20 concurrent calls on a cold store from two processes make exactly one /cgi-bin/token request', async () => {
    const counter = countingFetch();
    const a = portalProcess(sb, { fetch: counter.fetch });
    const b = portalProcess(sb, { fetch: counter.fetch });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).client.users.info(OPENID)));
    expect(results.every((r) => r.openid === OPENID && r.subscribe === 1)).toBe(true);
    expect(counter.count('/cgi-bin/token')).toBe(1);
    expect(counter.count('/cgi-bin/user/info')).toBe(20);
  });

  it('forced expiry at the platform: one refresh, then success, even with both processes hit at once', async () => {
    const counter = countingFetch();
    const a = portalProcess(sb, { fetch: counter.fetch });
    const b = portalProcess(sb, { fetch: counter.fetch });
    await a.client.users.info(OPENID);
    await b.client.users.info(OPENID);
    const before = await storedToken();
    expect(counter.count('/cgi-bin/token')).toBe(1);

    expect(sb.platform.expireTokens()).toBeGreaterThan(0); // every token now answers 42001
    const [x, y] = await Promise.all([a.client.users.info(OPENID), b.client.users.info(OPENID2)]);
    expect([x.openid, y.openid]).toEqual([OPENID, OPENID2]);
    expect(counter.count('/cgi-bin/token')).toBe(2);
    expect(counter.count('/cgi-bin/user/info')).toBe(2 + 4); // each failed once with 42001, retried once
    const after = await storedToken();
    expect(after).not.toBe(before);
    // The 42001 answers were logged as what they are, without the token.
    const text = a.logs.lines.join('\n') + b.logs.lines.join('\n');
    expect(text).toContain('"errcode":42001');
    expect(text).not.toContain(before!);
    expect(text).not.toContain(after!);
  });

  it('a token replaced by someone else (40001) is compare-and-refreshed: the newer stored one is used, no request', async () => {
    const counter = countingFetch();
    const a = portalProcess(sb, { fetch: counter.fetch });
    const b = portalProcess(sb, { fetch: counter.fetch });
    await a.client.users.info(OPENID); // a holds token 1 in memory
    // b is told token 1 is bad and refreshes (as if it had seen 40001 first).
    const t1 = (await storedToken())!;
    const t2 = await b.client.tokens.invalidate('access_token', t1);
    expect(t2).not.toBe(t1);
    expect(counter.count('/cgi-bin/token')).toBe(2);
    // a now reports t1 as rejected: it gets t2 from the store without another request.
    expect(await a.client.tokens.invalidate('access_token', t1)).toBe(t2);
    expect(counter.count('/cgi-bin/token')).toBe(2);
  });

  it('a token that keeps failing is retried only once', async () => {
    const counter = countingFetch();
    const a = portalProcess(sb, { fetch: counter.fetch });
    sb.platform.setFaults({ latencyMs: 0, templateQuotaExhausted: false, endpoints: { '/cgi-bin/user/info': { errcode: 40001, rate: 1 } } });
    const err = await rejection(a.client.users.info(OPENID));
    expect(err).toMatchObject({ name: 'WechatApiError', errcode: 40001, endpoint: '/cgi-bin/user/info', code: 'WECHAT_API_FAILED' });
    expect(counter.count('/cgi-bin/user/info')).toBe(2);
    expect(counter.count('/cgi-bin/token')).toBe(2);
  });

  it('stable_token mode', async () => {
    const counter = countingFetch();
    const a = portalProcess(sb, { fetch: counter.fetch, stableToken: true });
    const menus = await a.client.menu.get();
    expect(menus).toBeNull(); // 46003: no menu yet
    expect(counter.count('/cgi-bin/stable_token')).toBe(1);
    expect(counter.count('/cgi-bin/token')).toBe(0);
  });
});

describe('retries, timeouts and typed errors', () => {
  const faults = (endpoints: Record<string, { errcode: number; rate: number; times?: number; latencyMs?: number }>) =>
    sb.platform.setFaults({ latencyMs: 0, templateQuotaExhausted: false, endpoints });

  it('errcode -1 (system busy) is retried with back-off', async () => {
    const counter = countingFetch();
    const { client, logs } = portalProcess(sb, { fetch: counter.fetch });
    faults({ '/cgi-bin/tags/get': { errcode: -1, rate: 1, times: 2 } });
    expect(await client.tags.list()).toEqual(expect.any(Array));
    expect(counter.count('/cgi-bin/tags/get')).toBe(3);
    expect(logs.lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
  });

  it('gives up after the configured retries with errcode -1', async () => {
    const counter = countingFetch();
    const { client } = portalProcess(sb, { fetch: counter.fetch, retries: 1 });
    faults({ '/cgi-bin/tags/get': { errcode: -1, rate: 1 } });
    const err = await rejection(client.tags.list());
    expect(err).toBeInstanceOf(WechatApiError);
    expect(err).toMatchObject({ errcode: -1, endpoint: '/cgi-bin/tags/get' });
    expect(counter.count('/cgi-bin/tags/get')).toBe(2);
  });

  it('other errcodes are never retried', async () => {
    const counter = countingFetch();
    const { client } = portalProcess(sb, { fetch: counter.fetch });
    faults({ '/cgi-bin/message/template/send': { errcode: 45009, rate: 1 } });
    const err = await rejection(client.template.send({ touser: OPENID, template_id: 'x', client_msg_id: 'm1', data: {} }));
    expect(err).toMatchObject({ errcode: 45009, status: 502 });
    expect(counter.count('/cgi-bin/message/template/send')).toBe(1);
  });

  it('a timeout is retried for idempotent calls and becomes WECHAT_API_UNAVAILABLE', async () => {
    const counter = countingFetch();
    const { client } = portalProcess(sb, { fetch: counter.fetch, timeoutMs: 100 });
    await client.accessToken();
    faults({ '/cgi-bin/tags/get': { errcode: 0, rate: 0, latencyMs: 400 } });
    const err = await rejection(client.tags.list());
    expect(err).toBeInstanceOf(WechatUnavailableError);
    expect(err).toMatchObject({ reason: 'timeout', endpoint: '/cgi-bin/tags/get', code: 'WECHAT_API_UNAVAILABLE', status: 504 });
    expect(counter.count('/cgi-bin/tags/get')).toBe(3);
  });

  it('a customer-service message that timed out is not sent again', async () => {
    const counter = countingFetch();
    const { client } = portalProcess(sb, { fetch: counter.fetch, timeoutMs: 100 });
    await client.accessToken();
    faults({ '/cgi-bin/message/custom/send': { errcode: 0, rate: 0, latencyMs: 400 } });
    expect(await rejection(client.customService.sendText(OPENID, '您好'))).toMatchObject({ reason: 'timeout' });
    expect(counter.count('/cgi-bin/message/custom/send')).toBe(1);
  });

  it('network errors and 5xx are retried', async () => {
    const dead = portalProcess(sb, { baseUrl: 'http://127.0.0.1:9/sandbox' });
    const err = await rejection(dead.client.tags.list());
    expect(err).toMatchObject({ name: 'WechatUnavailableError', reason: 'network', endpoint: '/cgi-bin/token' });

    let n = 0;
    const flaky = countingFetch(async (input, init) => {
      if (new URL(input).pathname.endsWith('/cgi-bin/tags/get') && n++ === 0) return new Response('<html>502 Bad Gateway</html>', { status: 502 });
      return fetch(input, init);
    });
    const { client } = portalProcess(sb, { fetch: flaky.fetch });
    expect(await client.tags.list()).toEqual(expect.any(Array));
    expect(flaky.count('/cgi-bin/tags/get')).toBe(2);
  });

  it('logs carry endpoint, errcode and duration, never the token, the secret or a query string', async () => {
    const { client, logs } = portalProcess(sb);
    faults({ '/cgi-bin/tags/get': { errcode: -1, rate: 1, times: 1 } });
    await client.tags.list();
    const token = (await storedToken())!;
    const text = logs.lines.join('\n');
    expect(text).toContain('"endpoint":"/cgi-bin/tags/get"');
    expect(text).toMatch(/"ms":\d+/);
    expect(text).not.toContain(token);
    expect(text).not.toContain(sb.config.wechat.appSecret);
    expect(text).not.toContain('access_token=');
    expect(text).not.toContain('secret=');
  });
});

describe('endpoint groups', () => {
  it('menu: create, get, trymatch, self-menu info, conditional add/del, delete', async () => {
    const { client } = portalProcess(sb);
    const menu = { button: [{ type: 'click' as const, name: '办事指南', key: 'guide' }, { type: 'view' as const, name: '官网', url: `${sb.publicBase}/h5/` }] };
    await client.menu.create(menu);
    const got = await client.menu.get();
    expect(got?.menu.button.map((b) => b.name)).toEqual(['办事指南', '官网']);
    expect((await client.menu.tryMatch(OPENID)).button[0]).toMatchObject({ key: 'guide' });
    expect(await client.menu.currentSelfmenuInfo()).toMatchObject({ is_menu_open: 1 });

    const tag = await client.tags.create('长辈');
    const { menuid } = await client.menu.addConditional({ button: [{ type: 'click', name: '长辈版', key: 'elder' }], matchrule: { tag_id: String(tag.id) } });
    expect(menuid).toMatch(/^\d+$/);
    await client.tags.batchTagging(tag.id, [OPENID]);
    expect((await client.menu.tryMatch(OPENID)).button[0]).toMatchObject({ key: 'elder' });
    expect((await client.menu.get())?.conditionalmenu?.map((c) => String(c.menuid))).toEqual([menuid]);
    await client.menu.delConditional(menuid);
    await client.menu.delete();
    expect(await client.menu.get()).toBeNull();
  });

  it('menu errors come back typed: a name over 16 bytes is 40018', async () => {
    const { client } = portalProcess(sb);
    const err = await rejection(client.menu.create({ button: [{ type: 'click', name: '交通违法查询服务', key: 'k' }] }));
    expect(err).toMatchObject({ errcode: 40018, endpoint: '/cgi-bin/menu/create' });
  });

  it('template send with client_msg_id: msgid is kept as a string', async () => {
    const { client } = portalProcess(sb);
    const tpl = (await client.withToken<{ template_list: { template_id: string; title: string }[] }>('GET', '/cgi-bin/template/get_all_private_template')).template_list.find((t) => t.title === '预约成功通知')!;
    const res = await client.template.send({
      touser: OPENID,
      template_id: tpl.template_id,
      url: `${sb.publicBase}/h5/appointments`,
      client_msg_id: 'appt-42-confirmed',
      data: { thing1: { value: '驾驶证换证' }, thing2: { value: '市车管所第一服务大厅' }, time3: { value: '2024年5月6日 09:00' }, character_string4: { value: 'A0012' } },
    });
    expect(res.msgid).toMatch(/^\d+$/);
    expect(typeof res.msgid).toBe('string');
  });

  it('users: info and batchget', async () => {
    const { client } = portalProcess(sb);
    const info = await client.users.info(OPENID);
    expect(info).toMatchObject({ subscribe: 1, openid: OPENID });
    const batch = await client.users.batchGet([OPENID, OPENID2]);
    expect(batch.map((u) => u.openid)).toEqual([OPENID, OPENID2]);
  });

  it('tags: create, list, update, tag and untag, ids of a user, delete', async () => {
    const { client } = portalProcess(sb);
    const tag = await client.tags.create('驾驶人');
    expect(tag).toMatchObject({ id: expect.any(Number), name: '驾驶人' });
    await client.tags.update(tag.id, '机动车驾驶人');
    expect((await client.tags.list()).find((t) => t.id === tag.id)?.name).toBe('机动车驾驶人');
    await client.tags.batchTagging(tag.id, [OPENID, OPENID2]);
    expect(await client.tags.idsOf(OPENID)).toContain(tag.id);
    expect((await client.tags.members(tag.id)).data?.openid).toEqual(expect.arrayContaining([OPENID, OPENID2]));
    await client.tags.batchUntagging(tag.id, [OPENID]);
    expect(await client.tags.idsOf(OPENID)).not.toContain(tag.id);
    await client.tags.delete(tag.id);
    expect((await client.tags.list()).some((t) => t.id === tag.id)).toBe(false);
  });

  it('qrcode: temporary and permanent, numeric and string scenes', async () => {
    const { client } = portalProcess(sb);
    const temp = await client.qrcode.createTemporary({ sceneId: 1234 }, 600);
    expect(temp).toMatchObject({ ticket: expect.any(String), url: expect.any(String), expire_seconds: 600 });
    const perm = await client.qrcode.createPermanent({ sceneStr: 'office_hall' });
    expect(perm.ticket).toEqual(expect.any(String));
    expect(() => client.qrcode.createPermanent({ sceneId: 100_001 })).toThrow(RangeError);
  });

  it('customer service: refused outside the window (45015), delivered after the user writes', async () => {
    const { client } = portalProcess(sb);
    expect(await rejection(client.customService.sendText(OPENID, '您好'))).toMatchObject({ errcode: 45015 });
    await sb.platform.sendText(OPENID, '咨询'); // opens the 48-hour window
    await client.customService.sendText(OPENID, '您好，请问有什么可以帮您？');
    await client.customService.sendNews(OPENID, { title: '办事指南', url: `${sb.publicBase}/h5/`, description: '常见业务' });
    const chat = sb.platform.chat(OPENID);
    expect(chat.filter((e) => e.via === 'custom').map((e) => e.msgType)).toEqual(['text', 'news']);
  });

  it('jsapi ticket through the store, and a JS-SDK signature the platform\'s ticket verifies', async () => {
    const counter = countingFetch();
    const { client } = portalProcess(sb, { fetch: counter.fetch });
    const sdk = createJssdk({ appId: client.appId, ticket: () => client.jsapiTicket() });
    const [c1, c2] = await Promise.all([sdk.jssdkConfig(`${sb.publicBase}/h5/violations?menu=x#/detail`), sdk.jssdkConfig(`${sb.publicBase}/h5/points`)]);
    expect(counter.count('/cgi-bin/ticket/getticket')).toBe(1);
    const ticket = sb.platform.jsapiTicket()!;
    expect(c1.signature).toBe(jssdkSignature({ jsapiTicket: ticket, nonceStr: c1.nonceStr, timestamp: c1.timestamp, url: `${sb.publicBase}/h5/violations?menu=x` }));
    expect(c2.appId).toBe(sb.config.wechat.appId);
  });

  it('oauth: code exchange (once), refresh, userinfo, token check — with the appid+secret, not the access token', async () => {
    const counter = countingFetch();
    const { client } = portalProcess(sb, { fetch: counter.fetch });
    const authorize = new URL(`${sb.apiBase}/connect/oauth2/authorize`);
    authorize.search = new URLSearchParams({
      appid: sb.config.wechat.appId,
      redirect_uri: `${sb.publicBase}/oauth/callback`,
      response_type: 'code',
      scope: 'snsapi_userinfo',
      state: 'abc',
      sandbox_user: OPENID,
      sandbox_consent: 'allow',
    }).toString();
    const res = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    expect(code).toBeTruthy();

    const web = await client.oauth.exchangeCode(code);
    expect(web).toMatchObject({ openid: OPENID, scope: 'snsapi_userinfo', access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(await rejection(client.oauth.exchangeCode(code))).toMatchObject({ errcode: 40163 });
    const user = await client.oauth.userInfo(web.access_token, web.openid);
    expect(user.openid).toBe(OPENID);
    expect(await client.oauth.checkToken(web.access_token, web.openid)).toBe(true);
    expect(await client.oauth.checkToken(web.access_token, OPENID2)).toBe(false);
    const refreshed = await client.oauth.refreshToken(web.refresh_token);
    expect(refreshed.openid).toBe(OPENID);
    expect(counter.count('/cgi-bin/token')).toBe(0);
  });
});

describe('JSON with 64-bit integers', () => {
  it('keeps integers beyond 2^53 as strings and leaves everything else alone', () => {
    expect(parseWechatJson('{"errcode":0,"msgid":1234567890123456789,"n":-12,"f":1.5e3,"s":"12345678901234567890"}')).toEqual({
      errcode: 0,
      msgid: '1234567890123456789',
      n: -12,
      f: 1500,
      s: '12345678901234567890',
    });
    expect(parseWechatJson('{"a":"x\\"9007199254740993","b":[9007199254740993,1]}')).toEqual({ a: 'x"9007199254740993', b: ['9007199254740993', 1] });
  });
});
