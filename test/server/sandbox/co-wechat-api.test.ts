import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TEMPLATES } from '../../../server/sandbox';
import { DEMO_OPENID, startSandbox, type SandboxTest } from './support';

/**
 * An existing third-party client, co-wechat-api, unchanged: only its API host is pointed at the
 * sandbox (its `prefix` fields). If it works here, the simulator speaks WeChat's dialect.
 */
type Fn = (...args: unknown[]) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface CoWechatApi {
  prefix: string;
  snsPrefix: string;
  getAccessToken: Fn;
  createMenu: Fn;
  getMenu: Fn;
  removeMenu: Fn;
  getMenuConfig: Fn;
  sendTemplate: Fn;
  sendText: Fn;
  getUser: Fn;
  batchGetUsers: Fn;
  getFollowers: Fn;
  createTags: Fn;
  getTags: Fn;
  updateTag: Fn;
  deleteTag: Fn;
  batchTagging: Fn;
  getIdList: Fn;
  getUsersFromTag: Fn;
  createTmpQRCode: Fn;
  getJsConfig: Fn;
}
const API = createRequire(import.meta.url)('co-wechat-api') as new (appid: string, secret: string) => CoWechatApi;

let s: SandboxTest;
let api: CoWechatApi;
beforeAll(async () => {
  s = await startSandbox();
  api = new API(s.config.wechat.appId, s.config.wechat.appSecret);
  api.prefix = `${s.base}/sandbox/cgi-bin/`;
  api.snsPrefix = `${s.base}/sandbox/sns/`;
});
afterAll(() => s.close());

describe('co-wechat-api against the sandbox', () => {
  it('gets a token', async () => {
    const token = await api.getAccessToken();
    expect(token.accessToken.length).toBeGreaterThan(100);
    expect(token.isValid()).toBe(true);
  });

  it('creates, reads and removes the menu', async () => {
    const menu = {
      button: [
        { type: 'click', name: '违法查询', key: 'VIOLATIONS', sub_button: [] },
        { name: '办事', sub_button: [{ type: 'view', name: '预约', url: 'https://portal.example.test/h5/appointments', sub_button: [] }] },
      ],
    };
    expect(await api.createMenu(menu)).toEqual({ errcode: 0, errmsg: 'ok' });
    const got = await api.getMenu();
    expect(got.menu.button).toEqual(menu.button);
    expect((await api.getMenuConfig()).is_menu_open).toBe(1);
    expect(await api.removeMenu()).toEqual({ errcode: 0, errmsg: 'ok' });
    await expect(api.getMenu()).rejects.toMatchObject({ name: 'WeChatAPIError', code: 46003 });
  });

  it('refreshes by itself when the sandbox expires its token (42001)', async () => {
    await api.getAccessToken();
    s.platform.expireTokens();
    expect((await api.getMenuConfig()).is_menu_open).toBe(0);
  });

  it('sends a template message (its legacy color field is ignored) and gets a 64-bit msgid', async () => {
    const t = SANDBOX_TEMPLATES.find((x) => x.title === '预约成功通知')!;
    const data = {
      thing1: { value: '驾驶证换证', color: '#173177' },
      thing2: { value: '市车管所第一服务大厅' },
      time3: { value: '2024年5月6日 09:00' },
      character_string4: { value: 'A0012' },
    };
    const res = await api.sendTemplate(DEMO_OPENID, t.template_id, 'https://portal.example.test/h5/appointments/12', '#FF0000', data);
    expect(res.errcode).toBe(0);
    // json-bigint keeps the id exact.
    expect(String(res.msgid)).toMatch(/^\d{19}$/);
    expect(s.platform.chat(DEMO_OPENID).at(-1)!.template!.msgid).toBe(String(res.msgid));
    await expect(api.sendTemplate('oSbxNobody000000000000000000', t.template_id, '', '', data)).rejects.toMatchObject({ code: 40003 });
  });

  it('reads users and followers', async () => {
    const user = await api.getUser(DEMO_OPENID);
    expect(user).toMatchObject({ subscribe: 1, openid: DEMO_OPENID });
    const batch = await api.batchGetUsers([DEMO_OPENID, 'oSbxDemo00000000000000000002']);
    expect(batch.user_info_list).toHaveLength(2);
    const followers = await api.getFollowers();
    expect(followers.data.openid).toContain(DEMO_OPENID);
  });

  it('manages tags', async () => {
    const { tag } = await api.createTags('驾校学员');
    expect(tag.name).toBe('驾校学员');
    expect((await api.batchTagging([DEMO_OPENID], tag.id)).errcode).toBe(0);
    expect((await api.getIdList(DEMO_OPENID)).tagid_list).toContain(tag.id);
    expect((await api.getUsersFromTag(tag.id, '')).data.openid).toEqual([DEMO_OPENID]);
    expect((await api.getTags()).tags).toContainEqual({ id: tag.id, name: '驾校学员', count: 1 });
    expect((await api.updateTag(tag.id, '学员')).errcode).toBe(0);
    expect((await api.deleteTag(tag.id)).errcode).toBe(0);
    await expect(api.deleteTag(2)).rejects.toMatchObject({ code: 45058 });
  });

  it('creates a QR code and a JS-SDK config signed with the sandbox ticket', async () => {
    expect((await api.createTmpQRCode(42, 300)).expire_seconds).toBe(300);
    const cfg = await api.getJsConfig({ url: 'https://portal.example.test/h5/', jsApiList: ['scanQRCode'] });
    const ticket = s.platform.jsapiTicket()!;
    const expected = createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${cfg.nonceStr}&timestamp=${cfg.timestamp}&url=https://portal.example.test/h5/`).digest('hex');
    expect(cfg.signature).toBe(expected);
  });

  it('sends a customer-service message after the user wrote', async () => {
    await s.platform.sendText(DEMO_OPENID, '请问几点下班？');
    expect((await api.sendText(DEMO_OPENID, '工作日 17:00 下班')).errcode).toBe(0);
    expect(s.platform.chat(DEMO_OPENID).at(-1)).toMatchObject({ via: 'custom', text: '工作日 17:00 下班' });
  });
});
