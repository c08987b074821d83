import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { citizens, usageEvents, type StoredReply } from '../../../db/schema';
import { createAutoReplyService } from '../../../server/auto-reply/service';
import { createCitizenService } from '../../../server/citizens/service';
import { openReply, sealPush, type CodecConfig } from '../../../server/wechat/codec';
import { createWechatEventBus, type TemplateReceipt } from '../../../server/wechat/event-bus';
import { createPushDedupe } from '../../../server/wechat/push-dedupe';
import { createPushHandler, type PushHandler } from '../../../server/wechat/push-handler';
import { wechatRoutes } from '../../../server/wechat/routes';
import { buildXml, type XmlObject } from '../../../server/wechat/xml';
import { createTestApp } from '../../support/app';
import { testDb, uniq } from '../../support/db';
import { fakeOpenid } from '../../support/factories';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OLD_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const APPID = 'wx5andb0x0000000a';
const cfgFor = (mode: CodecConfig['mode'], extra: Partial<CodecConfig> = {}): CodecConfig => ({ token: 'sandboxtoken', appId: APPID, aesKey: KEY, aesKeyPrevious: OLD_KEY, mode, timestampToleranceS: 300, ...extra });

/** One app per account mode, with the real services over the worker database. */
function appFor(mode: CodecConfig['mode'], opts: { slow?: number; deadline?: number } = {}) {
  const db = testDb().db;
  const t = createTestApp();
  const events = createWechatEventBus();
  const receipts: TemplateReceipt[] = [];
  events.onTemplateReceipt((r) => void receipts.push(r));
  const sentLater: { openid: string; reply: StoredReply }[] = [];
  const autoReply = createAutoReplyService({ db });
  const base = createPushHandler({
    autoReply,
    citizens: createCitizenService({ db }),
    usage: t.deps.usageRecorder,
    events,
    menuVersion: async () => 'v9',
    logger: t.logs.logger,
  });
  let handled = 0;
  const handler: PushHandler = {
    async handle(msg) {
      handled++;
      if (opts.slow) await new Promise((r) => setTimeout(r, opts.slow));
      return base.handle(msg);
    },
  };
  const router = wechatRoutes({
    codec: cfgFor(mode),
    dedupe: createPushDedupe({ db }),
    handler,
    sendLater: async (openid, reply) => void sentLater.push({ openid, reply }),
    maxBytes: 65_536,
    track: (work) => work,
    replyDeadlineMs: opts.deadline ?? 4000,
    logger: t.logs.logger,
  });
  const app = createTestApp({ routers: [router] });
  return { app, t, autoReply, receipts, sentLater, handled: () => handled };
}

const apps: { app: { close(): Promise<void> }; t: { close(): Promise<void> } }[] = [];
afterAll(async () => {
  for (const a of apps) {
    await a.app.close();
    await a.t.close();
  }
});
function track<T extends (typeof apps)[number]>(a: T): T {
  apps.push(a);
  return a;
}

const now = () => Math.floor(Date.now() / 1000);
const msgId = () => BigInt.asUintN(64, BigInt(`0x${randomBytes(8).toString('hex')}`)).toString();
const textPush = (from: string, content: string, id = msgId()): XmlObject => ({ ToUserName: 'gh_portal', FromUserName: from, CreateTime: now(), MsgType: 'text', Content: content, MsgId: id });
const eventPush = (from: string, event: string, extra: XmlObject = {}): XmlObject => ({ ToUserName: 'gh_portal', FromUserName: from, CreateTime: now(), MsgType: 'event', Event: event, ...extra });

async function send(a: ReturnType<typeof appFor>, fields: XmlObject, mode: CodecConfig['mode'], cfg: CodecConfig = cfgFor(mode)) {
  const { query, body } = sealPush({ xml: buildXml(fields), cfg, nowMs: Date.now() });
  return a.app.request.post('/wechat').query(query).set('content-type', 'text/xml').send(body);
}

async function usageFor(a: ReturnType<typeof appFor>, openid: string) {
  await a.t.deps.usageRecorder.flush();
  return testDb().db.select().from(usageEvents).where(eq(usageEvents.citizenKey, a.t.deps.pseudonymise(openid)));
}

async function keywordRule(a: ReturnType<typeof appFor>, reply = `回复${uniq()}`) {
  const keyword = uniq('kw');
  await a.autoReply.create({ trigger: 'keyword', matchType: 'exact', pattern: keyword, priority: 100, reply: { type: 'text', content: reply } });
  return { keyword, reply };
}

