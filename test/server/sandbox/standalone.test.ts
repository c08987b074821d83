import Koa from 'koa';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../../server/http/error-handler';
import { requestId } from '../../../server/http/request-id';
import type { AppState } from '../../../server/http/state';
import { SANDBOX_TEMPLATES } from '../../../server/sandbox';
import { captureLogger } from '../../support/app';
import { DEMO_OPENID, standaloneSandbox, startPortalStandIn, startSandbox, textReply } from './support';

/**
 * createSandbox on its own: mounted without the app's JSON parser (as WeChat reads bodies),
 * with tuned push timing, and what it writes to the log.
 */
describe('mounted without the app body parser', () => {
  const sb = standaloneSandbox();
  const { logger } = captureLogger();
  const app = new Koa<AppState>();
  app.use(requestId(logger, false));
  app.use(errorHandler());
  app.use(sb.router.routes());
  const http = supertest(app.callback());

  it('answers 47001 for malformed JSON even when sent as application/json', async () => {
    const token = (await http.get('/sandbox/cgi-bin/token').query({ grant_type: 'client_credential', appid: sb.config.wechat.appId, secret: sb.config.wechat.appSecret })).body.access_token;
    const res = await http.post('/sandbox/cgi-bin/menu/create').query({ access_token: token }).set('Content-Type', 'application/json').send('{"button":[');
    expect(res.body.errcode).toBe(47001);
    expect(res.body.errmsg).toMatch(/^data format error/);
  });

  it('answers endpoints it does not simulate like an interface the account may not call', async () => {
    expect((await http.get('/sandbox/cgi-bin/material/batchget_material')).body.errcode).toBe(48001);
  });

  it('serves avatars without openids in the URL', async () => {
    const user = sb.platform.getUser(DEMO_OPENID)!;
    const path = new URL(user.headimgurl).pathname;
    expect(path).not.toContain(DEMO_OPENID);
    const res = await http.get(path);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.body.toString()).toContain('张');
    expect((await http.get('/sandbox/avatar/<script>/132')).status).toBe(404);
  });
});

describe('push timing', () => {
  let portal: Awaited<ReturnType<typeof startPortalStandIn>>;
  const env = { WECHAT_MESSAGE_MODE: 'compat' };
  beforeAll(async () => {
    portal = await startPortalStandIn(standaloneSandbox({ env }).config);
  });
  afterAll(() => portal.close());

  it('gives up after 1 + 3 deliveries that each time out, then shows the notice', async () => {
    const sb = standaloneSandbox({ env, selfUrl: () => portal.base, push: { timeoutMs: 150, retries: 3, retryDelayMs: 0 } });
    portal.answerWith((push) => ({ delayMs: 400, reply: textReply(push, 'late') }));
    const before = portal.received.length;
    const { outcome } = await sb.platform.sendText(DEMO_OPENID, '在吗');
    expect(outcome).toMatchObject({ delivered: false, attempts: 4, failure: 'timeout', reply: 'unanswered' });
    expect(portal.received.length - before).toBe(4);
    expect(outcome.entries[0]?.text).toBe('该公众号暂时无法提供服务，请稍后再试');
    await sb.platform.close();
  });

  it('reports a refused connection as a network failure', async () => {
    const sb = standaloneSandbox({ selfUrl: () => 'http://127.0.0.1:9', push: { timeoutMs: 500, retries: 1, retryDelayMs: 0 } });
    const outcome = await sb.platform.follow(sb.platform.createUser().openid);
    expect(outcome).toMatchObject({ delivered: false, attempts: 2, failure: 'network' });
  });

  it('a reset drops the receipts still waiting', async () => {
    const sb = standaloneSandbox({ env, selfUrl: () => portal.base, receiptDelayMs: 60_000 });
    const app = new Koa<AppState>();
    app.use(sb.router.routes());
    const http = supertest(app.callback());
    const token = (await http.get('/sandbox/cgi-bin/token').query({ grant_type: 'client_credential', appid: sb.config.wechat.appId, secret: sb.config.wechat.appSecret })).body.access_token;
    const data = { thing1: { value: '驾驶证换证' } };
    const res = await http.post('/sandbox/cgi-bin/message/template/send').query({ access_token: token }).send({ touser: DEMO_OPENID, template_id: SANDBOX_TEMPLATES[0]!.template_id, data });
    expect(res.body.errcode).toBe(0);
    const before = portal.received.length;
    sb.platform.reset();
    const t0 = Date.now();
    await sb.platform.idle();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(portal.received.length).toBe(before);
    expect(sb.platform.chat(DEMO_OPENID)).toEqual([]);
  });
});

describe('logging', () => {
  it('never writes tokens, secrets, codes or openids', async () => {
    const s = await startSandbox();
    try {
      s.portal.answerWith(() => ({ status: 500 }));
      const token = await s.token();
      await s.http.get('/sandbox/cgi-bin/user/info').query({ access_token: token, openid: DEMO_OPENID });
      const res = await s.http.get('/sandbox/connect/oauth2/authorize').query({
        appid: s.config.wechat.appId,
        redirect_uri: `${s.config.publicBaseUrl}/oauth/callback`,
        response_type: 'code',
        scope: 'snsapi_base',
        sandbox_user: DEMO_OPENID,
      });
      const code = new URL(res.headers.location ?? '').searchParams.get('code')!;
      await s.platform.sendText(DEMO_OPENID, 'hello');
      await s.http.get(`/sandbox/api/users/u1/chat`);
      const text = s.logs.lines.join('\n');
      expect(text.length).toBeGreaterThan(0);
      for (const secret of [token, DEMO_OPENID, code, s.config.wechat.appSecret, s.config.wechat.aesKey!]) expect(text).not.toContain(secret);
    } finally {
      await s.close();
    }
  });
});
