import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildXml } from '../../../server/wechat/xml';
import { DEMO_OPENID, PUBLIC_BASE, startSandbox, textReply, type SandboxTest } from './support';

/** Pushes to the portal as WeChat sends them (PROTOCOL §1.3, §2), and how the answer is read. */

describe.each(['plain', 'compat', 'safe'] as const)('%s mode', (mode) => {
  let s: SandboxTest;
  beforeAll(async () => {
    s = await startSandbox({ env: { WECHAT_MESSAGE_MODE: mode } });
  });
  afterAll(() => s.close());

  it('pushes a signed text message the portal can open, and shows the passive reply', async () => {
    s.portal.answerWith((push) => ({ reply: textReply(push, `收到：${String(push.Content)}`) }));
    const { message, outcome } = await s.platform.sendText(DEMO_OPENID, '查违章');
    const got = s.portal.received.at(-1)!;
    expect(got.refused).toBeUndefined();
    expect(got.query.openid).toBe(DEMO_OPENID);
    expect(got.query.encrypt_type).toBe(mode === 'plain' ? undefined : 'aes');
    expect(got.opened!.encrypted).toBe(mode !== 'plain');
    if (mode === 'safe') expect(got.body).not.toContain('查违章');
    if (mode === 'compat') expect(got.body).toContain('<Encrypt>');
    expect(got.opened!.xml).toMatchObject({ MsgType: 'text', Content: '查违章', FromUserName: DEMO_OPENID, ToUserName: s.platform.originalId });
    expect(got.opened!.xml.MsgId).toBe(message.msgId);
    expect(message.msgId).toMatch(/^\d{19}$/);
    expect(outcome).toMatchObject({ delivered: true, attempts: 1, status: 200, reply: 'passive' });
    expect(s.platform.chat(DEMO_OPENID).slice(-2).map((e) => [e.from, e.text])).toEqual([
      ['user', '查违章'],
      ['account', '收到：查违章'],
    ]);
  });
});