describe('/wechat URL verification', () => {
  const a = track(appFor('safe'));
  it('answers the raw echostr for a correct signature, 401 otherwise', async () => {
    const { query } = sealPush({ xml: buildXml(textPush('o', 'x')), cfg: cfgFor('plain'), nowMs: Date.now() });
    const ok = await a.app.request.get('/wechat').query({ signature: query.signature, timestamp: query.timestamp, nonce: query.nonce, echostr: '5927782489442352469' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('5927782489442352469');
    const bad = await a.app.request.get('/wechat').query({ signature: 'f'.repeat(40), timestamp: query.timestamp, nonce: query.nonce, echostr: '1' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('WECHAT_SIGNATURE_INVALID');
  });
});

describe.each(['plain', 'compat', 'safe'] as const)('/wechat in %s mode', (mode) => {
  const a = track(appFor(mode));

  it('answers a keyword with its passive reply, encrypted exactly when the push was', async () => {
    const { keyword, reply } = await keywordRule(a);
    const openid = fakeOpenid();
    const res = await send(a, textPush(openid, keyword), mode);
    expect(res.status).toBe(200);
    const opened = openReply(res.text, cfgFor(mode));
    expect(opened.encrypted).toBe(mode !== 'plain');
    expect(opened.xml).toMatchObject({ ToUserName: openid, FromUserName: 'gh_portal', MsgType: 'text', Content: reply });
    const usage = await usageFor(a, openid);
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ source: 'wechat', kind: 'message', name: 'text' });
  });

  it('a WeChat retry of the same message (new signature, same MsgId) is acknowledged and not handled twice', async () => {
    const { keyword } = await keywordRule(a);
    const openid = fakeOpenid();
    const push = textPush(openid, keyword);
    const before = a.handled();
    expect((await send(a, push, mode)).status).toBe(200);
    const retry = await send(a, push, mode);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('success');
    expect(a.handled() - before).toBe(1);
    expect(await usageFor(a, openid)).toHaveLength(1);
  });
});

describe('/wechat refusals (nothing recorded)', () => {
  const a = track(appFor('safe'));

  async function refusedWith(res: { status: number; body: { error?: { code: string } } }, status: number, code: string, openid: string) {
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
    expect(await usageFor(a, openid)).toHaveLength(0);
  }

  it('an unencrypted push in safe mode', async () => {
    const openid = fakeOpenid();
    await refusedWith(await send(a, textPush(openid, 'hi'), 'plain', cfgFor('plain')), 400, 'WECHAT_ENCRYPTION_REQUIRED', openid);
  });

  it('a wrong signature, a stale timestamp, a replayed request', async () => {
    const openid = fakeOpenid();
    const { query, body } = sealPush({ xml: buildXml(textPush(openid, 'hi')), cfg: cfgFor('safe'), nowMs: Date.now() });
    await refusedWith(await a.app.request.post('/wechat').query({ ...query, msg_signature: 'a'.repeat(40) }).send(body), 401, 'WECHAT_SIGNATURE_INVALID', openid);
    const stale = sealPush({ xml: buildXml(textPush(openid, 'hi')), cfg: cfgFor('safe'), nowMs: Date.now() - 600_000 });
    await refusedWith(await a.app.request.post('/wechat').query(stale.query).send(stale.body), 401, 'WECHAT_TIMESTAMP_STALE', openid);

    const first = await a.app.request.post('/wechat').query(query).set('content-type', 'text/xml').send(body);
    expect(first.status).toBe(200);
    const again = await a.app.request.post('/wechat').query(query).set('content-type', 'text/xml').send(body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WECHAT_PUSH_REPLAYED');
  });

  it('DTD / entity payloads, malformed XML, oversized bodies', async () => {
    const openid = fakeOpenid();
    const cfg = cfgFor('plain', { timestampToleranceS: 300 });
    const plain = track(appFor('plain'));
    const payloads = [
      `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>a</ToUserName><FromUserName>${openid}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>`,
      `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>`,
      `<xml><ToUserName>a</ToUserName><FromUserName>${openid}`,
    ];
    for (const xml of payloads) {
      const { query } = sealPush({ xml: buildXml(textPush(openid, 'x')), cfg, nowMs: Date.now() });
      const res = await plain.app.request.post('/wechat').query(query).set('content-type', 'text/xml').send(xml);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('WECHAT_XML_INVALID');
    }
    const big = sealPush({ xml: buildXml(textPush(openid, 'x'.repeat(70_000))), cfg, nowMs: Date.now() });
    const res = await plain.app.request.post('/wechat').query(big.query).set('content-type', 'text/xml').send(big.body);
    expect(res.status).toBe(413);
    expect(await usageFor(plain, openid)).toHaveLength(0);
  });
});

describe('/wechat events', () => {
  const a = track(appFor('safe'));
  const db = () => testDb().db;

  it('subscribe via a QR scene: citizen stored with the acquisition source, welcome reply; unsubscribe erases the profile', async () => {
    const welcomeText = `欢迎${uniq()}`;
    // A welcome rule applies to everyone: remove it afterwards so other files see the seeded one.
    const rule = await a.autoReply.create({ trigger: 'subscribe', priority: 1000, reply: { type: 'text', content: welcomeText } });
    onTestFinished(() => a.autoReply.remove(rule.id));
    const openid = fakeOpenid();
    const res = await send(a, eventPush(openid, 'subscribe', { EventKey: 'qrscene_office_hall', Ticket: 'TICKET' }), 'safe');
    expect(res.status).toBe(200);
    expect(openReply(res.text, cfgFor('safe')).xml).toMatchObject({ MsgType: 'text', Content: welcomeText });
    let [c] = await db().select().from(citizens).where(eq(citizens.openid, openid));
    expect(c).toMatchObject({ subscribed: true, acquisitionSource: 'qrscene_office_hall' });
    await db().update(citizens).set({ displayName: '测试', avatarUrl: 'https://x/y.png' }).where(eq(citizens.openid, openid));

    const bye = await send(a, eventPush(openid, 'unsubscribe'), 'safe');
    expect(bye.text).toBe('success');
    [c] = await db().select().from(citizens).where(eq(citizens.openid, openid));
    expect(c).toMatchObject({ subscribed: false, displayName: null, avatarUrl: null });
    const kinds = (await usageFor(a, openid)).map((u) => u.kind).sort();
    expect(kinds).toEqual(['follow', 'unfollow']);
  });

  it('CLICK answers the key’s reply and is logged as a menu tap with the menu version', async () => {
    const key = uniq('KEY_');
    await a.autoReply.create({ trigger: 'click', pattern: key, reply: { type: 'text', content: '办事指南……' } });
    const openid = fakeOpenid();
    const res = await send(a, eventPush(openid, 'CLICK', { EventKey: key }), 'safe');
    expect(openReply(res.text, cfgFor('safe')).xml).toMatchObject({ Content: '办事指南……' });
    const [u] = await usageFor(a, openid);
    expect(u).toMatchObject({ kind: 'menu_click', name: key, menuKey: key, menuVersion: 'v9' });
  });

  it('VIEW is attributed to the menu key and version carried in the tagged URL', async () => {
    const openid = fakeOpenid();
    const target = `http://localhost:3000/oauth/start?return=${encodeURIComponent('/h5/violations?menu=m_violations&mv=v3')}&scope=base`;
    await send(a, eventPush(openid, 'VIEW', { EventKey: target, MenuId: '4123' }), 'safe');
    const [u] = await usageFor(a, openid);
    expect(u).toMatchObject({ kind: 'menu_view', menuKey: 'm_violations', menuVersion: 'v3' });
    expect(u?.props).toEqual({ menuId: '4123' });
  });

  it('TEMPLATESENDJOBFINISH is handed to whoever registered for receipts', async () => {
    const openid = fakeOpenid();
    await send(a, eventPush(openid, 'TEMPLATESENDJOBFINISH', { MsgID: '200163836', Status: 'failed:user block' }), 'safe');
    expect(a.receipts.find((r) => r.openid === openid)).toMatchObject({ msgId: '200163836', status: 'failed:user block' });
  });
});

describe('/wechat reply deadline', () => {
  it('answers `success` in time when handling is slow, then sends the reply through the customer-service API', async () => {
    const a = track(appFor('safe', { slow: 400, deadline: 100 }));
    const { keyword, reply } = await keywordRule(a);
    const openid = fakeOpenid();
    const res = await send(a, textPush(openid, keyword), 'safe');
    expect(res.text).toBe('success');
    await expect.poll(() => a.sentLater.find((s) => s.openid === openid)?.reply, { timeout: 3000 }).toEqual({ type: 'text', content: reply });
  });
});

describe('/wechat key rotation', () => {
  it('a push encrypted with the previous key is accepted and answered with that key', async () => {
    const a = track(appFor('safe'));
    const { keyword, reply } = await keywordRule(a);
    const oldCfg = cfgFor('safe', { aesKey: OLD_KEY, aesKeyPrevious: undefined });
    const res = await send(a, textPush(fakeOpenid(), keyword), 'safe', oldCfg);
    expect(res.status).toBe(200);
    expect(openReply(res.text, oldCfg).xml).toMatchObject({ Content: reply });
    expect(() => openReply(res.text, cfgFor('safe', { aesKeyPrevious: undefined }))).toThrow();
  });
});
