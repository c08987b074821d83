import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_TEMPLATES } from '../../../server/sandbox';
import { DEMO_OPENID, startSandbox, type SandboxTest } from './support';

/** Template messages (PROTOCOL §7) and customer-service messages (§8.4). */
let s: SandboxTest;
let token: string;
beforeAll(async () => {
  s = await startSandbox();
});
beforeEach(async () => {
  s.platform.reset();
  s.portal.received.length = 0;
  token = await s.token();
});
afterAll(() => s.close());

const STATUS = SANDBOX_TEMPLATES[0]!.template_id; // thing1, character_string2, phrase3, time4
const LEGACY = SANDBOX_TEMPLATES.find((t) => t.content.includes('first'))!.template_id;
const send = (body: object) => s.http.post('/sandbox/cgi-bin/message/template/send').query({ access_token: token }).send(body);
const template = (over: object = {}) => ({
  touser: DEMO_OPENID,
  template_id: STATUS,
  url: 'https://portal.example.test/h5/applications/17',
  data: { thing1: { value: '机动车检验合格标志核发' }, character_string2: { value: 'JG2024050100017' }, phrase3: { value: '已受理' }, time4: { value: '2024年5月1日 10:00' } },
  ...over,
});

describe('message/template/send', () => {
  it('answers errcode 0 with a 64-bit msgid as a bare JSON number, shows a card, then pushes the receipt', async () => {
    const res = await send(template());
    expect(res.text).toMatch(/^\{"errcode":0,"errmsg":"ok","msgid":\d{18,19}\}$/);
    const msgid = /"msgid":(\d+)/.exec(res.text)![1]!;
    const card = s.platform.chat(DEMO_OPENID).at(-1)!;
    expect(card).toMatchObject({ from: 'account', via: 'template', msgType: 'template' });
    expect(card.template).toMatchObject({ msgid, title: '业务办理进度通知', url: 'https://portal.example.test/h5/applications/17' });
    expect(card.template!.rows[0]).toEqual({ key: 'thing1', label: '办理事项', value: '机动车检验合格标志核发' });

    await s.platform.idle();
    const receipt = s.portal.pushes().at(-1)!;
    expect(receipt).toMatchObject({ MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', MsgID: msgid, Status: 'success', FromUserName: DEMO_OPENID });
  });

  it('a user who refuses the account’s messages gets nothing; the receipt says failed:user block', async () => {
    s.platform.updateUser(DEMO_OPENID, { blocked: true });
    const before = s.platform.chat(DEMO_OPENID).length;
    expect((await send(template())).body.errcode).toBe(0);
    expect(s.platform.chat(DEMO_OPENID)).toHaveLength(before);
    await s.platform.idle();
    expect(s.portal.pushes().at(-1)).toMatchObject({ Event: 'TEMPLATESENDJOBFINISH', Status: 'failed:user block' });
  });

  it.each([
    ['unknown openid', { touser: 'oSbxNobody000000000000000000' }, 40003],
    ['missing touser', { touser: undefined }, 40003],
    ['unknown template', { template_id: 'nope' }, 40037],
    ['thing value over 20 characters', { data: { thing1: { value: '一'.repeat(21) } } }, 47003],
    ['character_string over 32', { data: { character_string2: { value: 'x'.repeat(33) } } }, 47003],
    ['data not an object', { data: 'x' }, 47001],
    ['value not a string', { data: { thing1: { value: { a: 1 } } } }, 47001],
  ])('%s → %i', async (_l, over, errcode) => {
    const res = await send(template(over));
    expect(res.body.errcode).toBe(errcode);
    if (errcode === 47003) expect(res.body.errmsg).toMatch(/^argument invalid! data\.\w+\.value invalid rid: /);
  });

  it('refuses non-followers with 43004', async () => {
    const u = s.platform.createUser({ nickname: '路人' });
    expect((await send(template({ touser: u.openid }))).body.errcode).toBe(43004);
  });

  it('drops first/remark, colours, emoji and line breaks instead of refusing them', async () => {
    const res = await send({
      touser: DEMO_OPENID,
      template_id: LEGACY,
      data: { first: { value: '您好' }, keyword1: { value: '补领🚗驾驶证\n', color: '#FF0000' }, keyword2: { value: '2024年5月1日' }, remark: { value: '谢谢' } },
    });
    expect(res.body.errcode).toBe(0);
    expect(s.platform.chat(DEMO_OPENID).at(-1)!.template!.rows).toEqual([
      { key: 'keyword1', label: '业务类型', value: '补领驾驶证' },
      { key: 'keyword2', label: '受理时间', value: '2024年5月1日' },
    ]);
  });

  it('sends once per openid + client_msg_id within 10 minutes', async () => {
    const a = /"msgid":(\d+)/.exec((await send(template({ client_msg_id: 'app-17-accepted' }))).text)![1];
    const b = /"msgid":(\d+)/.exec((await send(template({ client_msg_id: 'app-17-accepted' }))).text)![1];
    expect(b).toBe(a);
    expect(s.platform.chat(DEMO_OPENID).filter((e) => e.via === 'template')).toHaveLength(1);
  });

  it('answers 45009 when the quota is exhausted (fault)', async () => {
    s.platform.setFaults({ latencyMs: 0, endpoints: {}, templateQuotaExhausted: true });
    expect((await send(template())).body.errcode).toBe(45009);
  });

  it('lists the private templates', async () => {
    const res = await s.http.get('/sandbox/cgi-bin/template/get_all_private_template').query({ access_token: token });
    expect(res.body.template_list.map((t: { template_id: string }) => t.template_id)).toContain(STATUS);
    expect(STATUS).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('message/custom/send', () => {
  const custom = (body: object) => s.http.post('/sandbox/cgi-bin/message/custom/send').query({ access_token: token }).send(body);
  const text = (content: string) => ({ touser: DEMO_OPENID, msgtype: 'text', text: { content } });

  it('needs a recent interaction (45015) and allows 5 messages after the user writes (45047 after)', async () => {
    expect((await custom(text('您好'))).body.errcode).toBe(45015);
    await s.platform.sendText(DEMO_OPENID, '查违章');
    for (let i = 0; i < 5; i++) expect((await custom(text(`第${i + 1}条`))).body.errcode).toBe(0);
    expect((await custom(text('第6条'))).body.errcode).toBe(45047);
    expect(s.platform.chat(DEMO_OPENID).filter((e) => e.via === 'custom').map((e) => e.text)).toEqual(['第1条', '第2条', '第3条', '第4条', '第5条']);
  });

  it('checks the message like the platform', async () => {
    await s.platform.sendText(DEMO_OPENID, 'hi');
    expect((await custom({ touser: DEMO_OPENID, msgtype: 'fax', fax: {} })).body.errcode).toBe(40008);
    expect((await custom(text(''))).body.errcode).toBe(44004);
    expect((await custom({ touser: 'oSbxNobody000000000000000000', msgtype: 'text', text: { content: 'x' } })).body.errcode).toBe(40003);
    const two = { touser: DEMO_OPENID, msgtype: 'news', news: { articles: [{ title: 'a', url: 'https://a.test' }, { title: 'b', url: 'https://b.test' }] } };
    expect((await custom(two)).body.errcode).toBe(45008);
    const one = { touser: DEMO_OPENID, msgtype: 'news', news: { articles: [{ title: '预约须知', description: '请带身份证', url: 'https://a.test', picurl: 'https://a.test/p.png' }] } };
    expect((await custom(one)).body.errcode).toBe(0);
    expect(s.platform.chat(DEMO_OPENID).at(-1)!.articles).toEqual([{ title: '预约须知', description: '请带身份证', url: 'https://a.test', picUrl: 'https://a.test/p.png' }]);
  });
});