describe('events, retries and replies (safe mode)', () => {
  let s: SandboxTest;
  beforeAll(async () => {
    s = await startSandbox();
  });
  beforeEach(() => {
    s.platform.reset();
    s.portal.received.length = 0;
    s.portal.answerWith(() => ({}));
  });
  afterAll(() => s.close());
  const last = () => s.portal.pushes().at(-1)!;

  it('follow via a parametric QR code pushes subscribe with qrscene_<scene> and the Ticket', async () => {
    const token = await s.token();
    const qr = (await s.http.post('/sandbox/cgi-bin/qrcode/create').query({ access_token: token }).send({ expire_seconds: 600, action_name: 'QR_SCENE', action_info: { scene: { scene_id: 123 } } })).body;
    expect(qr).toMatchObject({ expire_seconds: 600, url: expect.stringMatching(/^http:\/\/weixin\.qq\.com\/q\//) });
    const u = s.platform.createUser({ nickname: '新市民' });
    await s.platform.follow(u.openid, { ticket: qr.ticket });
    expect(last()).toMatchObject({ MsgType: 'event', Event: 'subscribe', EventKey: 'qrscene_123', Ticket: qr.ticket });
    const info = (await s.http.get('/sandbox/cgi-bin/user/info').query({ access_token: token, openid: u.openid })).body;
    expect(info).toMatchObject({ subscribe: 1, subscribe_scene: 'ADD_SCENE_QR_CODE', qr_scene: 123 });

    // A follower scanning again: SCAN with the bare scene value.
    await s.platform.scan(u.openid, { ticket: qr.ticket });
    expect(last()).toMatchObject({ Event: 'SCAN', EventKey: '123', Ticket: qr.ticket });

    await s.platform.unfollow(u.openid);
    expect(last()).toMatchObject({ Event: 'unsubscribe' });
    expect((await s.http.get('/sandbox/cgi-bin/user/info').query({ access_token: token, openid: u.openid })).body).toEqual({ subscribe: 0, openid: u.openid });
  });

  it('a plain follow has an empty EventKey; the welcome reply lands in the chat', async () => {
    s.portal.answerWith((push) => ({ reply: textReply(push, '欢迎关注') }));
    const u = s.platform.createUser();
    const outcome = await s.platform.follow(u.openid);
    expect(last()).toMatchObject({ Event: 'subscribe', EventKey: '' });
    expect(outcome.entries.map((e) => e.text)).toEqual(['欢迎关注']);
  });

  it('menu taps: CLICK pushes the key and returns the reply; VIEW pushes the URL with MenuId and opens the portal through OAuth', async () => {
    const token = await s.token();
    await s.http
      .post('/sandbox/cgi-bin/menu/create')
      .query({ access_token: token })
      .send({ button: [{ type: 'click', name: '违法查询', key: 'VIOLATIONS' }, { type: 'view', name: '预约办理', url: `${PUBLIC_BASE}/h5/appointments?from=menu` }] });
    s.portal.answerWith((push) => ({ reply: textReply(push, `点了 ${String(push.EventKey)}`) }));
    const click = await s.platform.tapMenu(DEMO_OPENID, { button: 0 });
    expect(click).toMatchObject({ action: 'click', key: 'VIOLATIONS' });
    expect(click.action === 'click' && click.outcome.entries[0]?.text).toBe('点了 VIOLATIONS');
    expect(last()).toMatchObject({ Event: 'CLICK', EventKey: 'VIOLATIONS' });

    const view = await s.platform.tapMenu(DEMO_OPENID, { button: 1 });
    expect(view).toMatchObject({ action: 'view', url: `${PUBLIC_BASE}/h5/appointments?from=menu` });
    expect(view.action === 'view' && view.openUrl).toBe(`${PUBLIC_BASE}/oauth/start?return=${encodeURIComponent('/h5/appointments?from=menu')}`);
    await s.platform.idle();
    expect(last()).toMatchObject({ Event: 'VIEW', EventKey: `${PUBLIC_BASE}/h5/appointments?from=menu`, MenuId: String(s.platform.menuFor(DEMO_OPENID)!.menuid) });
    // Nothing about a VIEW makes WeChat show its failure notice.
    expect(s.platform.chat(DEMO_OPENID).filter((e) => e.from === 'system')).toHaveLength(0);
  });

  it('rewrites WeChat authorize links in menus to the sandbox authorize page for this user', () => {
    const url = `https://open.weixin.qq.com/connect/oauth2/authorize?appid=${s.config.wechat.appId}&redirect_uri=${encodeURIComponent(`${PUBLIC_BASE}/oauth/callback`)}&response_type=code&scope=snsapi_base&state=x#wechat_redirect`;
    const opened = new URL(s.platform.openUrl(DEMO_OPENID, url));
    expect(`${opened.origin}${opened.pathname}`).toBe(`${s.config.wechat.openBase}/connect/oauth2/authorize`);
    expect(opened.searchParams.get('sandbox_user')).toBe(DEMO_OPENID);
    expect(opened.searchParams.get('redirect_uri')).toBe(`${PUBLIC_BASE}/oauth/callback`);
    expect(opened.hash).toBe('#wechat_redirect');
    expect(s.platform.openUrl(DEMO_OPENID, 'https://www.gov.cn/')).toBe('https://www.gov.cn/');
  });

  it('pushes LOCATION with numbers', async () => {
    await s.platform.sendLocation(DEMO_OPENID, { latitude: 23.137466, longitude: 113.352425, precision: 119.385 });
    expect(last()).toMatchObject({ Event: 'LOCATION', Latitude: '23.137466', Longitude: '113.352425', Precision: '119.385' });
  });

  it('re-delivers after a non-2xx answer, signed afresh each time, with the same message', async () => {
    s.portal.answerWith((push, n) => (n < 3 ? { status: 500 } : { reply: textReply(push, '好的') }));
    const { outcome } = await s.platform.sendText(DEMO_OPENID, '重试测试');
    expect(outcome).toMatchObject({ delivered: true, attempts: 3, reply: 'passive' });
    const seen = s.portal.received;
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((r) => r.query.nonce)).size).toBe(3);
    expect(new Set(seen.map((r) => r.opened!.xml.MsgId)).size).toBe(1);
    expect(new Set(seen.map((r) => r.opened!.xml.CreateTime)).size).toBe(1);
  });

  it('gives up after 3 retries and shows WeChat’s notice', async () => {
    s.portal.answerWith(() => ({ status: 503 }));
    const { outcome } = await s.platform.sendText(DEMO_OPENID, '有人吗');
    expect(outcome).toMatchObject({ delivered: false, attempts: 4, status: 503, failure: 'http', reply: 'unanswered' });
    expect(s.platform.chat(DEMO_OPENID).at(-1)).toMatchObject({ from: 'system', text: '该公众号暂时无法提供服务，请稍后再试' });
  });

  it('re-delivers when the portal takes longer than 5 seconds', async () => {
    s.portal.answerWith((push, n) => (n === 1 ? { delayMs: 5300, reply: textReply(push, '太慢了') } : { reply: textReply(push, '及时') }));
    const { outcome } = await s.platform.sendText(DEMO_OPENID, '超时测试');
    expect(outcome).toMatchObject({ delivered: true, attempts: 2 });
    expect(outcome.entries.map((e) => e.text)).toEqual(['及时']);
  }, 15_000);

  it.each([
    ['a plaintext reply in safe mode', (push: Record<string, unknown>) => ({ raw: textReply(push as never, 'x') })],
    ['a reply to someone else', (push: Record<string, unknown>) => ({ reply: textReply({ ...push, FromUserName: 'oSbxDemo00000000000000000002' } as never, 'x') })],
    ['an empty text', (push: Record<string, unknown>) => ({ reply: textReply(push as never, '') })],
    ['JSON', () => ({ raw: '{"msg":"hi"}' })],
  ])('treats %s as invalid and shows the notice', async (_l, answer) => {
    s.portal.answerWith(answer as never);
    const { outcome } = await s.platform.sendText(DEMO_OPENID, '你好');
    expect(outcome.reply).toBe('invalid');
    expect(outcome.entries[0]).toMatchObject({ from: 'system', via: 'notice' });
  });

  it('shows a news reply as one article', async () => {
    s.portal.answerWith((push) => ({
      reply: buildXml({
        ToUserName: String(push.FromUserName),
        FromUserName: String(push.ToUserName),
        CreateTime: 1714000000,
        MsgType: 'news',
        ArticleCount: 1,
        Articles: { item: [{ Title: '办事指南', Description: '点击查看', PicUrl: 'https://a.test/p.png', Url: `${PUBLIC_BASE}/h5/guide` }] },
      }),
    }));
    const { outcome } = await s.platform.sendText(DEMO_OPENID, '指南');
    expect(outcome.entries[0]).toMatchObject({ msgType: 'news', articles: [{ title: '办事指南', url: `${PUBLIC_BASE}/h5/guide` }] });
  });
});
